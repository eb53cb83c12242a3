import { expect, test, type Page } from '@playwright/test';
import { bokehClick, expectDrawn, openTrainPage, pageErrors } from './support';

/** The labels of every LegendItem and the factors of every FactorRange in the page's BokehJS documents. */
async function bokehClassText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const Bokeh = (
      window as unknown as {
        Bokeh: { documents: { all_models: Set<{ type: string; label?: { value?: string }; factors?: string[] }> }[] };
      }
    ).Bokeh;
    const out: string[] = [];
    for (const doc of Bokeh.documents) {
      for (const m of doc.all_models) {
        if (m.type === 'LegendItem' && m.label?.value) out.push(m.label.value);
        if (m.type === 'FactorRange' && m.factors) out.push(...m.factors);
      }
    }
    return out.join(' | ');
  });
}

test("Breast Cancer names its classes (0 malignant, 1 benign): the dataset page, the results' legends and the model page use the names", async ({
  page,
}) => {
  const errors = pageErrors(page);
  await openTrainPage(page, 'breast-cancer');
  await page.goto('/datasets');
  await page.locator('tr[data-toy=breast-cancer]').getByRole('link', { name: 'Open' }).click();
  await expect(page.locator('input[aria-label="name of class 0"]')).toHaveValue('malignant');
  await expect(page.locator('input[aria-label="name of class 1"]')).toHaveValue('benign');
  await page.getByTestId('class-counts').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'reports/screenshots/dataset-class-labels.png', fullPage: true });
  await page.goto('/train');
  await expect(page.getByTestId('fit-count')).toBeVisible();
  await bokehClick(page, 'train-button');
  await expect(page.getByTestId('job-summary')).toBeVisible({ timeout: 120_000 });
  await page.getByTestId('open-results').click();
  await expectDrawn(page, '#results-doc');
  const text = await bokehClassText(page);
  expect(text).toMatch(/benign \(1\) \(AUC 0\.\d{3}\)/);
  expect(text).toContain('malignant (0)');
  await expect(page.locator('#results-doc')).toContainText('benign (1)');
  await page.screenshot({ path: 'reports/screenshots/results-class-labels.png', fullPage: true });
  const model = new URL(page.url()).searchParams.get('model');
  await page.goto(`/models/${model}`);
  await expect(page.getByTestId('model-classes')).toHaveText('malignant (0), benign (1)');
  expect(errors).toEqual([]);
});
