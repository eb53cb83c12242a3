import { expect, test } from '@playwright/test';
import { expectFitsWidth, openTrainPage, pageErrors } from './support';

test('compare all models on Wine from the Train page: the leaderboard fills, the best is marked, and Stop ends it', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = pageErrors(page);
  await openTrainPage(page, 'wine');
  await expect(page.getByTestId('compare-start')).toContainText('Compare them all');
  await page.locator('#compare-budget').fill('1');
  await page.getByTestId('compare-go').click();
  await page.waitForURL(/\/compare\/\d+$/);
  await expect(page.locator('h1')).toHaveText(/^Compare all models on Wine/);
  // candidates appear as they finish, best first
  await expect(page.locator('#leaderboard-rows tr')).not.toHaveCount(1, { timeout: 60_000 });
  await expect(page.locator('#leaderboard-rows tr').first()).toHaveClass(/table-success/);
  await expect(page.getByTestId('compare-message')).toContainText('candidates scored');
  await expectFitsWidth(page);
  await page.screenshot({ path: 'reports/screenshots/compare-running.png', fullPage: true });
  await page.getByTestId('compare-cancel').click();
  await expect(page.getByTestId('compare-message')).toHaveText('Stopped.', { timeout: 10_000 });
  await expect(page.getByTestId('compare-cancel')).toBeHidden();
  expect(errors).toEqual([]);
});
