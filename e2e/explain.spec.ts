import { expect, test } from '@playwright/test';
import { bokehClick, bokehSelect, bokehTitles, expectDrawn, openTrainPage, pageErrors } from './support';

test('explain a penguins model: the document draws, a test row is explained, and the what-if form changes the prediction', async ({
  page,
}) => {
  test.setTimeout(150_000);
  await openTrainPage(page, 'penguins');
  // counted once signed in (the sign-in helper's first try may answer 401)
  const errors = pageErrors(page, { console: true });
  await bokehClick(page, 'train-button');
  await expect(page.getByTestId('job-summary')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('open-results').click();
  await page.getByTestId('open-explain').click();
  await expect(page).toHaveURL(/\/explain\?model=\d+/);
  await expectDrawn(page, '#explain-doc');
  const titles = await bokehTitles(page);
  for (const t of [
    'Global importance',
    'Summary: each test row',
    'Dependence: ',
    'Partial dependence of the probability of class',
  ])
    expect(titles).toContain(t);
  await expect(page.getByTestId('explain-sample')).toContainText(/The global plots use \d+ of the \d+ test rows/);
  // The dependence and PDP selects switch columns.
  await bokehSelect(page, 1, 'island');
  await expect(page.getByTestId('pdp-note')).toContainText('Categories on x');

  // Row 0's waterfall: base, one step per column, the output.
  const whatif = page.getByTestId('whatif');
  await expect(whatif.getByTestId('waterfall-base')).toBeVisible();
  const steps = await whatif.getByTestId('waterfall-step').count();
  expect(steps).toBeGreaterThan(3);
  await expect(whatif.getByTestId('whatif-form').locator('[data-column]')).toHaveCount(steps);
  // Another row by index, then by a searched value.
  await page.getByTestId('row-index').fill('5');
  await page.getByTestId('row-pick').getByRole('button', { name: 'Show' }).click();
  await expect(whatif.getByTestId('whatif-prediction')).toContainText('test row 5');
  await page.getByTestId('find-text').fill('Dream');
  await page.getByTestId('row-find').getByRole('button', { name: 'Find' }).click();
  await page.getByTestId('find-hit').first().click();
  await expect(whatif.locator('select[data-column="island"]')).toHaveValue('Dream');

  // Change one feature: the prediction's probability and the waterfall change, within a round trip.
  const predicted = whatif.getByTestId('whatif-prediction');
  const before = await predicted.textContent();
  const flipper = whatif.locator('input[data-column="flipper_length_mm"]');
  const latencies: number[] = [];
  for (const v of ['175', '185', '195', '205', '215', '225', '230', '200', '190', '180']) {
    const answered = page.waitForResponse(
      (r) => r.url().includes('/viz/documents/explain-row') && r.url().includes('values='),
    );
    await flipper.fill(v);
    await answered;
    await expect(whatif.getByTestId('whatif-waterfall')).toContainText(v);
    latencies.push(Number(await whatif.getByTestId('whatif-latency').getAttribute('data-ms')));
  }
  await expect(predicted).toContainText('edited');
  expect(await predicted.textContent()).not.toBe(before);
  // A Gentoo's measurements on Biscoe, then an Adelie's on Torgersen with sex blank: the class follows.
  const set = async (values: Record<string, string>) => {
    for (const [k, v] of Object.entries(values)) {
      const field = whatif.locator(`[data-column="${k}"]`);
      if (!(await field.count())) continue;
      if (await field.evaluate((e) => e.tagName === 'SELECT')) await field.selectOption(v);
      else await field.fill(v);
    }
  };
  await set({
    island: 'Biscoe',
    bill_length_mm: '47',
    bill_depth_mm: '14.5',
    flipper_length_mm: '217',
    body_mass_g: '5000',
    sex: 'female',
  });
  await expect(whatif.getByTestId('whatif-predicted')).toHaveAttribute('data-value', 'Gentoo');
  await set({
    island: 'Torgersen',
    bill_length_mm: '38',
    bill_depth_mm: '19',
    flipper_length_mm: '185',
    body_mass_g: '3600',
    sex: '',
  });
  await expect(whatif.getByTestId('whatif-predicted')).toHaveAttribute('data-value', 'Adelie');
  await expect(whatif.getByTestId('whatif-error')).toBeHidden();
  console.log(
    `what-if round trips (ms, browser → web → viz → browser, drawn): ${JSON.stringify(latencies)}; median ${[...latencies].sort((a, b) => a - b)[5]}, max ${Math.max(...latencies)}`,
  );
  await page.screenshot({ path: 'reports/screenshots/explain-penguins.png', fullPage: true });
  await whatif.screenshot({ path: 'reports/screenshots/explain-whatif.png' });
  expect(errors).toEqual([]);
});
