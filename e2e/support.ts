import { expect, type Page } from '@playwright/test';

export const USER = process.env.E2E_USER ?? 'enchilada';
export const PASSWORD = process.env.E2E_PASSWORD ?? '';

export async function signIn(page: Page, user = USER, password = PASSWORD): Promise<void> {
  await page.goto('/login');
  await page.fill('#username', user);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button[type=submit]')]);
}

/** Waits until the embedded document's spinner is gone and a canvas inside it has drawn pixels. */
export async function expectDrawn(page: Page, selector: string): Promise<void> {
  await expect(page.locator(selector)).toHaveAttribute('data-state', 'rendered', { timeout: 30_000 });
  await expect(page.locator(`${selector} .embed-status`)).toBeHidden();
  await expect.poll(() => page.evaluate((sel) => {
    const root = document.querySelector(sel);
    if (!root) return 0;
    // BokehJS draws into canvases inside shadow roots.
    const canvases: HTMLCanvasElement[] = [];
    const visit = (n: Element | ShadowRoot) => {
      n.querySelectorAll('*').forEach((el) => {
        if (el instanceof HTMLCanvasElement) canvases.push(el);
        if (el.shadowRoot) visit(el.shadowRoot);
      });
    };
    visit(root);
    let painted = 0;
    for (const c of canvases) {
      if (c.width === 0 || c.height === 0) continue;
      const ctx = c.getContext('2d');
      if (!ctx) continue;
      const px = ctx.getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) { painted++; break; }
    }
    return painted;
  }, selector), { timeout: 15_000 }).toBeGreaterThan(0);
}
