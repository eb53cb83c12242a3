import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { bokehClick, bokehTitles, expectDrawn, expectFitsWidth, openTrainPage, pageErrors } from './support';

// Needs serve in the stack: E2E_SERVE_URL (scripts/test.mjs starts it); skipped without.
const SERVE = process.env.E2E_SERVE_URL;

test('publish a model, create a key, call the API with it and watch the monitoring document move', async ({
  page,
  request,
}) => {
  test.skip(!SERVE, 'E2E_SERVE_URL is not set: no serve in this stack');
  const errors = pageErrors(page);
  await openTrainPage(page, 'iris');
  await bokehClick(page, 'train-button');
  await expect(page.getByTestId('job-summary')).toBeVisible({ timeout: 90_000 });
  await page.getByTestId('open-results').click();
  const modelId = new URL(page.url()).searchParams.get('model');
  expect(modelId).toMatch(/^\d+$/);

  // Publish from the model's page.
  await page.goto(`/models/${modelId}`);
  await expectFitsWidth(page);
  await page.getByTestId('publish-form').locator('input[name=name]').fill('iris-e2e');
  await page.getByTestId('publish-form').locator('button[type=submit]').click();
  await expect(page).toHaveURL(/\/published$/);
  await expect(page.getByTestId('history-iris-e2e')).toContainText('publish');

  // Create a key (shown once).
  await page.goto('/api-keys');
  await page.fill('#label', 'e2e');
  await page.selectOption('#scope', 'iris-e2e');
  await page.locator('form[action="/api-keys"] button[type=submit]').click();
  const key = (await page.getByTestId('new-key-value').textContent())?.trim() ?? '';
  expect(key).toMatch(/^ek_/);

  // The API documentation's example request for the name, with real values filled in.
  const doc = await (await request.get(`${SERVE}/docs/json`)).json();
  let example: { observation: Record<string, number> } | undefined;
  await expect
    .poll(
      async () => {
        const d = await (await request.get(`${SERVE}/docs/json`)).json();
        example =
          d.paths['/v1/models/{name}/predict'].post.requestBody.content['application/json'].examples?.['iris-e2e']
            ?.value;
        return example !== undefined;
      },
      { timeout: 10_000 },
    )
    .toBe(true);
  expect(doc.openapi).toMatch(/^3\./);
  // The example is one of the model's training rows (Iris measurements are all positive), not zeros.
  expect(Object.keys(example?.observation ?? {}).sort()).toEqual([
    'petal_length',
    'petal_width',
    'sepal_length',
    'sepal_width',
  ]);
  expect(Object.values(example?.observation ?? {}).every((v) => typeof v === 'number' && v > 0)).toBe(true);
  const observation = {
    ...(example?.observation ?? {}),
    sepal_length: 6.3,
    sepal_width: 2.9,
    petal_length: 5.6,
    petal_width: 1.8,
  };
  const send = async (from: number, n: number, explain = false) => {
    for (let i = from; i < from + n; i++) {
      const res = await request.post(`${SERVE}/v1/models/iris-e2e/predict`, {
        headers: { authorization: `Bearer ${key}` },
        data: { id: `e2e-${i}`, observation, ...(explain ? { explain: true } : {}) },
      });
      expect(res.status()).toBe(200);
      const body = await res.json();
      expect(body.model).toEqual({ name: 'iris-e2e', version: 1 });
      if (explain)
        expect(Object.keys(body.contributions ?? {}).sort()).toEqual([
          'petal_length',
          'petal_width',
          'sepal_length',
          'sepal_width',
        ]);
      if (i % 2 === 0)
        expect(
          (
            await request.post(`${SERVE}/v1/models/iris-e2e/outcomes`, {
              headers: { authorization: `Bearer ${key}` },
              data: { id: `e2e-${i}`, outcome: 'virginica' },
            })
          ).status(),
        ).toBe(200);
    }
  };
  await expect
    .poll(
      async () =>
        (
          await request.post(`${SERVE}/v1/models/iris-e2e/predict`, {
            headers: { authorization: `Bearer ${key}` },
            data: { id: 'probe', observation },
          })
        ).status(),
      { timeout: 10_000 },
    )
    .toBe(200);
  await send(0, 10);

  await page.goto('/published');
  // Its own card's link: another spec in the same stack (newcomer) publishes a name too.
  await page.locator('section[data-name="iris-e2e"]').getByRole('link', { name: 'Monitoring' }).click();
  await expectDrawn(page, '#monitoring-doc');
  await expect(page.locator('#monitoring-doc')).toContainText('11 predictions');
  await expect(page.locator('#monitoring-doc')).toContainText('5 with outcomes');
  // no prediction was explained yet: the page says how to get live importance
  await expect(page.getByTestId('importance-none')).toContainText('call the API with "explain": true');
  // the next ten are explained: their mean |contribution| shows beside the training-time importance
  await send(10, 10, true);
  await page.reload();
  await expectDrawn(page, '#monitoring-doc');
  await expect(page.locator('#monitoring-doc')).toContainText('21 predictions');
  await expect(page.locator('#monitoring-doc')).toContainText('10 with outcomes');
  await expect(page.getByTestId('importance-rows')).toContainText('the 10 explained predictions in this window');
  expect(await bokehTitles(page)).toContain('Global importance: training-time (grey, ');
  await expectFitsWidth(page);
  await page.screenshot({ path: 'reports/screenshots/monitoring-iris.png', fullPage: true });

  // The Predictions page: filter to the ones with outcomes, then export them as CSV.
  await page.goto('/predictions');
  await page.selectOption('#name', 'iris-e2e');
  await page.selectOption('#outcome', 'with');
  await page.getByTestId('prediction-filter').locator('button[type=submit]').click();
  await expect(page).toHaveURL(/outcome=with/);
  await expect(page.getByTestId('predictions').locator('tbody tr')).toHaveCount(10);
  await expect(page.getByTestId('export-csv')).toContainText('(10)');
  await expectFitsWidth(page);
  await page.screenshot({ path: 'reports/screenshots/predictions.png', fullPage: true });
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  expect(download.suggestedFilename()).toBe('predictions-iris-e2e.csv');
  const csv = (await readFile(await download.path(), 'utf8')).trim().split('\n');
  expect(csv[0]).toMatch(/^row_id,model_name,version/);
  expect(csv).toHaveLength(11);
  expect(csv.slice(1).every((l) => l.includes(',iris-e2e,') && l.includes('virginica'))).toBe(true);

  await page.goto('/published');
  await page.screenshot({ path: 'reports/screenshots/published.png', fullPage: true });
  await page.goto('/api-keys');
  await expect(page.getByTestId('new-key-value')).toHaveCount(0);
  await page.screenshot({ path: 'reports/screenshots/api-keys.png', fullPage: true });
  // serve's API documentation (Swagger UI over the OpenAPI document).
  await page.goto(`${SERVE}/docs`);
  await expect(page.getByText('/v1/models/{name}/predict').first()).toBeVisible({ timeout: 15_000 });
  await page.screenshot({ path: 'reports/screenshots/serve-docs.png', fullPage: true });
  expect(errors).toEqual([]);
});
