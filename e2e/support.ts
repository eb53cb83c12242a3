import { expect, type Page } from '@playwright/test';

export const USER = process.env.E2E_USER ?? 'enchilada';
export const PASSWORD = process.env.E2E_PASSWORD ?? '';

/**
 * The password web uses once the bootstrap administrator (or a user with a one-time password) has
 * chosen their own at first sign-in: derived from the given one, so every test file finds it.
 */
export const chosenPassword = (password: string): string => `${password}-chosen-in-e2e`;

/**
 * Signs in; at a first sign-in (a one-time password, such as the bootstrap administrator's database
 * password) it chooses `chosenPassword(password)` on the Account page, as a person would.
 */
export async function signIn(page: Page, user = USER, password = PASSWORD): Promise<void> {
  // True when signed in: the form's POST answered a redirect rather than the page with its error.
  const attempt = async (pw: string): Promise<boolean> => {
    await page.goto('/login');
    await page.fill('#username', user);
    await page.fill('#password', pw);
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/login'),
      page.click('button[type=submit]'),
    ]);
    await page.waitForLoadState('load');
    return res.status() === 303;
  };
  if (!(await attempt(chosenPassword(password)))) await attempt(password);
  await expect(page).not.toHaveURL(/\/login/);
  if (await page.getByTestId('must-change').count()) {
    await page.getByTestId('current-password').fill(password);
    await page.getByTestId('new-password').fill(chosenPassword(password));
    await page.getByTestId('repeat-password').fill(chosenPassword(password));
    await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.getByTestId('change-password').click()]);
  }
}

/** Waits until the embedded document's spinner is gone and a canvas inside it has drawn pixels. */
export async function expectDrawn(page: Page, selector: string): Promise<void> {
  await expect(page.locator(selector)).toHaveAttribute('data-state', 'rendered', { timeout: 30_000 });
  await expect(page.locator(`${selector} .embed-status`)).toBeHidden();
  await expect
    .poll(
      () =>
        page.evaluate((sel) => {
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
            for (let i = 3; i < px.length; i += 4)
              if (px[i] !== 0) {
                painted++;
                break;
              }
          }
          return painted;
        }, selector),
      { timeout: 15_000 },
    )
    .toBeGreaterThan(0);
}

/** Loads (or reloads) a toy dataset from the Datasets page; it becomes the current dataset. */
export async function useToy(page: Page, name: string): Promise<void> {
  await page.goto('/datasets');
  await page.locator(`tr[data-toy="${name}"] button[type=submit]`).click();
  await expect(page.getByTestId('notice')).toBeVisible();
}

/** Uncaught errors of the page's scripts (and, with `console`, errors it logs), collected from now on. */
export function pageErrors(page: Page, opts: { console?: boolean } = {}): string[] {
  const errors: string[] = [];
  if (opts.console)
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/** Signs in, makes a toy dataset current and opens the Train page with its document drawn. */
export async function openTrainPage(page: Page, toy: string): Promise<void> {
  await signIn(page);
  await useToy(page, toy);
  await page.goto('/train');
  await expect(page.getByTestId('fit-count')).toBeVisible();
}

/** Text of every Title model in the page's BokehJS documents. */
export async function bokehTitles(page: Page): Promise<string> {
  return page.evaluate(() => {
    const Bokeh = (
      window as unknown as { Bokeh: { documents: { all_models: Set<{ type: string; text?: string }> }[] } }
    ).Bokeh;
    const out: string[] = [];
    for (const doc of Bokeh.documents)
      for (const m of doc.all_models) if (m.type === 'Title' && m.text) out.push(m.text);
    return out.join(' | ');
  });
}

/** Picks the option with this label in the n-th BokehJS Select (DOM option values are labels). */
export async function bokehSelect(page: Page, nth: number, label: string): Promise<void> {
  await page
    .locator('.bk-Select')
    .nth(nth)
    .evaluate((el, v) => {
      const sel = el.shadowRoot?.querySelector('select');
      if (!sel) throw new Error('no select');
      sel.value = v;
      sel.dispatchEvent(new Event('change', { bubbles: true }));
    }, label);
}

/** Clicks a BokehJS button (it lives in a shadow root) found by a CSS class of the widget. */
export async function bokehClick(page: Page, cssClass: string): Promise<void> {
  await page
    .locator(`.${cssClass}`)
    .first()
    .evaluate((el) => {
      const b = el.shadowRoot?.querySelector('button');
      if (!b) throw new Error('no button');
      b.click();
    });
}

/** The page fits the window's width: nothing makes it scroll sideways (tables inside documents scroll on their own). */
export async function expectFitsWidth(page: Page): Promise<void> {
  await expect
    .poll(() => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth))
    .toBeLessThanOrEqual(0);
}

/**
 * A curl command line as the pages show it, taken apart as a POSIX shell would (single quotes with
 * `'\''` inside, double quotes, bare words), so a test can send exactly the request it shows.
 */
export function parseCurl(line: string): {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
} {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ') i++;
    if (i >= line.length) break;
    let w = '';
    while (i < line.length && line[i] !== ' ') {
      const q = line[i];
      if (q === "'" || q === '"') {
        const end = line.indexOf(q, i + 1);
        if (end < 0) throw new Error(`unclosed ${q} in ${line}`);
        w += line.slice(i + 1, end);
        i = end + 1;
      } else if (q === '\\') {
        w += line[i + 1] ?? '';
        i += 2;
      } else {
        w += q;
        i++;
      }
    }
    words.push(w);
  }
  if (words[0] !== 'curl') throw new Error(`not a curl line: ${line}`);
  const out = { method: 'GET', url: '', headers: {} as Record<string, string>, body: null as string | null };
  for (let k = 1; k < words.length; k++) {
    const w = words[k];
    if (w === '-X') out.method = words[++k];
    else if (w === '-H') {
      const h = words[++k];
      const c = h.indexOf(':');
      out.headers[h.slice(0, c).trim()] = h.slice(c + 1).trim();
    } else if (w === '-d') out.body = words[++k];
    else if (w.startsWith('-')) throw new Error(`unexpected curl option ${w} in ${line}`);
    else out.url = w;
  }
  return out;
}

/** Sets an attribute of the form document's widget with this name, as a person's change would (its callbacks run). */
export async function bokehSet(page: Page, name: string, attr: string, value: unknown): Promise<void> {
  await page.evaluate(
    ({ name, attr, value }) => {
      const Bokeh = (
        window as unknown as {
          Bokeh: { documents: { get_model_by_name(n: string): Record<string, unknown> | null }[] };
        }
      ).Bokeh;
      for (const doc of Bokeh.documents) {
        const m = doc.get_model_by_name(name);
        if (m) {
          m[attr] = value;
          return;
        }
      }
      throw new Error(`no widget named ${name}`);
    },
    { name, attr, value },
  );
}

/** An attribute of the form document's widget with this name. */
export async function bokehGet(page: Page, name: string, attr: string): Promise<unknown> {
  return page.evaluate(
    ({ name, attr }) => {
      const Bokeh = (
        window as unknown as {
          Bokeh: { documents: { get_model_by_name(n: string): Record<string, unknown> | null }[] };
        }
      ).Bokeh;
      for (const doc of Bokeh.documents) {
        const m = doc.get_model_by_name(name);
        if (m) return m[attr];
      }
      return undefined;
    },
    { name, attr },
  );
}
