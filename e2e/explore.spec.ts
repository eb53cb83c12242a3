import { expect, test, type Page } from '@playwright/test';
import { expectDrawn, pageErrors, signIn } from './support';

async function useToy(page: Page, name: string): Promise<void> {
  await page.goto('/datasets');
  const row = page.locator(`tr[data-toy="${name}"]`);
  if ((await row.getByRole('button', { name: 'Load' }).count()) > 0)
    await row.getByRole('button', { name: 'Load' }).click();
  else await row.getByRole('button', { name: 'Reload' }).click();
  await expect(page.getByTestId('notice')).toBeVisible();
}

/** Clicks a BokehJS tab header (inside the Tabs view's shadow root). */
async function openTab(page: Page, title: string): Promise<void> {
  await page
    .locator('.bk-Tabs')
    .first()
    .evaluate((el, name) => {
      const headers = el.shadowRoot?.querySelectorAll('.bk-tab') ?? [];
      for (const h of Array.from(headers)) if (h.textContent?.trim() === name) (h as HTMLElement).click();
    }, title);
}

/** Picks an option of the n-th BokehJS Select in the document. */
async function choose(page: Page, nth: number, value: string): Promise<void> {
  await page
    .locator('.bk-Select')
    .nth(nth)
    .evaluate((el, v) => {
      const sel = el.shadowRoot?.querySelector('select');
      if (!sel) throw new Error('no select');
      sel.value = v;
      sel.dispatchEvent(new Event('input', { bubbles: true }));
      sel.dispatchEvent(new Event('change', { bubbles: true }));
    }, value);
}

/** The title texts BokehJS drew (titles live in the shadow roots of plot views). */
async function plotTitles(page: Page): Promise<string> {
  return page.locator('#eda-doc').evaluate((root) => {
    const out: string[] = [];
    const visit = (n: Element | ShadowRoot) =>
      n.querySelectorAll('*').forEach((e) => {
        if (e.shadowRoot) visit(e.shadowRoot);
      });
    visit(root);
    // BokehJS draws titles into canvases; the model state is the reliable text source.
    const Bokeh = (
      window as unknown as { Bokeh: { documents: { all_models: Set<{ type: string; text?: string }> }[] } }
    ).Bokeh;
    for (const doc of Bokeh.documents)
      for (const m of doc.all_models) if (m.type === 'Title' && m.text) out.push(m.text);
    return out.join(' | ');
  });
}

for (const [toy, kind] of [
  ['iris', 'classification'],
  ['auto-mpg', 'regression'],
] as const) {
  test(`the four EDA tabs draw for ${toy} (${kind}) and the dropdowns change the plots`, async ({ page }) => {
    const errors = pageErrors(page, { console: true });
    await signIn(page);
    await useToy(page, toy);
    await page.goto('/explore');
    await expectDrawn(page, '#eda-doc');
    await page.screenshot({ path: `reports/screenshots/eda-${toy}-summary.png`, fullPage: true });
    if (kind === 'classification') {
      expect(await plotTitles(page)).toContain('sepal_length by class');
      await choose(page, 0, 'petal_width');
      await expect.poll(() => plotTitles(page)).toContain('petal_width by class');
    }
    for (const tab of ['Feature importance', 'Crossfilter', 'Grid plot']) {
      await openTab(page, tab);
      await page.waitForTimeout(500);
      await expectDrawn(page, '#eda-doc');
      await page.screenshot({
        path: `reports/screenshots/eda-${toy}-${tab.replace(' ', '-').toLowerCase()}.png`,
        fullPage: true,
      });
      if (tab === 'Crossfilter') {
        const selectsBefore = kind === 'classification' ? 1 : 0; // the summary tab's feature picker comes first
        const ySelect = selectsBefore + 1;
        await choose(page, ySelect, kind === 'classification' ? 'petal_length' : 'weight');
        await expect
          .poll(() => plotTitles(page))
          .toContain(kind === 'classification' ? 'petal_length against' : 'weight against');
      }
    }
    expect(errors).toEqual([]);
  });
}

