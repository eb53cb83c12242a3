// pnpm bench:eda — through a running web + viz (started here against a fresh database): EDA
// document build time and JSON size for Iris, Wine and a 1,000,000-row upload (first request, so
// nothing is cached), the browser's time from navigation to all four tabs drawn (Playwright in
// Chromium), and viz's RSS while it builds 400 documents (after 200, and the growth over the last half). Last line: one JSON object.
import { spawnSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { startStack } from '../../scripts/stack.mjs';
import { Session, millionRowCsv, rssMb, webPassword } from '../lib.mjs';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const DOCS = Number(process.env.BENCH_DOCS ?? 400);
const file = await millionRowCsv(ROWS);
if (
  spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'web', 'viz'], { stdio: 'inherit' }).status !==
  0
)
  process.exit(1);
const stack = await startStack({
  name: 'bench_eda',
  webPort: 5310,
  vizPort: 5316,
  log: 'quiet',
  env: { UPLOAD_MAX_MB: '1000' },
});

async function timedDoc(s, id) {
  const t0 = performance.now();
  const res = await s.fetch(`/viz/documents/eda?dataset=${id}`, { headers: { accept: 'application/json' } });
  const text = await res.text();
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`EDA for ${id}: ${res.status} ${text.slice(0, 200)}`);
  return { ms, bytes: text.length };
}

async function browserRender(id) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${stack.baseURL}/login`);
    await page.fill('#username', stack.user);
    // The Session below has already chosen the web password at the first sign-in.
    await page.fill('#password', webPassword(stack.password));
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button[type=submit]')]);
    await page.goto(`${stack.baseURL}/datasets/${id}`);
    const use = page.getByRole('button', { name: 'Use this dataset' });
    if (await use.count()) await Promise.all([page.waitForLoadState('load'), use.click()]);
    const drawn = () =>
      page.waitForFunction(
        () => {
          const root = document.querySelector('#eda-doc');
          if (!root || root.getAttribute('data-state') !== 'rendered') return false;
          let painted = 0;
          const visit = (n) =>
            n.querySelectorAll('*').forEach((el) => {
              if (el instanceof HTMLCanvasElement && el.width > 0 && el.offsetParent !== null) {
                const px = el.getContext('2d').getImageData(0, 0, el.width, el.height).data;
                for (let i = 3; i < px.length; i += 4)
                  if (px[i] !== 0) {
                    painted++;
                    break;
                  }
              }
              if (el.shadowRoot) visit(el.shadowRoot);
            });
          visit(root);
          return painted > 0;
        },
        null,
        { timeout: 120_000, polling: 50 },
      );
    const t0 = performance.now();
    await page.goto(`${stack.baseURL}/explore`);
    await drawn();
    await page.screenshot({ path: `bench/out/eda-${id}-summary.png` });
    for (const tab of ['Feature importance', 'Crossfilter', 'Grid plot']) {
      await page
        .locator('.bk-Tabs')
        .first()
        .evaluate((el, name) => {
          for (const h of el.shadowRoot.querySelectorAll('.bk-tab')) if (h.textContent.trim() === name) h.click();
        }, tab);
      await page.waitForTimeout(50);
      await drawn().catch(async (err) => {
        await page.screenshot({ path: `bench/out/eda-${id}-${tab}.png` });
        throw new Error(`${tab}: ${err.message}`);
      });
    }
    return (performance.now() - t0) / 1000;
  } finally {
    await browser.close();
  }
}

try {
  const s = new Session(stack.baseURL);
  await s.signIn(stack.user, stack.password);
  const iris = await s.loadToy('iris');
  const wine = await s.loadToy('wine');
  console.log(`uploading ${ROWS.toLocaleString('en-US')} rows…`);
  const million = (await s.upload(file, 'million', 'A million rows')).datasetId;
  const rows = {};
  for (const [name, id] of [
    ['iris', iris],
    ['wine', wine],
    ['million', million],
  ]) {
    const cold = await timedDoc(s, id);
    const warm = await timedDoc(s, id);
    console.log(
      `${name.padEnd(8)} build ${cold.ms.toFixed(0).padStart(6)} ms   cached ${warm.ms.toFixed(0).padStart(4)} ms   JSON ${(cold.bytes / 1e6).toFixed(2)} MB`,
    );
    let render = NaN;
    try {
      render = await browserRender(id);
    } catch (err) {
      console.log(`${name}: the browser did not draw all four tabs within 120 s (${err.message.split('\n')[0]})`);
    }
    rows[name] = { build_ms: cold.ms, cached_ms: warm.ms, json_mb: cold.bytes / 1e6, render_s: render };
    console.log(`${name.padEnd(8)} browser, navigation to four tabs drawn ${render.toFixed(2)} s`);
  }
  // Memory: DOCS distinct documents (each reload is a new version, so each is built anew). RSS is
  // read every 50; "bounded" means the last half adds about nothing once the cache is full.
  const rss = { 10: 0 };
  for (let i = 1; i <= DOCS; i++) {
    await s.loadToy('iris');
    await timedDoc(s, iris);
    if (i === 10 || i % 50 === 0) rss[i] = rssMb(stack.viz.pid);
  }
  const at = (i) => rss[i] ?? rssMb(stack.viz.pid);
  const end = at(DOCS);
  const half = at(Math.floor(DOCS / 2 / 50) * 50 || 10);
  const base = at(10);
  console.log(
    `viz RSS (MB) by documents built: ${Object.entries(rss)
      .map(([k, v]) => `${k}: ${v.toFixed(0)}`)
      .join(', ')}`,
  );
  console.log(
    `viz RSS grew ${(end - base).toFixed(1)} MB from document 10 to ${DOCS}, ${(end - half).toFixed(1)} MB over the last half`,
  );
  console.log(
    'targets: iris_build_ms ≤ 100, million_build_s ≤ 3, million_json_mb ≤ 8, RSS must not grow without bound',
  );
  console.log(
    JSON.stringify({
      iris_build_ms: +rows.iris.build_ms.toFixed(1),
      wine_build_ms: +rows.wine.build_ms.toFixed(1),
      million_build_s: +(rows.million.build_ms / 1000).toFixed(2),
      million_json_mb: +rows.million.json_mb.toFixed(2),
      iris_render_s: +rows.iris.render_s.toFixed(2),
      million_render_s: +rows.million.render_s.toFixed(2),
      viz_rss_mb_200: +at(200).toFixed(1),
      viz_rss_growth_mb: +(at(200) - base).toFixed(1),
      viz_rss_mb: +end.toFixed(1),
      docs: DOCS,
      viz_rss_growth_second_half_mb: +(end - half).toFixed(1),
    }),
  );
} finally {
  await stack.stop();
}
