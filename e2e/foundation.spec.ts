import { expect, test } from '@playwright/test';
import { PASSWORD, USER, expectDrawn, pageErrors, signIn } from './support';

test('an anonymous visitor is sent to the sign-in page', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/login\?next=%2F$/);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
});

test('a wrong password shows a message and no session', async ({ page }) => {
  await page.goto('/login');
  await page.fill('#username', USER);
  await page.fill('#password', 'not-the-password');
  await page.click('button[type=submit]');
  await expect(page.getByTestId('login-error')).toHaveText('Wrong user name or password.');
  await page.goto('/');
  await expect(page).toHaveURL(/\/login/);
});

test('signing in shows the overview document drawn by BokehJS, and a reload keeps the session', async ({ page }) => {
  const errors = pageErrors(page, { console: true });
  await signIn(page);
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  await expectDrawn(page, '#overview-doc');
  // The datasets by size, not the application's own tables (users, schema_migrations, …).
  await expect(page.getByTestId('getting-started')).toBeVisible();
  await expect(page.locator('#overview-doc')).not.toContainText('schema_migrations');
  await page.screenshot({ path: 'reports/screenshots/overview.png', fullPage: true });
  await page.reload();
  await expect(page).toHaveURL(/\/$/);
  await expectDrawn(page, '#overview-doc');
  expect(errors).toEqual([]);
});

test('after signing out, the back button does not show the data again', async ({ page }) => {
  await signIn(page);
  await expectDrawn(page, '#overview-doc');
  await page.getByTestId('sign-out').click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goBack();
  await expect(page).toHaveURL(/\/login/);
  await expect(page.locator('#overview-doc')).toHaveCount(0);
  const res = await page.request.get('/viz/documents/overview');
  expect(res.status()).toBe(401);
});

test('viz reached directly without a token is refused', async ({ request }) => {
  const viz = process.env.E2E_VIZ_URL ?? 'http://127.0.0.1:5006';
  const res = await request.get(`${viz}/documents/overview`);
  expect(res.status()).toBe(401);
  expect(await res.json()).toEqual({ message: 'missing token' });
});

test('the password field is never sent back in the page', async ({ page }) => {
  await page.goto('/login');
  await page.fill('#username', USER);
  await page.fill('#password', 'wrong-password-xyz');
  await page.click('button[type=submit]');
  expect(await page.content()).not.toContain('wrong-password-xyz');
  expect(PASSWORD).not.toBe('');
});
