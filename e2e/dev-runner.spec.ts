// The Run Tests page, against the development-mode stack that scripts/test.mjs starts next to the
// production one (E2E_DEV_*). Its unit suite is a small real part of ours (TEST_RUN_ARGS_UNIT).
import { expect, test, type Page } from '@playwright/test';
import { signIn } from './support';

const DEV_URL = process.env.E2E_DEV_BASE_URL;
test.skip(!DEV_URL, 'needs the development-mode stack that scripts/test.mjs e2e starts (E2E_DEV_BASE_URL)');
test.use({ baseURL: DEV_URL });

/** The embedded report is as tall as its content: its document has nothing to scroll. */
async function expectNoInnerScrollbar(page: Page): Promise<void> {
  const frame = page.getByTestId('report-frame');
  await expect
    .poll(
      () =>
        frame.evaluate((f: HTMLIFrameElement) => {
          const doc = f.contentDocument;
          if (!doc || doc.readyState !== 'complete' || !doc.body) return Number.POSITIVE_INFINITY;
          const el = doc.scrollingElement ?? doc.documentElement;
          return el.scrollHeight - el.clientHeight;
        }),
      { timeout: 10_000 },
    )
    .toBeLessThanOrEqual(1);
}

function frameHeight(page: Page): Promise<number> {
  return page.getByTestId('report-frame').evaluate((f: HTMLIFrameElement) => f.getBoundingClientRect().height);
}

test('an administrator runs the unit suite from the page, watches it, and reads its reports', async ({ page }) => {
  test.setTimeout(150_000);
  await signIn(page, process.env.E2E_DEV_USER, process.env.E2E_DEV_PASSWORD);
  await page.getByTestId('nav-dev-tests').click();
  await expect(page.getByRole('heading', { name: 'Run tests' })).toBeVisible();

  // Run: the page follows the output through an event stream, then shows the finished run.
  const stream = page.waitForResponse((r) => /\/dev\/tests\/runs\/\d+\/events$/.test(r.url()));
  await page.getByTestId('run-unit').click();
  await expect(page).toHaveURL(/\/dev\/tests\/runs\/\d+$/);
  const runId = Number(/runs\/(\d+)$/.exec(page.url())?.[1]);
  const events = await stream;
  expect(events.headers()['content-type']).toMatch(/^text\/event-stream/);
  await expect(page.getByTestId('run-output')).toContainText('scripts/test.mjs unit');
  await expect(page.getByTestId('run-status')).toHaveText('passed', { timeout: 120_000 });
  await expect(page.getByTestId('run-output')).toContainText('config.test.ts');
  await expect(page.getByTestId('run-summary')).toContainText(
    /\d+ passed, 0 failed, [01] skipped · line coverage \d+\.\d %/,
  );

  // The new row in the last-run table and in the history.
  await page.getByTestId('nav-dev-tests').click();
  await expect(page.locator('tr[data-suite=unit]')).toContainText(`#${runId}`);
  await expect(page.locator('tr[data-suite=unit]')).toContainText('passed');
  const row = page.locator(`tr[data-run="${runId}"]`);
  await expect(row).toContainText('Unit');
  await expect(row).toContainText('%');

  // The jest HTML report, embedded without a scrollbar of its own, also after expanding a suite.
  await row.getByRole('link', { name: 'tests' }).click();
  const report = page.frameLocator('[data-testid=report-frame]');
  await expect(report.locator('body')).toContainText('config.test.ts', { timeout: 15_000 });
  await expectNoInnerScrollbar(page);
  const before = await frameHeight(page);
  await report.locator('.ant-table-row-expand-icon').first().click();
  await expect(report.locator('body')).toContainText('reads ports, database settings and secrets');
  await expect.poll(() => frameHeight(page)).toBeGreaterThan(before);
  await expectNoInnerScrollbar(page);
  await page.screenshot({ path: 'reports/screenshots/dev-runner-report.png', fullPage: true });

  // The coverage report, and a file of it opened inside the frame.
  await page.getByTestId('show-coverage').click();
  await expect(report.locator('body')).toContainText('All files');
  await expectNoInnerScrollbar(page);
  await page.screenshot({ path: 'reports/screenshots/dev-runner-coverage.png', fullPage: true });
  await report.getByRole('link', { name: 'config.ts' }).click();
  await expect(report.locator('body')).toContainText('loadConfig');
  await expectNoInnerScrollbar(page);
  expect(await frameHeight(page)).toBeGreaterThan(1000);
});

test('a second start of a running suite is refused with a message', async ({ page }) => {
  await signIn(page, process.env.E2E_DEV_USER, process.env.E2E_DEV_PASSWORD);
  await page.goto('/dev/tests');
  const token = await page.locator('input[name=_csrf]').first().inputValue();
  const first = await page.request.post('/dev/tests/unit/run', {
    headers: { 'x-csrf-token': token, accept: 'application/json' },
  });
  expect(first.status()).toBe(202);
  const second = await page.request.post('/dev/tests/unit/run', {
    headers: { 'x-csrf-token': token, accept: 'application/json' },
  });
  expect(second.status()).toBe(409);
  expect((await second.json()).message).toMatch(/already running/);
  // Cancel from the page.
  await page.goto(`/dev/tests/runs/${(await first.json()).id}`);
  const cancel = page.getByTestId('cancel-run');
  if (await cancel.isVisible()) {
    await cancel.click();
    await expect(page.getByTestId('run-status')).toHaveText(/cancelled|passed/);
  }
});
