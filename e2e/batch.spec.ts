import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { bokehClick, expectFitsWidth, openTrainPage, pageErrors } from './support';

// Needs serve in the stack: E2E_SERVE_URL (scripts/test.mjs starts it); skipped without.
const SERVE = process.env.E2E_SERVE_URL;
const SHOTS = process.env.E2E_SHOTS_DIR;

test("batch-score a CSV from a published name's page and download it", async ({ page }) => {
  test.skip(!SERVE, 'E2E_SERVE_URL is not set: no serve in this stack');
  // Training on a loaded machine takes most of the default minute.
  test.setTimeout(240_000);
  const errors = pageErrors(page);
  await openTrainPage(page, 'iris');
  await bokehClick(page, 'train-button');
  await expect(page.getByTestId('job-summary')).toBeVisible({ timeout: 90_000 });
  await page.getByTestId('open-results').click();
  const modelId = new URL(page.url()).searchParams.get('model');
  await page.goto(`/models/${modelId}`);
  await page.getByTestId('publish-form').locator('input[name=name]').fill('iris-batch');
  await page.getByTestId('publish-form').locator('button[type=submit]').click();
  await expect(page).toHaveURL(/\/published$/);

  // The model's page offers it too, through the name it is live as.
  await page.goto(`/models/${modelId}`);
  await expect(page.getByTestId('batch-scoring')).toContainText('iris-batch');

  await page.goto('/published/iris-batch/monitor');
  await expectFitsWidth(page);
  const csv =
    [
      'flower,sepal_length,sepal_width,petal_length,petal_width,note',
      'f1,5.1,3.5,1.4,0.2,small',
      'f2,6.3,2.9,5.6,1.8,"large, dark"',
      'f3,wide,3.0,4.5,1.5,bad',
      'f4,5.9,3.0,4.2,1.5,',
    ].join('\n') + '\n';
  await page
    .locator('#batch-file')
    .setInputFiles({ name: 'flowers.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(page.locator('#batch-id-column option')).toHaveCount(7);
  await page.locator('#batch-id-column').selectOption('flower');
  await page.getByTestId('batch-send').click();
  await expect(page.getByTestId('batch-status')).toContainText('Done: 4 rows, 1 with an error', { timeout: 30_000 });
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/batch-done.png`, fullPage: true });
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('batch-download').click()]);
  expect(download.suggestedFilename()).toBe('flowers-scored-iris-batch.csv');
  const lines = (await readFile((await download.path()) ?? '', 'utf8')).trimEnd().split('\n');
  expect(lines[0]).toBe(
    'flower,sepal_length,sepal_width,petal_length,petal_width,note,prediction,probability_setosa,probability_versicolor,probability_virginica,error',
  );
  expect(lines).toHaveLength(5);
  expect(lines[1]).toMatch(/^f1,5\.1,3\.5,1\.4,0\.2,small,setosa,0\.[5-9]\d*,[0-9.e-]+,[0-9.e-]+,$/);
  expect(lines[2]).toMatch(/^f2,6\.3,2\.9,5\.6,1\.8,"large, dark",virginica,[0-9.e-]+,[0-9.e-]+,[0-9.e-]+,$/);
  expect(lines[3]).toBe('f3,wide,3.0,4.5,1.5,bad,,,,,"line 4: column ""sepal_length"": ""wide"" is not a number"');
  expect(lines[4]).toMatch(/^f4,5\.9,3\.0,4\.2,1\.5,,\w+,[0-9.e-]+,[0-9.e-]+,[0-9.e-]+,$/);
  expect(errors).toEqual([]);
});
