// The Users and Account pages as a person uses them: an administrator creates a user and reads the
// one-time password once, the new user chooses their own at first sign-in, a viewer sees no
// buttons to change things, and deactivation ends a session that is open in another browser.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { signIn } from './support';

/** Creates a user on the Users page (the page must be signed in as an administrator); returns the one-time password. */
async function createUser(page: Page, name: string, role: 'admin' | 'editor' | 'viewer'): Promise<string> {
  await page.goto('/users');
  await page.getByTestId('new-username').fill(name);
  await page.getByTestId('new-role').selectOption(role);
  await page.getByTestId('create-user').click();
  await expect(page.getByTestId('one-time-user')).toHaveText(name);
  const password = (await page.getByTestId('one-time-password-value').textContent())?.trim() ?? '';
  expect(password.length).toBeGreaterThanOrEqual(16);
  return password;
}

/** A fresh browser session signed in as `name` with a password they chose at first sign-in. */
async function firstSignIn(browser: Browser, name: string, oneTime: string, chosen: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto('/login');
  await page.fill('#username', name);
  await page.fill('#password', oneTime);
  await Promise.all([page.waitForURL(/\/account$/), page.click('button[type=submit]')]);
  await expect(page.getByTestId('must-change')).toBeVisible();
  await page.getByTestId('current-password').fill(oneTime);
  await page.getByTestId('new-password').fill(chosen);
  await page.getByTestId('repeat-password').fill(chosen);
  await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.getByTestId('change-password').click()]);
  return page;
}

test('an administrator creates a viewer, who chooses a password at first sign-in and sees no buttons to change things', async ({
  page,
  browser,
}) => {
  const name = `viewer-${Date.now()}`;
  await signIn(page);
  const oneTime = await createUser(page, name, 'viewer');
  await page.goto('/users');
  await expect(page.getByText(oneTime)).toHaveCount(0);
  await expect(page.getByTestId(`status-${name}`)).toHaveText('active · one-time password');
  await page.screenshot({ path: 'reports/screenshots/users.png', fullPage: true });

  const viewer = await firstSignIn(browser, name, oneTime, 'a viewer password 1');
  await expect(viewer.getByTestId('notice')).toContainText('Your password has been changed');
  await expect(viewer.getByTestId('role-badge')).toHaveText('viewer');
  await expect(viewer.getByTestId('nav-users')).toHaveCount(0);
  await viewer.goto('/datasets');
  await expect(viewer.getByTestId('load-iris')).toHaveCount(0);
  await expect(viewer.getByTestId('upload-send')).toHaveCount(0);
  await viewer.screenshot({ path: 'reports/screenshots/datasets-viewer.png', fullPage: true });
  await viewer.goto('/users');
  await expect(viewer.getByText('administrators only')).toBeVisible();
});

test('the Account page refuses a wrong current password and a short new one, then changes the password', async ({
  page,
  browser,
}) => {
  const name = `editor-${Date.now()}`;
  await signIn(page);
  const oneTime = await createUser(page, name, 'editor');
  const editor = await firstSignIn(browser, name, oneTime, 'an editor password 1');
  await editor.getByTestId('nav-account').click();
  await editor.screenshot({ path: 'reports/screenshots/account.png', fullPage: true });
  await editor.getByTestId('current-password').fill('not my password');
  await editor.getByTestId('new-password').fill('another password 2');
  await editor.getByTestId('repeat-password').fill('another password 2');
  await editor.getByTestId('change-password').click();
  await expect(editor.getByTestId('account-error')).toHaveText('the current password is not right');
  // The browser's own check would stop a short password; the server's message is what counts.
  await editor.locator('#password').evaluate((el) => el.removeAttribute('minlength'));
  await editor.locator('#repeat').evaluate((el) => el.removeAttribute('minlength'));
  await editor.getByTestId('current-password').fill('an editor password 1');
  await editor.getByTestId('new-password').fill('short');
  await editor.getByTestId('repeat-password').fill('short');
  await editor.getByTestId('change-password').click();
  await expect(editor.getByTestId('account-error')).toHaveText('a password needs at least 12 characters');
  await editor.getByTestId('current-password').fill('an editor password 1');
  await editor.getByTestId('new-password').fill('another password 2');
  await editor.getByTestId('repeat-password').fill('another password 2');
  await Promise.all([editor.waitForURL((u) => u.pathname === '/'), editor.getByTestId('change-password').click()]);
  await expect(editor.getByTestId('notice')).toContainText('Your password has been changed');
});

