import { expect, test } from '@playwright/test';
import { signIn } from './support';

test('load Iris, read its description, statistics and data', async ({ page }) => {
  await signIn(page);
  await page.goto('/datasets');
  await page.getByTestId('load-iris').click();
  await expect(page.getByTestId('notice')).toContainText(
    /Loaded Iris flowers: 150 rows|Reloaded Iris flowers: 150 rows/,
  );
  await expect(page.locator('tr[data-toy=iris]')).toContainText('loaded');
  await expect(page.getByTestId('dataset-picker').locator('option:checked')).toHaveText(/Iris flowers/);
  await page.locator('tr[data-toy=iris] a', { hasText: 'Iris flowers' }).click();
  await expect(page.getByTestId('toy-summary')).toContainText('Fisher');
  await expect(page.getByTestId('toy-columns')).toContainText('petal_width');
  await page.getByRole('link', { name: 'View data' }).click();
  await expect(page.getByTestId('data-table').locator('tbody tr')).toHaveCount(50);
  await page.getByTestId('next-page').click();
  await expect(page.getByTestId('data-table').locator('tbody tr').first()).toContainText('51');
  await page.getByRole('link', { name: 'petal_length' }).click();
  await expect(page.getByTestId('data-table').locator('tbody tr').first().locator('td').nth(3)).toHaveText('1');
  await page.goto('/datasets');
  await page.locator('tr[data-toy=iris]').getByRole('link', { name: 'Open' }).click();
  await expect(page.getByTestId('stats-table')).toContainText('sepal_length');
  await expect(page.getByTestId('class-counts')).toContainText('setosa');
  await page.screenshot({ path: 'reports/screenshots/dataset-iris.png', fullPage: true });
});

test('upload a small CSV through the preview, pick it in the top bar, then delete it', async ({ page }) => {
  await signIn(page);
  await page.goto('/datasets');
  const csv = 'height cm,weight kg,smoker,label\n170,70.5,yes,a\n182,81.2,no,b\n165,,no,a\n190,95.1,yes,b\n';
  await page
    .getByTestId('upload-file')
    .setInputFiles({ name: 'people-e2e.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByTestId('upload-send').click();
  await expect(page.getByTestId('preview-form')).toBeVisible();
  await expect(page.locator('#preview-table')).toContainText('165');
  await expect(page.locator('select[aria-label="type of column 2"]')).toHaveValue('decimal');
  await expect(page.locator('select[aria-label="type of column 3"]')).toHaveValue('boolean');
  await expect(page.locator('select[aria-label="role of column 4"]')).toHaveValue('target');
  await page.fill('input[aria-label="name of column 1"]', 'height');
  await page.fill('#ds-name', 'people_e2e');
  await page.screenshot({ path: 'reports/screenshots/upload-preview.png', fullPage: true });
  await page.getByTestId('commit-upload').click();
  await expect(page).toHaveURL(/\/datasets\/\d+$/, { timeout: 30_000 });
  await expect(page.getByTestId('stats-table')).toContainText('height');
  await expect(page.getByTestId('dataset-picker').locator('option:checked')).toHaveText(/people-e2e/);
  // Switch the current dataset from the top bar and back.
  await page.getByTestId('dataset-picker').selectOption({ label: 'Iris flowers (iris)' });
  await expect(page.getByTestId('dataset-picker').locator('option:checked')).toHaveText(/Iris flowers/);
  await page.getByTestId('dataset-picker').selectOption({ label: 'people-e2e (people_e2e)' });
  await expect(page.getByTestId('dataset-picker').locator('option:checked')).toHaveText(/people-e2e/);
  await page.goto('/datasets');
  page.once('dialog', (d) => d.accept());
  await page.getByTestId('delete-people_e2e').click();
  await expect(page.getByTestId('notice')).toContainText('Deleted people-e2e');
  await expect(page.locator('tr[data-dataset=people_e2e]')).toHaveCount(0);
});

test('a malformed CSV is refused with its line, and nothing is stored', async ({ page }) => {
  await signIn(page);
  await page.goto('/datasets');
  await page
    .getByTestId('upload-file')
    .setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b,c\n1,2,3\n4,5\n') });
  await page.getByTestId('upload-send').click();
  await expect(page.getByTestId('upload-error')).toHaveText('line 3: expected 3 fields but found 2');
  await expect(page.getByTestId('preview-form')).toBeHidden();
});

test('the upload preview marks an identifier-like text column and infers a date; the dataset page shows text statistics', async ({
  page,
}) => {
  await signIn(page);
  await page.goto('/datasets');
  const lines = ['PassengerId,Name,Sex,Age,Boarded,Survived'];
  for (let i = 1; i <= 40; i++)
    lines.push(
      `${i},Passenger number ${i},${i % 3 ? 'male' : 'female'},${i % 5 ? 20 + i : ''},1912-04-${String(1 + (i % 28)).padStart(2, '0')},${i % 3 ? 0 : 1}`,
    );
  await page
    .getByTestId('upload-file')
    .setInputFiles({ name: 'passengers-e2e.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n') + '\n') });
  await page.getByTestId('upload-send').click();
  await expect(page.getByTestId('preview-form')).toBeVisible();
  await expect(page.locator('select[aria-label="role of column 1"]')).toHaveValue('identifier');
  await expect(page.locator('select[aria-label="role of column 2"]')).toHaveValue('identifier');
  await expect(page.getByTestId('role-note').first()).toBeVisible();
  await expect(page.locator('select[aria-label="type of column 5"]')).toHaveValue('date');
  await expect(page.locator('select[aria-label="role of column 6"]')).toHaveValue('target');
  await page.fill('#ds-name', 'passengers_e2e');
  await page.screenshot({ path: 'reports/screenshots/upload-preview-mixed.png', fullPage: true });
  await page.getByTestId('commit-upload').click();
  await expect(page).toHaveURL(/\/datasets\/\d+$/, { timeout: 30_000 });
  await expect(page.locator('main')).toContainText('female');
  await page.screenshot({ path: 'reports/screenshots/dataset-mixed.png', fullPage: true });
  await page.goto('/datasets');
  page.once('dialog', (d) => d.accept());
  await page.getByTestId('delete-passengers_e2e').click();
  await expect(page.locator('tr[data-dataset=passengers_e2e]')).toHaveCount(0);
});

