// pnpm bench:datasets — uploads a generated 1,000,000-row × 10-column CSV through the real HTTP
// routes of web (started here against a fresh database) and measures: load time and rows/s
// (upload + preview + load, end to end), web's peak RSS throughout, the statistics query over the
// loaded table, and a data-viewer page at offset 900,000. Last line: one JSON object.
import { statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import mysql from 'mysql2/promise';
import { startStack, ROOT } from '../../scripts/stack.mjs';
import { Session, millionRowCsv, rssMb } from '../lib.mjs';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
console.log(`generating ${ROWS.toLocaleString('en-US')} rows (once)…`);
const file = await millionRowCsv(ROWS);
const bytes = statSync(file).size;
console.log(`${file}: ${(bytes / 1e6).toFixed(1)} MB`);
if (
  spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'web', 'viz'], { stdio: 'inherit' }).status !==
  0
)
  process.exit(1);
const stack = await startStack({
  name: 'bench_datasets',
  webPort: 5300,
  vizPort: 5306,
  log: 'quiet',
  env: { UPLOAD_MAX_MB: '1000' },
});
let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, rssMb(stack.web.pid));
}, 50);
try {
  const s = new Session(stack.baseURL);
  await s.signIn(stack.user, stack.password);
  const t0 = performance.now();
  const state = await s.upload(file, 'million', 'A million rows');
  const loadS = (performance.now() - t0) / 1000;
  console.log(`upload + preview + load: ${loadS.toFixed(1)} s for ${state.rowsDone} rows`);

  // The statistics query, timed on its own against the loaded table.
  const { Catalog, computeStatistics } = await import('../../services/data/dist/index.js');
  const pool = mysql.createPool({ ...ROOT, database: stack.database, connectionLimit: 2 });
  const ds = await new Catalog(pool).get(state.datasetId);
  const ts = performance.now();
  await computeStatistics(pool, ds.tableName, ds.columns, ds.task === 'classification' ? ds.target : null);
  const statsS = (performance.now() - ts) / 1000;
  await pool.end();

  const times = [];
  for (let i = 0; i < 7; i++) {
    const tp = performance.now();
    const res = await s.fetch(`/datasets/${state.datasetId}/data?offset=900000`, { headers: { accept: 'text/html' } });
    const html = await res.text();
    times.push(performance.now() - tp);
    if (res.status !== 200 || !html.includes('900,001')) throw new Error(`page failed: ${res.status}`);
  }
  times.sort((a, b) => a - b);
  clearInterval(sampler);
  peak = Math.max(peak, rssMb(stack.web.pid));
  const figures = {
    rows: state.rowsDone,
    bytes,
    load_s: +loadS.toFixed(2),
    rows_per_s: Math.round(state.rowsDone / loadS),
    web_rss_mb: +peak.toFixed(1),
    stats_s: +statsS.toFixed(3),
    page_ms: +times[3].toFixed(1),
  };
  console.log('targets: rows_per_s ≥ 50000, web_rss_mb < 300, stats_s ≤ 3, page_ms ≤ 200 (median of 7)');
  console.log(JSON.stringify(figures));
} finally {
  clearInterval(sampler);
  await stack.stop();
}