test('deactivating a user ends their open session on the next request; a reset gives a new one-time password', async ({
  page,
  browser,
}) => {
  const name = `leaver-${Date.now()}`;
  await signIn(page);
  const oneTime = await createUser(page, name, 'editor');
  const leaver = await firstSignIn(browser, name, oneTime, 'a leaver password 1');
  await leaver.goto('/datasets');

  await page.goto('/users');
  page.once('dialog', (d) => void d.accept());
  await page.getByTestId(`deactivate-${name}`).click();
  await expect(page.getByTestId('notice')).toContainText(`Deactivated ${name}`);
  await expect(page.getByTestId(`status-${name}`)).toHaveText('deactivated');
  await leaver.reload();
  await expect(leaver).toHaveURL(/\/login/);

  await page.getByTestId(`reactivate-${name}`).click();
  await expect(page.getByTestId('notice')).toContainText(`Reactivated ${name}`);
  page.once('dialog', (d) => void d.accept());
  await page.getByTestId(`reset-${name}`).click();
  await expect(page.getByTestId('one-time-user')).toHaveText(name);
  const second = (await page.getByTestId('one-time-password-value').textContent())?.trim() ?? '';
  await firstSignIn(browser, name, second, 'a new leaver password');
});

test('an administrator invites an editor by link; the link, opened in a fresh browser, sets the password, signs in, and works once', async ({
  page,
  browser,
}) => {
  const name = `invited-${Date.now()}`;
  await signIn(page);
  await page.goto('/users');
  await page.getByTestId('new-username').fill(name);
  await page.getByTestId('new-role').selectOption('editor');
  await page.getByTestId('invite-user').click();
  await expect(page.getByTestId('invitation-user')).toHaveText(name);
  const link = (await page.getByTestId('invitation-link-value').textContent())?.trim() ?? '';
  expect(link).toMatch(/\/invitations\/[A-Za-z0-9_-]{43}$/);
  await page.goto('/users');
  await expect(page.getByText(link)).toHaveCount(0);
  await expect(page.getByTestId(`status-${name}`)).toHaveText('invited · not yet accepted');
  await expect(page.locator(`tr[data-invitation="${name}"]`)).toBeVisible();
  await page.screenshot({ path: 'reports/screenshots/users-invitation.png', fullPage: true });

  const invited = await (await browser.newContext()).newPage();
  await invited.goto(link);
  await expect(invited.getByTestId('invitation-user')).toHaveText(name);
  await invited.screenshot({ path: 'reports/screenshots/invitation.png', fullPage: true });
  await invited.getByTestId('invitation-password').fill('an invited password 1');
  await invited.getByTestId('invitation-repeat').fill('an invited password 2');
  await invited.getByTestId('invitation-submit').click();
  await expect(invited.getByTestId('invitation-error')).toHaveText('The two passwords differ.');
  await invited.getByTestId('invitation-password').fill('an invited password 1');
  await invited.getByTestId('invitation-repeat').fill('an invited password 1');
  await Promise.all([invited.waitForURL((u) => u.pathname === '/'), invited.getByTestId('invitation-submit').click()]);
  await expect(invited.getByTestId('notice')).toContainText(`Welcome, ${name}`);
  await expect(invited.getByTestId('role-badge')).toHaveText('editor');

  const again = await (await browser.newContext()).newPage();
  const res = await again.goto(link);
  expect(res?.status()).toBe(410);
  await expect(again.getByTestId('invitation-problem')).toContainText('has been used already');
  await again.screenshot({ path: 'reports/screenshots/invitation-used.png', fullPage: true });
  await page.goto('/users');
  await expect(page.getByTestId(`status-${name}`)).toHaveText('active');
  await expect(page.locator(`tr[data-invitation="${name}"]`)).toHaveCount(0);
});
