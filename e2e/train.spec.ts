import { expect, test } from '@playwright/test';
import {
  bokehClick,
  bokehGet,
  bokehSelect,
  bokehSet,
  bokehTitles,
  expectDrawn,
  openTrainPage,
  pageErrors,
  expectFitsWidth,
} from './support';

test('train logistic regression on Iris, watch the progress, read the results and toggle normalisation', async ({
  page,
}) => {
  const errors = pageErrors(page);
  await openTrainPage(page, 'iris');
  // The seed's linear range of C (the form's default is the log scale).
  await bokehSet(page, 'scale-C', 'value', 'linear');
  await expect(page.getByTestId('fit-count')).toHaveAttribute('data-fits', '55');
  await bokehClick(page, 'train-button');
  // The progress bar shows fits done of total until the summary replaces it.
  await expect(page.locator('#job-running .progress-bar')).toHaveText(/\d+ \/ 55 fits/);
  await expect(page.getByTestId('job-summary')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('best-params')).toHaveText('C = 10.1');
  await expect(page.getByTestId('test-score')).toHaveText('0.9667');
  await expectFitsWidth(page);
  await page.screenshot({ path: 'reports/screenshots/train-iris.png', fullPage: true });
  await page.getByTestId('open-results').click();
  await expectDrawn(page, '#results-doc');
  const titles = await bokehTitles(page);
  expect(titles).toContain('Confusion matrix, test');
  expect(titles).toContain('Confusion matrix, train');
  await expect(page.locator('#results-doc')).toContainText('weighted avg');
  // Normalise: the matrices' cells switch from counts to shares.
  const cellLabels = () =>
    page.evaluate(() => {
      const Bokeh = (
        window as unknown as {
          Bokeh: { documents: { all_models: Set<{ type: string; data?: Record<string, unknown[]> }> }[] };
        }
      ).Bokeh;
      for (const doc of Bokeh.documents)
        for (const m of doc.all_models)
          if (m.type === 'ColumnDataSource' && m.data && 'label' in m.data && 't' in m.data)
            return (m.data.label as string[]).join(',');
      return '';
    });
  expect(await cellLabels()).not.toContain('1.00');
  await page
    .locator('.bk-RadioButtonGroup')
    .first()
    .evaluate((el) => {
      const buttons = el.shadowRoot?.querySelectorAll('.bk-btn') ?? [];
      (buttons[1] as HTMLElement).click();
    });
  await expect.poll(cellLabels).toContain('1.00');
  await expectFitsWidth(page);
  await page.screenshot({ path: 'reports/screenshots/results-iris.png', fullPage: true });
  expect(errors).toEqual([]);
});

