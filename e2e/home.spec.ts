// The landing page as a getting-started path: a newcomer sees what to do next, a viewer sees the
// read-only variant, and someone who has loaded, explored, trained, published and called a model
// sees every step done with their model and name listed, and the datasets by size.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { expectDrawn, expectFitsWidth, pageErrors, signIn, useToy } from './support';

const SERVE = process.env.E2E_SERVE_URL;

/** An administrator creates a user; the user signs in in a fresh browser and chooses a password. */
async function newUser(admin: Page, browser: Browser, name: string, role: 'editor' | 'viewer'): Promise<Page> {
  await admin.goto('/users');
  await admin.getByTestId('new-username').fill(name);
  await admin.getByTestId('new-role').selectOption(role);
  await admin.getByTestId('create-user').click();
  const oneTime = (await admin.getByTestId('one-time-password-value').textContent())?.trim() ?? '';
  const page = await (await browser.newContext()).newPage();
  await page.goto('/login');
  await page.fill('#username', name);
  await page.fill('#password', oneTime);
  await Promise.all([page.waitForURL(/\/account$/), page.click('button[type=submit]')]);
  await page.getByTestId('current-password').fill(oneTime);
  await page.getByTestId('new-password').fill(`${name} chose this`);
  await page.getByTestId('repeat-password').fill(`${name} chose this`);
  await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.getByTestId('change-password').click()]);
  return page;
}

const state = (page: Page, key: string) => page.getByTestId(`step-${key}`).getAttribute('data-state');

test('a new editor sees the path with the next step to take, and a viewer the read-only variant without uploading', async ({
  page,
  browser,
}) => {
  await signIn(page);
  const editor = await newUser(page, browser, `newcomer-${Date.now()}`, 'editor');
  const errors = pageErrors(editor, { console: true });
  await editor.goto('/');
  await expect(editor.getByTestId('getting-started')).toBeVisible();
  for (const key of ['load', 'explore', 'train', 'publish', 'call'])
    await expect(editor.getByTestId(`step-${key}`)).toBeVisible();
  // Nothing of this person's yet: no current dataset, no model, no name, no call.
  for (const key of ['explore', 'train', 'publish', 'call']) expect(await state(editor, key)).not.toBe('done');
  await expect(editor.locator('[data-state="next"]')).toHaveCount(1);
  const next = await editor.locator('[data-state="next"]').getAttribute('data-testid');
  expect(['step-load', 'step-explore']).toContain(next);
  await expect(editor.getByTestId('step-action')).toBeVisible();
  await expectDrawn(editor, '#overview-doc');
  await expect(editor.locator('#overview-doc')).not.toContainText('schema_migrations');
  await expect(editor.locator('#overview-doc')).not.toContainText('rate_windows');
  await expectFitsWidth(editor);
  await editor.screenshot({ path: 'reports/screenshots/home-new-user.png', fullPage: true });
  expect(errors).toEqual([]);

  const viewer = await newUser(page, browser, `onlooker-${Date.now()}`, 'viewer');
  await viewer.goto('/');
  await expect(viewer.getByTestId('step-load')).toHaveCount(0);
  for (const key of ['pick', 'explore', 'results', 'published', 'predictions'])
    await expect(viewer.getByTestId(`step-${key}`)).toBeVisible();
  await expect(viewer.getByTestId('getting-started')).not.toContainText('upload a CSV');
  await expectFitsWidth(viewer);
  await viewer.screenshot({ path: 'reports/screenshots/home-viewer.png', fullPage: true });
});

// The steps before the Overview are each tested through their own pages elsewhere (useToy here;
// training in train.spec, publishing and keys in serving.spec and newcomer.spec): this test takes
// them the quickest way a person or a program can (one grid point of logistic regression on Iris
// through the Train page's own JSON API, the model page's publish form, a key made by the
// administrator, who alone may make keys) and looks at what the Overview says afterwards.
test('someone who has loaded, explored, trained, published and called a model sees every step done', async ({
  page,
  browser,
  request,
}) => {
  test.skip(!SERVE, 'E2E_SERVE_URL is not set: no serve in this stack');
  // five fits of Iris and three scrypt sign-ins: seconds on a quiet machine, more on a shared one
  test.setTimeout(120_000);
  await signIn(page);
  const stamp = Date.now();
  const user = await newUser(page, browser, `finisher-${stamp}`, 'editor');
  const errors = pageErrors(user);
  await useToy(user, 'iris');
  await user.goto('/datasets');
  const dataset = Number(
    /\/datasets\/(\d+)$/.exec(
      (await user.locator('tr[data-toy="iris"] a', { hasText: 'Open' }).getAttribute('href')) ?? '',
    )?.[1],
  );
  expect(dataset).toBeGreaterThan(0);

  const csrf = await user.locator('input[name=_csrf]').first().inputValue();
  const queued = await user.request.post('/api/train', {
    headers: { 'x-csrf-token': csrf, accept: 'application/json' },
    data: {
      dataset,
      model: 'logistic_regression',
      features: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'],
      trainFraction: 0.8,
      ranges: { C: { min: 10.1, max: 10.1 } },
    },
  });
  expect(queued.status()).toBe(202);
  const { job } = (await queued.json()) as { job: number };
  let modelId = 0;
  await expect
    .poll(
      async () => {
        const j = (await (
          await user.request.get(`/api/jobs/${job}`, { headers: { accept: 'application/json' } })
        ).json()) as { status: string; modelId: number | null };
        modelId = j.modelId ?? 0;
        return j.status;
      },
      { timeout: 60_000, intervals: [250] },
    )
    .toBe('done');

  const name = `home-${stamp}`;
  await user.goto(`/models/${modelId}`);
  await user.getByTestId('publish-form').locator('input[name=name]').fill(name);
  await user.getByTestId('publish-form').locator('button[type=submit]').click();
  await expect(user).toHaveURL(/\/published$/);
  await page.goto('/api-keys');
  await page.fill('#label', 'home');
  await page.selectOption('#scope', name);
  await page.locator('form[action="/api-keys"] button[type=submit]').click();
  const key = (await page.getByTestId('new-key-value').textContent())?.trim() ?? '';
  const observation = { sepal_length: 6.3, sepal_width: 2.9, petal_length: 5.6, petal_width: 1.8 };
  await expect
    .poll(
      async () =>
        (
          await request.post(`${SERVE}/v1/models/${name}/predict`, {
            headers: { authorization: `Bearer ${key}` },
            data: { id: `home-${stamp}`, observation },
          })
        ).status(),
      { timeout: 15_000 },
    )
    .toBe(200);

  await user.goto('/');
  for (const k of ['load', 'explore', 'train', 'publish', 'call']) expect(await state(user, k)).toBe('done');
  await expect(user.getByTestId('steps-left')).toHaveText('all done');
  await expect(user.getByTestId('step-publish')).toContainText(`Published as ${name}`);
  await expect(user.getByTestId('step-call')).toContainText('1 prediction served under your names');
  await expect(user.getByTestId('latest-models')).toContainText(`#${modelId} Logistic regression`);
  await expect(user.getByTestId('published-names')).toContainText(name);
  await expectDrawn(user, '#overview-doc');
  await expect(user.locator('#overview-doc')).toContainText('iris');
  await expectFitsWidth(user);
  await user.screenshot({ path: 'reports/screenshots/home-all-done.png', fullPage: true });
  expect(errors).toEqual([]);
});