test('penguins: text features get count bars, every column its missing share, and text columns go on crossfilter axes and colour', async ({
  page,
}) => {
  const errors = pageErrors(page, { console: true });
  await signIn(page);
  await useToy(page, 'penguins');
  await page.goto('/explore');
  await expectDrawn(page, '#eda-doc');
  const titles = await plotTitles(page);
  expect(titles).toContain('bill_length_mm by class');
  expect(titles).toMatch(/island/);
  expect(titles).toMatch(/[Mm]issing/);
  // Years read as years in the statistics and rows tables: 2007, never 2,007.
  await expect(page.locator('#eda-doc .slick-cell', { hasText: /^2007$/ }).first()).toBeVisible();
  await expect(page.locator('#eda-doc .slick-cell', { hasText: '2,007' })).toHaveCount(0);
  await page.screenshot({ path: 'reports/screenshots/eda-penguins-summary.png', fullPage: true });
  await openTab(page, 'Feature importance');
  await page.waitForTimeout(500);
  await page.screenshot({ path: 'reports/screenshots/eda-penguins-feature-importance.png', fullPage: true });
  await openTab(page, 'Crossfilter');
  await page.waitForTimeout(500);
  await choose(page, 2, 'island');
  await expect.poll(() => plotTitles(page)).toContain('island against');
  await page.waitForTimeout(300);
  await expectDrawn(page, '#eda-doc');
  await page.screenshot({ path: 'reports/screenshots/eda-penguins-crossfilter.png', fullPage: true });
  await openTab(page, 'Grid plot');
  await page.waitForTimeout(500);
  await expectDrawn(page, '#eda-doc');
  await page.screenshot({ path: 'reports/screenshots/eda-penguins-grid-plot.png', fullPage: true });
  expect(errors).toEqual([]);
});

test('Explore says clearly when no dataset is chosen', async ({ page }) => {
  await signIn(page);
  await page.goto('/datasets');
  // Choosing in the picker submits a form that redirects back here: wait for that page to load
  // before going on, or the next navigation aborts it.
  const back = page.waitForResponse((r) => new URL(r.url()).pathname === '/datasets' && r.request().method() === 'GET');
  await page.getByTestId('dataset-picker').selectOption('0');
  await back;
  await page.waitForLoadState('load');
  await expect(page.getByTestId('dataset-picker').locator('option:checked')).toHaveText(/none chosen/);
  await page.goto('/explore');
  await expect(page.getByTestId('no-dataset')).toContainText('No dataset is chosen');
});

test('a Titanic-shaped upload: text columns have count, missing, distinct and most frequent values on the dataset page and the Summary tab', async ({
  page,
}) => {
  const errors = pageErrors(page, { console: true });
  await signIn(page);
  await page.goto('/datasets');
  // Kaggle's 891 passengers' shape: Cabin is missing for 687 of them, Name and Ticket nearly all different.
  const lines = ['PassengerId,Survived,Pclass,Name,Sex,Age,Ticket,Fare,Cabin,Embarked'];
  for (let i = 1; i <= 891; i++) {
    const sex = i % 3 === 0 ? 'female' : 'male';
    lines.push(
      [
        i,
        sex === 'female' ? 1 : i % 5 === 0 ? 1 : 0,
        1 + (i % 3),
        `"Passenger, Mr. ${i}"`,
        sex,
        i % 6 === 0 ? '' : 1 + ((i * 7) % 70),
        `A/5 ${20000 + (i % 681)}`,
        (7 + ((i * 37) % 500) / 10).toFixed(2),
        i <= 204 ? `C${i % 147}` : '',
        i === 62 || i === 830 ? '' : 'SCQ'[i % 3],
      ].join(','),
    );
  }
  await page
    .getByTestId('upload-file')
    .setInputFiles({ name: 'titanic-e2e.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n') + '\n') });
  await page.getByTestId('upload-send').click();
  await expect(page.locator('select[aria-label="role of column 2"]')).toHaveValue('target');
  await page.fill('#ds-name', 'titanic_e2e');
  await page.getByTestId('commit-upload').click();
  await expect(page).toHaveURL(/\/datasets\/\d+$/, { timeout: 30_000 });
  const cabin = page.getByTestId('text-stats-table').locator('tr[data-column=Cabin] td');
  await expect(cabin.nth(1)).toHaveText('204');
  await expect(cabin.nth(2)).toHaveText('687');
  await expect(cabin.nth(3)).toHaveText('147');
  await expect(page.getByTestId('text-stats-table').locator('tr[data-column=Sex]')).toContainText('male (594)');
  await page.screenshot({ path: 'reports/screenshots/dataset-titanic-text-stats.png', fullPage: true });
  await page.goto('/explore');
  await expectDrawn(page, '#eda-doc');
  const summary = page.getByTestId('eda-text-stats');
  await expect(summary.locator('tr[data-column=Cabin] td').nth(2)).toHaveText('687');
  await expect(summary.locator('tr[data-column=Embarked]')).toContainText('889');
  await expect(summary.locator('tr[data-column=Sex]')).toContainText('female (297)');
  await summary.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'reports/screenshots/eda-titanic-text-stats.png', fullPage: true });
  await page.goto('/datasets');
  page.once('dialog', (d) => d.accept());
  await page.getByTestId('delete-titanic_e2e').click();
  await expect(page.locator('tr[data-dataset=titanic_e2e]')).toHaveCount(0);
  expect(errors).toEqual([]);
});
