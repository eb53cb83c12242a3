import { expect, test } from '@playwright/test';
import { expectFitsWidth, openTrainPage, pageErrors } from './support';

test('compare all models on Wine from the Train page: Stop ends a comparison, and another fills its leaderboard, best first, to the end', async ({
  page,
}) => {
  // two comparisons, the first queued behind whatever jobs earlier specs left running
  test.setTimeout(300_000);
  const errors = pageErrors(page);
  await openTrainPage(page, 'wine');
  await expect(page.getByTestId('compare-start')).toContainText('Compare them all');
  await page.locator('#compare-budget').fill('1');
  await page.getByTestId('compare-go').click();
  await page.waitForURL(/\/compare\/\d+$/);
  await expect(page.locator('h1')).toHaveText(/^Compare all models on Wine/);
  // Stop, as soon as the page offers it (the comparison is queued or running)
  await page.getByTestId('compare-cancel').click();
  await expect(page.getByTestId('compare-message')).toHaveText('Stopped.', { timeout: 20_000 });
  await expect(page.getByTestId('compare-cancel')).toBeHidden();

  // A second comparison runs to its end: the leaderboard fills, the best row is marked.
  await page.goto('/train');
  await page.locator('#compare-budget').fill('1');
  await page.getByTestId('compare-go').click();
  await page.waitForURL(/\/compare\/\d+$/);
  await expect(page.getByTestId('compare-message')).toContainText('Finished in', { timeout: 120_000 });
  await expect(page.getByTestId('compare-message')).toContainText('candidates scored');
  expect(await page.locator('#leaderboard-rows tr').count()).toBeGreaterThan(5);
  await expect(page.locator('#leaderboard-rows tr').first()).toHaveClass(/table-success/);
  // the soft-voting ensemble of the three best families is one more row
  await expect(page.getByTestId('ensemble-row')).toHaveCount(1);
  await expectFitsWidth(page);
  await page.screenshot({ path: 'reports/screenshots/compare-finished.png', fullPage: true });
  expect(errors).toEqual([]);
});
