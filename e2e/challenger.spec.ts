import { expect, test } from '@playwright/test';
import { bokehClick, bokehSelect, expectDrawn, expectFitsWidth, openTrainPage, pageErrors } from './support';

// Needs serve in the stack: E2E_SERVE_URL (scripts/test.mjs starts it); skipped without.
const SERVE = process.env.E2E_SERVE_URL;
const NAME = 'iris-challenger';

test('set a challenger, compare it with the champion on the monitoring page and promote it', async ({
  page,
  request,
}) => {
  test.skip(!SERVE, 'E2E_SERVE_URL is not set: no serve in this stack');
  test.setTimeout(600_000);
  const errors = pageErrors(page);
  const train = async (estimator: string | null): Promise<string> => {
    if (estimator) {
      // The same dataset version (a reload would make it another): back to its Train page.
      await page.goto('/train');
      await expect(page.getByTestId('fit-count')).toBeVisible();
      await bokehSelect(page, 0, estimator);
    } else {
      await openTrainPage(page, 'iris');
    }
    await bokehClick(page, 'train-button');
    await expect(page.getByTestId('job-summary')).toBeVisible({ timeout: 90_000 });
    await page.getByTestId('open-results').click();
    return new URL(page.url()).searchParams.get('model') ?? '';
  };
  const champion = await train(null);
  const challenger = await train('Gaussian naive Bayes');
  expect(champion).toMatch(/^\d+$/);
  expect(challenger).toMatch(/^\d+$/);

  await page.goto(`/models/${champion}`);
  await page.getByTestId('publish-form').locator('input[name=name]').fill(NAME);
  await page.getByTestId('publish-form').locator('button[type=submit]').click();
  await expect(page).toHaveURL(/\/published$/);

  // The challenger, from the name's card on the Published page.
  const card = page.locator(`section[data-name="${NAME}"]`);
  await card.getByTestId(`set-challenger-${NAME}`).locator('input[name=model]').fill(challenger);
  await card.getByTestId(`set-challenger-${NAME}`).locator('button[type=submit]').click();
  await expect(card.getByTestId('challenger-model')).toHaveText(`model #${challenger}`);
  await expectFitsWidth(page);
  await page.screenshot({ path: 'reports/screenshots/published-challenger.png', fullPage: true });

  await page.goto('/api-keys');
  await page.fill('#label', 'challenger-e2e');
  await page.selectOption('#scope', NAME);
  await page.locator('form[action="/api-keys"] button[type=submit]').click();
  const key = (await page.getByTestId('new-key-value').textContent())?.trim() ?? '';
  const auth = { authorization: `Bearer ${key}` };
  // Rows that the two models may disagree on (versicolor/virginica borders), with their true species.
  const rows: [Record<string, number>, string][] = [
    [{ sepal_length: 6.3, sepal_width: 2.9, petal_length: 5.6, petal_width: 1.8 }, 'virginica'],
    [{ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }, 'setosa'],
    [{ sepal_length: 6.0, sepal_width: 2.2, petal_length: 5.0, petal_width: 1.5 }, 'virginica'],
    [{ sepal_length: 6.7, sepal_width: 3.0, petal_length: 5.0, petal_width: 1.7 }, 'versicolor'],
    [{ sepal_length: 5.9, sepal_width: 3.2, petal_length: 4.8, petal_width: 1.8 }, 'versicolor'],
  ];
  // serve follows the challenger within its poll: wait until a request is logged twice (the page shows it).
  await expect
    .poll(
      async () =>
        (
          await request.post(`${SERVE}/v1/models/${NAME}/predict`, {
            headers: auth,
            data: { id: 'probe', observation: rows[0][0] },
          })
        ).status(),
      { timeout: 10_000 },
    )
    .toBe(200);
  for (let i = 0; i < 30; i++) {
    const [observation, outcome] = rows[i % rows.length];
    const res = await request.post(`${SERVE}/v1/models/${NAME}/predict`, {
      headers: auth,
      data: { id: `cc-${i}`, observation },
    });
    expect(res.status()).toBe(200);
    expect((await res.json()).model).toEqual({ name: NAME, version: 1 });
    expect(
      (
        await request.post(`${SERVE}/v1/models/${NAME}/outcomes`, { headers: auth, data: { id: `cc-${i}`, outcome } })
      ).status(),
    ).toBe(200);
  }

  await page.goto('/published');
  await card.getByRole('link', { name: 'Monitoring' }).click();
  await expect(page.getByTestId('challenger-bar')).toContainText(`model #${challenger}`);
  await expectDrawn(page, '#monitoring-doc');
  await expect(page.getByTestId('challenger-comparison')).toContainText('paired bootstrap');
  // Every request after the challenger was set is compared (the probe has no outcome).
  await expect(page.getByTestId('challenger-pairs')).toHaveText('30');
  await expect(page.getByTestId('challenger-comparison').locator('tr[data-metric="accuracy"]')).toBeVisible();
  await expectFitsWidth(page);
  await page.screenshot({ path: 'reports/screenshots/monitoring-challenger.png', fullPage: true });

  await page.getByTestId('promote').click();
  await expect(page).toHaveURL(new RegExp(`/published/${NAME}/monitor$`));
  await expect(page.getByTestId('challenger-bar')).toContainText(`model #${champion}`);
  // serve switches without a restart: the former challenger answers as version 2.
  await expect
    .poll(
      async () => {
        const res = await request.post(`${SERVE}/v1/models/${NAME}/predict`, {
          headers: auth,
          data: { id: `after-${Date.now()}`, observation: rows[0][0] },
        });
        return (await res.json()).model?.version;
      },
      { timeout: 10_000 },
    )
    .toBe(2);
  await page.goto('/published');
  await expect(page.getByTestId(`history-${NAME}`)).toContainText('promote');

  // Retrain on the logged outcomes, from the name's monitoring page: a training job of the champion's
  // spec on a new dataset (Iris + the 30 outcomes), followed on the Train page, whose model becomes the challenger.
  await page.goto(`/published/${NAME}/monitor`);
  await page.getByTestId('retrain').click();
  await expect(page).toHaveURL(/\/train$/);
  await expect(page.getByTestId('notice')).toContainText('plus 30 logged outcomes');
  const job = /job (\d+)/.exec((await page.getByTestId('notice').textContent()) ?? '')?.[1] ?? '';
  await page.screenshot({ path: 'reports/screenshots/retrain-train-page.png', fullPage: true });
  let result: { retrain?: { original: number; fromOutcomes: number; challengerOf: string }; modelId?: number } = {};
  await expect
    .poll(
      async () => {
        const j = await (
          await page.request.get(`/api/jobs/${job}`, { headers: { accept: 'application/json' } })
        ).json();
        result = j.result ?? {};
        return j.status;
      },
      { timeout: 120_000 },
    )
    .toBe('done');
  expect(result.retrain).toEqual({
    datasetId: expect.any(Number),
    original: 150,
    fromOutcomes: 30,
    challengerOf: NAME,
  });
  await page.goto('/published');
  await expect(page.locator(`section[data-name="${NAME}"]`).getByTestId('challenger-model')).toHaveText(
    `model #${result.modelId}`,
  );
  await page.screenshot({ path: 'reports/screenshots/published-retrained.png', fullPage: true });
  expect(errors).toEqual([]);
});