test('train ridge on Auto MPG and see the regression plots', async ({ page }) => {
  await openTrainPage(page, 'auto-mpg');
  await bokehSelect(page, 0, 'Ridge');
  await bokehSet(page, 'scale-alpha', 'value', 'linear');
  await expect(page.getByTestId('fit-count')).toHaveAttribute('data-fits', '55');
  await bokehClick(page, 'train-button');
  await expect(page.getByTestId('job-summary')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('open-results').click();
  await expectDrawn(page, '#results-doc');
  const titles = await bokehTitles(page);
  for (const t of ['Residuals (truth − prediction)', 'Residuals against predictions', 'Truth against predictions'])
    expect(titles).toContain(t);
  await expectFitsWidth(page);
  await page.screenshot({ path: 'reports/screenshots/results-auto-mpg.png', fullPage: true });
  await page.goto('/models');
  await expect(page.getByTestId('leaderboard')).toContainText('Ridge');
});

test('cancel a long training job', async ({ page }) => {
  await openTrainPage(page, 'wine');
  await bokehSelect(page, 0, 'Gradient boosting');
  await bokehSet(page, 'scale-learning_rate', 'value', 'linear');
  await expect(page.getByTestId('fit-count')).toHaveAttribute('data-fits', '2000');
  await bokehClick(page, 'train-button');
  await expect(page.getByTestId('job-running')).toBeVisible();
  // The bar moves: the count of fits done grows while we watch.
  const done = async () =>
    Number((await page.locator('#job-running .progress-bar').textContent())?.split(' / ')[0] ?? 0);
  await expect.poll(done, { timeout: 30_000 }).toBeGreaterThan(0);
  const first = await done();
  await expect.poll(done, { timeout: 30_000 }).toBeGreaterThan(first);
  await page.screenshot({ path: 'reports/screenshots/train-running.png', fullPage: true });
  await page.getByTestId('job-cancel').click();
  await expect(page.getByTestId('job-cancelled')).toBeVisible({ timeout: 30_000 });
});

test('train on penguins with its text columns island and sex: the form says what happens to each column, the results state the preprocessing', async ({
  page,
}) => {
  const errors = pageErrors(page);
  await openTrainPage(page, 'penguins');
  const plan = page.getByTestId('column-plan');
  await expect(plan).toContainText('island');
  await expect(plan).toContainText('one-hot over its 3 values');
  await expect(plan).toContainText('sex');
  await expect(plan.locator('tr', { hasText: 'sex' })).toContainText('3.2 %');
  // Imputation per kind: numbers by the median; the plan follows.
  await bokehSelect(page, 1, 'the median');
  await expect(plan).toContainText('missing → the median');
  await expectFitsWidth(page);
  await page.screenshot({ path: 'reports/screenshots/train-penguins-form.png', fullPage: true });
  await bokehClick(page, 'train-button');
  await expect(page.getByTestId('job-summary')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('test-score')).toHaveText(/^(0\.9|1)/);
  await page.getByTestId('open-results').click();
  await expectDrawn(page, '#results-doc');
  const pre = page.getByTestId('preprocessing');
  await expect(pre).toContainText('island');
  await expect(pre.locator('tr', { hasText: 'sex' })).toContainText('categorical');
  await expect(page.locator('#results-doc')).toContainText('imputed with the median');
  await expectFitsWidth(page);
  await page.screenshot({ path: 'reports/screenshots/results-penguins.png', fullPage: true });
  expect(errors).toEqual([]);
});

test('train histogram gradient boosting on Iris: listed with the other models, trained, on the leaderboard', async ({
  page,
}) => {
  test.setTimeout(480_000);
  const errors = pageErrors(page);
  await openTrainPage(page, 'iris');
  await bokehSelect(page, 0, 'Histogram gradient boosting');
  // the seed's linear learning rates (the form's default is the log scale): 10 × 4 leaf budgets, 5 folds each
  await bokehSet(page, 'scale-learning_rate', 'value', 'linear');
  await expect(page.getByTestId('fit-count')).toHaveAttribute('data-fits', '200');
  await page.screenshot({ path: 'reports/screenshots/train-hgb-form.png', fullPage: true });
  await bokehClick(page, 'train-button');
  await expect(page.getByTestId('job-summary')).toBeVisible({ timeout: 420_000 });
  await expect(page.getByTestId('best-params')).toContainText('max_leaf_nodes');
  await expectFitsWidth(page);
  await page.screenshot({ path: 'reports/screenshots/train-hgb-iris.png', fullPage: true });
  await page.goto('/models');
  await expect(page.getByTestId('leaderboard')).toContainText('Histogram gradient boosting');
  expect(errors).toEqual([]);
});

test('a cancelled job offers Retry, which runs the same job again', async ({ page }) => {
  test.setTimeout(120_000);
  await openTrainPage(page, 'wine');
  await bokehSelect(page, 0, 'Gradient boosting');
  await bokehSet(page, 'scale-learning_rate', 'value', 'linear');
  await expect(page.getByTestId('fit-count')).toHaveAttribute('data-fits', '2000');
  await bokehClick(page, 'train-button');
  await expect(page.locator('#job-running .progress-bar')).toHaveText(/\d+ \/ 2000 fits/);
  await page.getByTestId('job-cancel').click();
  await expect(page.getByTestId('job-cancelled')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('job-retry')).toBeVisible();
  await page.screenshot({ path: 'reports/screenshots/train-retry.png', fullPage: true });
  await page.getByTestId('job-retry').click();
  // a new job with the same 2,000 fits runs; the cancelled one stays as it was
  await expect(page.getByTestId('job-running')).toBeVisible();
  await expect(page.locator('#job-running .progress-bar')).toHaveText(/\d+ \/ 2000 fits/);
  await expect(page.getByTestId('job-cancelled')).toBeHidden();
  await page.screenshot({ path: 'reports/screenshots/train-retried.png', fullPage: true });
  await page.getByTestId('job-cancel').click();
  await expect(page.getByTestId('job-cancelled')).toBeVisible({ timeout: 30_000 });
});

test('regularisation is searched on a log scale by default, and the grid trained is the one the form lists', async ({
  page,
}) => {
  const errors = pageErrors(page);
  await openTrainPage(page, 'iris');
  const grid = page.getByTestId('grid-values');
  await expect(page.getByTestId('fit-count')).toHaveAttribute('data-fits', '35');
  await expect(grid).toHaveText('C: 0.001, 0.01, 0.1, 1, 10, 100, 1000');
  await bokehSet(page, 'scale-C', 'value', 'log2');
  await expect(grid).toHaveText('C: 0.001, 0.00316, 0.01, 0.0316, 0.1, 0.316, 1, 3.16, 10, 31.6, 100, 316, 1000');
  await expect(page.getByTestId('fit-count')).toHaveAttribute('data-fits', '65');
  // Narrow the log range to 0.01 … 10 (powers of ten −2 … 1).
  await bokehSet(page, 'log-range-C', 'value', [-2, 1]);
  await expect(grid).toHaveText('C: 0.01, 0.0316, 0.1, 0.316, 1, 3.16, 10');
  await expectFitsWidth(page);
  await page.screenshot({ path: 'reports/screenshots/train-log-scale.png', fullPage: true });
  const shown = JSON.parse((await grid.getAttribute('data-grid')) ?? '{}') as Record<string, number[]>;
  const [posted] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/api/train' && r.request().method() === 'POST'),
    bokehClick(page, 'train-button'),
  ]);
  expect(posted.status()).toBe(202);
  const job = await (
    await page.request.get(`/api/jobs/${(await posted.json()).job}`, { headers: { accept: 'application/json' } })
  ).json();
  expect(job.spec.grid).toEqual(shown);
  expect(job.spec.grid.C).toEqual([0.01, 0.0316, 0.1, 0.316, 1, 3.16, 10]);
  await expect(page.getByTestId('job-summary')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('best-params')).toHaveText(/^C = (0\.01|0\.0316|0\.1|0\.316|1|3\.16|10)$/);
  expect(errors).toEqual([]);
});

