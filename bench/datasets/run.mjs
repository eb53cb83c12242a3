// pnpm bench:datasets — uploads a generated 1,000,000-row × 10-column CSV through the real HTTP
// routes of web (started here against a fresh database) and measures: load time and rows/s
// (upload + preview + load, end to end), web's peak RSS throughout, the statistics query over the
// loaded table, and a data-viewer page at offset 900,000. Last line: one JSON object.
import { createWriteStream, existsSync, openAsBlob, readFileSync, statSync, mkdirSync } from 'node:fs';
import { once } from 'node:events';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { startStack, ROOT } from '../../scripts/stack.mjs';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const dir = join(import.meta.dirname, 'out');
mkdirSync(dir, { recursive: true });
const file = join(dir, `rows-${ROWS}.csv`);

async function generate() {
  if (existsSync(file)) return;
  const out = createWriteStream(file);
  let s = 42;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const cats = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
  out.write('id,x1,x2,x3,x4,x5,count_a,count_b,category,label\n');
  let buf = '';
  for (let i = 1; i <= ROWS; i++) {
    buf += `${i},${(rnd() * 100).toFixed(4)},${(rnd() * 2 - 1).toFixed(6)},${(rnd() * 1e4).toFixed(2)},${rnd() < 0.01 ? '' : (rnd() * 5).toFixed(3)},${(rnd() * 50 + 10).toFixed(3)},${Math.floor(rnd() * 1000)},${Math.floor(rnd() * 20)},${cats[Math.floor(rnd() * 5)]},${rnd() < 0.5 ? 'yes' : 'no'}\n`;
    if (buf.length > 1 << 20) { if (!out.write(buf)) await once(out, 'drain'); buf = ''; }
  }
  out.end(buf);
  await once(out, 'finish');
}

function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch { return 0; }
}

class Session {
  constructor(base) { this.base = base; this.cookies = new Map(); }
  absorb(res) { for (const c of res.headers.getSetCookie()) { const [p] = c.split(';'); const i = p.indexOf('='); this.cookies.set(p.slice(0, i), p.slice(i + 1)); } }
  get cookie() { return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '); }
  async fetch(path, init = {}) {
    const res = await fetch(this.base + path, { redirect: 'manual', ...init, headers: { cookie: this.cookie, ...(init.headers ?? {}) } });
    this.absorb(res);
    return res;
  }
  async csrf(path) { const html = await (await this.fetch(path, { headers: { accept: 'text/html' } })).text(); return /name="_csrf" value="([^"]+)"/.exec(html)[1]; }
}

console.log(`generating ${ROWS.toLocaleString('en-US')} rows…`);
await generate();
const bytes = statSync(file).size;
console.log(`${file}: ${(bytes / 1e6).toFixed(1)} MB`);
const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'web', 'viz'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(1);
const stack = await startStack({ name: 'bench_datasets', webPort: 5300, vizPort: 5306, log: 'quiet', env: { UPLOAD_MAX_MB: '1000' } });
let peak = 0;
const sampler = setInterval(() => { peak = Math.max(peak, rssMb(stack.web.pid)); }, 50);
try {
  const s = new Session(stack.baseURL);
  const token = await s.csrf('/login');
  const login = await s.fetch('/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ username: stack.user, password: stack.password, _csrf: token }) });
  if (login.status !== 303) throw new Error(`sign-in failed: ${login.status}`);
  const csrf = await s.csrf('/datasets');
  const t0 = performance.now();
  const form = new FormData();
  form.append('file', await openAsBlob(file, { type: 'text/csv' }), 'million.csv');
  const up = await s.fetch('/api/uploads', { method: 'POST', body: form, headers: { 'x-csrf-token': csrf, accept: 'application/json' } });
  const preview = await up.json();
  if (up.status !== 201) throw new Error(`upload failed: ${up.status} ${JSON.stringify(preview)}`);
  const t1 = performance.now();
  const columns = preview.columns.map((c) => ({ name: c.name, type: c.type, role: c.role }));
  const commit = await s.fetch(`/api/uploads/${preview.id}/commit`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, accept: 'application/json' },
    body: JSON.stringify({ name: 'million', title: 'A million rows', task: preview.suggestedTask, columns }),
  });
  const { load } = await commit.json();
  if (commit.status !== 202) throw new Error(`commit failed: ${commit.status}`);
  let state;
  for (;;) {
    state = await (await s.fetch(`/api/loads/${load}`, { headers: { accept: 'application/json' } })).json();
    if (state.status !== 'running') break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const t2 = performance.now();
  if (state.status !== 'done') throw new Error(`load failed: ${state.error}`);
  const loadS = (t2 - t0) / 1000;
  console.log(`upload + preview ${((t1 - t0) / 1000).toFixed(1)} s, load ${((t2 - t1) / 1000).toFixed(1)} s, ${state.rowsDone} rows`);

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
  const pageMs = times[Math.floor(times.length / 2)];
  clearInterval(sampler);
  peak = Math.max(peak, rssMb(stack.web.pid));
  const figures = { rows: state.rowsDone, bytes, load_s: +loadS.toFixed(2), rows_per_s: Math.round(state.rowsDone / loadS), web_rss_mb: +peak.toFixed(1), stats_s: +statsS.toFixed(3), page_ms: +pageMs.toFixed(1) };
  console.log(`targets: rows_per_s ≥ 50000, web_rss_mb < 300, stats_s ≤ 3, page_ms ≤ 200`);
  console.log(JSON.stringify(figures));
} finally {
  clearInterval(sampler);
  await stack.stop();
}