test('the preview suggests the target by name and says so; a refused load keeps every choice and shows its error beside the column', async ({
  page,
}) => {
  await signIn(page);
  await page.goto('/datasets');
  // score is whole numbers in the rows the preview reads (the first 1,000), then 7.5 on line 1,102.
  const lines = ['reading,score,colour,outcome,note'];
  for (let i = 1; i <= 1200; i++)
    lines.push(
      `${(i * 0.37).toFixed(2)},${i === 1101 ? '7.5' : String(i % 10)},${['red', 'green', 'blue'][i % 3]},${i % 2 ? 'yes' : 'no'},n${i % 4}`,
    );
  await page
    .getByTestId('upload-file')
    .setInputFiles({ name: 'refused-e2e.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n') + '\n') });
  await page.getByTestId('upload-send').click();
  await expect(page.getByTestId('preview-form')).toBeVisible();
  // outcome, not the last column, is the suggested target, marked as a suggestion with its reason.
  await expect(page.locator('select[aria-label="role of column 4"]')).toHaveValue('target');
  await expect(page.locator('select[aria-label="role of column 5"]')).toHaveValue('feature');
  await expect(page.getByTestId('target-note')).toHaveText(
    'suggested: the target, because its name is a usual target name; 2 different values in the first 1,000 rows (classes)',
  );
  await expect(page.locator('#ds-task')).toHaveValue('classification');
  // The person's own choices: a type, a role, the names.
  await page.locator('select[aria-label="type of column 1"]').selectOption('text');
  await page.locator('select[aria-label="role of column 3"]').selectOption('ignored');
  await page.fill('input[aria-label="name of column 5"]', 'remark');
  await page.fill('#ds-name', 'refused_e2e');
  await page.getByTestId('commit-upload').click();
  await expect(page.getByTestId('upload-error')).toContainText(
    'Nothing was stored: line 1102, column "score": "7.5" is not an integer',
  );
  // Every choice is as the person left it, and the message sits in score's column with the fix.
  await expect(page.getByTestId('preview-form')).toBeVisible();
  await expect(page.locator('select[aria-label="type of column 1"]')).toHaveValue('text');
  await expect(page.locator('select[aria-label="role of column 3"]')).toHaveValue('ignored');
  await expect(page.locator('input[aria-label="name of column 5"]')).toHaveValue('remark');
  await expect(page.locator('select[aria-label="role of column 4"]')).toHaveValue('target');
  await expect(page.locator('#ds-name')).toHaveValue('refused_e2e');
  const beside = page.locator('[data-testid=column-error][data-col="1"]');
  await expect(beside).toBeVisible();
  await expect(beside).toContainText(
    '"7.5" is not an integer — choose the type "decimal" for this column, or correct the value in the file',
  );
  await expect(page.locator('[data-testid=column-error]:visible')).toHaveCount(1);
  await expect(page.locator('select[aria-label="type of column 2"]')).toHaveClass(/is-invalid/);
  await page.screenshot({ path: 'reports/screenshots/upload-refused-kept.png', fullPage: true });
  // Taking the advice loads the same file, not uploaded again.
  await page.locator('select[aria-label="type of column 2"]').selectOption('decimal');
  await page.getByTestId('commit-upload').click();
  await expect(page).toHaveURL(/\/datasets\/\d+$/, { timeout: 30_000 });
  await expect(page.getByTestId('text-stats-table')).toContainText('reading');
  await page.goto('/datasets');
  page.once('dialog', (d) => d.accept());
  await page.getByTestId('delete-refused_e2e').click();
  await expect(page.locator('tr[data-dataset=refused_e2e]')).toHaveCount(0);
});