test('leaving Train while a job runs and coming back shows its model, grid, columns and preprocessing in the form, with its progress', async ({
  page,
}) => {
  const errors = pageErrors(page);
  await openTrainPage(page, 'wine');
  await bokehSelect(page, 0, 'Gradient boosting');
  await bokehSet(page, 'scale-learning_rate', 'value', 'log2');
  await bokehSet(page, 'numeric-strategy', 'value', 'median');
  await bokehSet(page, 'features', 'active', [0, 1, 2, 3, 4, 5]);
  const fits = await page.getByTestId('fit-count').getAttribute('data-fits');
  const gridShown = await page.getByTestId('grid-values').textContent();
  await bokehClick(page, 'train-button');
  await expect(page.getByTestId('job-running')).toBeVisible();
  // Away and back: the form is rebuilt from scratch, then filled with the running job's settings.
  await page.goto('/datasets');
  await page.goto('/train');
  await expect(page.getByTestId('job-running')).toBeVisible();
  await expect.poll(() => bokehGet(page, 'model', 'value')).toBe('gradient_boosting_classifier');
  await expect(page.getByTestId('fit-count')).toHaveAttribute('data-fits', fits ?? '');
  await expect(page.getByTestId('grid-values')).toHaveText(gridShown ?? '');
  expect(await bokehGet(page, 'scale-learning_rate', 'value')).toBe('log2');
  expect(await bokehGet(page, 'numeric-strategy', 'value')).toBe('median');
  expect(await bokehGet(page, 'features', 'active')).toEqual([0, 1, 2, 3, 4, 5]);
  const settings = page.getByTestId('job-settings');
  await expect(settings).toContainText('This job: Gradient boosting');
  await expect(settings.getByTestId('job-grid')).toContainText(
    'learning_rate (log, 2 per decade): 0.001, 0.00316, 0.01, 0.0316, 0.1, 0.316, 1',
  );
  await expect(settings.getByTestId('job-columns')).toContainText('6 columns');
  await expect(settings).toContainText('numbers: median');
  await expect(page.locator('#job-running .progress-bar')).toHaveText(new RegExp(`\\d+ / ${fits} fits`));
  await expectFitsWidth(page);
  await page.screenshot({ path: 'reports/screenshots/train-running-job-restored.png', fullPage: true });
  await page.getByTestId('job-cancel').click();
  await expect(page.getByTestId('job-cancelled')).toBeVisible({ timeout: 30_000 });
  expect(errors).toEqual([]);
});

test('random search beside grid search: twelve candidates drawn from the search space, trained and shown with the job', async ({
  page,
}) => {
  const errors = pageErrors(page);
  await openTrainPage(page, 'iris');
  await page.getByTestId('search-random').check();
  await page.getByTestId('search-candidates').fill('12');
  await expect(page.getByTestId('search-note')).toHaveText(
    '12 candidates × 5 folds = 60 fits; the ranges in the form are not used.',
  );
  const [posted] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/api/train' && r.request().method() === 'POST'),
    bokehClick(page, 'train-button'),
  ]);
  expect(posted.status()).toBe(202);
  expect((await posted.json()).fits).toBe(60);
  const job = await (
    await page.request.get(`/api/jobs/${(await posted.json()).job}`, { headers: { accept: 'application/json' } })
  ).json();
  expect(job.spec.search).toEqual({ kind: 'random', candidates: 12, seed: 214 });
  expect(job.spec.candidates).toHaveLength(12);
  await expect(page.getByTestId('job-search')).toContainText('Random search: 12 candidates');
  await expect(page.getByTestId('job-summary')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('best-params')).toBeVisible();
  await expectFitsWidth(page);
  await page.screenshot({ path: 'reports/screenshots/train-random-search.png', fullPage: true });
  expect(errors).toEqual([]);
});
