import { expect, test } from '@playwright/test';
import { bokehClick, bokehSelect, bokehTitles, expectDrawn, openTrainPage, pageErrors, expectFitsWidth } from './support';

test('train logistic regression on Iris, watch the progress, read the results and toggle normalisation', async ({ page }) => {
  const errors = pageErrors(page);
  await openTrainPage(page, 'iris');
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
  const cellLabels = () => page.evaluate(() => {
    const Bokeh = (window as unknown as { Bokeh: { documents: { all_models: Set<{ type: string; data?: Record<string, unknown[]> }> }[] } }).Bokeh;
    for (const doc of Bokeh.documents) for (const m of doc.all_models) if (m.type === 'ColumnDataSource' && m.data && 'label' in m.data && 't' in m.data) return (m.data.label as string[]).join(',');
    return '';
  });
  expect(await cellLabels()).not.toContain('1.00');
  await page.locator('.bk-RadioButtonGroup').first().evaluate((el) => {
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
  await expect(page.getByTestId('fit-count')).toHaveAttribute('data-fits', '55');
  await bokehClick(page, 'train-button');
  await expect(page.getByTestId('job-summary')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('open-results').click();
  await expectDrawn(page, '#results-doc');
  const titles = await bokehTitles(page);
  for (const t of ['Residuals (truth − prediction)', 'Residuals against predictions', 'Truth against predictions']) expect(titles).toContain(t);
  await expectFitsWidth(page);
  await page.screenshot({ path: 'reports/screenshots/results-auto-mpg.png', fullPage: true });
  await page.goto('/models');
  await expect(page.getByTestId('leaderboard')).toContainText('Ridge');
});

test('cancel a long training job', async ({ page }) => {
  await openTrainPage(page, 'wine');
  await bokehSelect(page, 0, 'Gradient boosting');
  await expect(page.getByTestId('fit-count')).toHaveAttribute('data-fits', '2000');
  await bokehClick(page, 'train-button');
  await expect(page.getByTestId('job-running')).toBeVisible();
  // The bar moves: the count of fits done grows while we watch.
  const done = async () => Number((await page.locator('#job-running .progress-bar').textContent())?.split(' / ')[0] ?? 0);
  await expect.poll(done, { timeout: 30_000 }).toBeGreaterThan(0);
  const first = await done();
  await expect.poll(done, { timeout: 30_000 }).toBeGreaterThan(first);
  await page.screenshot({ path: 'reports/screenshots/train-running.png', fullPage: true });
  await page.getByTestId('job-cancel').click();
  await expect(page.getByTestId('job-cancelled')).toBeVisible({ timeout: 30_000 });
});

test('train on penguins with its text columns island and sex: the form says what happens to each column, the results state the preprocessing', async ({ page }) => {
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

test('train histogram gradient boosting on Iris: listed with the other models, trained, on the leaderboard', async ({ page }) => {
  test.setTimeout(480_000);
  const errors = pageErrors(page);
  await openTrainPage(page, 'iris');
  await bokehSelect(page, 0, 'Histogram gradient boosting');
  // 10 learning rates × 4 leaf budgets, 5 folds each
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
