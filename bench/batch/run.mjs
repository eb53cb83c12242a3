// pnpm bench:batch — batch scoring (issue 19): ROWS rows × 10 numeric columns, generated as they
// are sent (never on disk), POSTed as text/csv to serve's /v1/models/:name/predict and read back as
// they arrive; every row scored and logged with the batch id. Starts web + viz + serve against a
// fresh database, stores a logistic regression on 10 features (our ML engine), publishes it and
// creates an API key through web's pages. Prints rows/s (wall clock, first byte sent to last byte
// read), serve's peak RSS (VmHWM, and the highest VmRSS sampled during the run), rows logged.
// Also: the same rows with log=false (scoring without the database). Reference in the same run: the
// same model through the JSON route, REF_ROWS rows in requests of 1,000 instances one after another
// (what a client had to do before).
// Targets: ≥ 50,000 rows/s scored and logged, serve RSS < 300 MB.
// Measured 2026-12-05 on the shared 2-core machine, one run each under the bench lock (load average
// 8–13 from other engineers' tests and benchmarks): before (per-record parsing info, an object per
// row, text INSERTs of 2,000 rows) 14,860 rows/s scored and logged, serve peak RSS 301 MB, log=false
// 26,530 rows/s, page 17,121 rows/s; after (prepared INSERTs, chunks of 1,024 rows scored column by
// column) 22,044 rows/s (1,000,000 of 1,000,000 logged), serve peak RSS 282 MB, log=false 54,806
// rows/s, page 22,141 rows/s (1,000,000 logged, serve 298 MB, web 190 MB). Logging is the limit: the
// same machine inserts 1,000,000 such rows into `predictions` alone (prepared, 1,024 a statement, two
// at once, nothing else running in the process) at 29,082 rows/s, 10.3 µs of MariaDB CPU a row.
// 2026-12-05, later (branch batch19): CPU seconds per 1,000,000 logged rows, now in the JSON line
// (serve_cpu_s: serve's process; mysqld_conn_cpu_s: the server's threads serving this bench's
// database; mysqld_bg_cpu_s: its background threads), since a loaded machine distorts wall time.
// `REF_ROWS=1000 PAGE=0 pnpm bench:batch` under the bench lock, load average 5.8–7.4 (and 14.7 for
// the first before), three runs each, medians: before (83a1171) serve 20.2 s (17.6–25.1), MariaDB
// 14.1 + 1.3 s (10.2–14.4 + 1.2–1.6), 35.6 s in all, 21,244–26,346 rows/s; after (plain CSV lines
// split without csv-parse and passed through as they came, one INSERT at a time) serve 14.0 s
// (13.5–14.4), MariaDB 11.2 + 1.5 s (10.5–12.0 + 1.0–1.6), 26.7 s in all (−25 %: serve −31 %,
// MariaDB −18 %), 27,861–31,688 rows/s, serve peak RSS 255–261 MB (before 284–296), log=false
// 68,913–85,235 rows/s at 7.5–9.5 s of serve CPU (before 48,000–52,705 rows/s, 13.5–15.9 s).
// Page (one run, load 7.9): 26,049 rows/s (scoring step 26,876), serve 281 MB, web 190 MB.
// Here the wall figures are the share of two busy cores serve and MariaDB got. On a quiet machine
// (load ~2) before was 48,932 rows/s (page 46,365).
// Quiet machine, end of that day (load 1.4–2.7, one run each, `pnpm bench:batch`): with one INSERT at
// a time 43,692 rows/s (page 42,864), serve peak RSS 281 MB (page 300 MB): on idle cores, the
// INSERTs' round trips and commits are what wait. With two INSERTs in flight again (kept): 55,219
// rows/s (page 57,248; 1,000,000 logged each), serve CPU 13.0 s, MariaDB 12.6 + 0.9 s, log=false
// 154,213 rows/s, but serve peak RSS 312 MB (page 332 MB), over the 300 MB target.
// PAGE=1 also runs the page's two steps (upload, then score through web) and prints what serve and
// web held (peak RSS sampled every 100 ms) and the rows that batch logged.
// Last line: one JSON object. Env: ROWS (1000000), REF_ROWS (100000), PAGE (1: also through web's page routes: upload, then score).
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, openAsBlob, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import mysql from 'mysql2/promise';
import { ROOT as DB_ROOT, startStack } from '../../scripts/stack.mjs';
import { Session, cpuSeconds, mysqldPid, mysqldThreads, rssMb } from '../lib.mjs';

const ROOT = resolve(import.meta.dirname, '..', '..');
const ROWS = Number(process.env.ROWS ?? 1_000_000);
const REF_ROWS = Number(process.env.REF_ROWS ?? 100_000);
const NAME = 'batch-bench';
const F = 10;
const loadAverage = () => loadavg().map((x) => Math.round(x * 100) / 100);
const log = (...a) => console.error('[bench:batch]', ...a);

if (
  spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'web', 'viz', 'serve'], {
    cwd: ROOT,
    stdio: 'inherit',
  }).status !== 0
)
  process.exit(1);
const ml = await import('../../services/ml/dist/index.js');
const models = await import('../../services/models/dist/index.js');
const core = await import('../../services/core/dist/index.js');

// A small deterministic generator: the same rows every run.
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}
const features = Array.from({ length: F }, (_, j) => `x${j}`);
const weights = Array.from({ length: F }, (_, j) => ((j % 2 ? 1 : -1) * (j + 1)) / F);
const label = (row) => (row.reduce((s, v, j) => s + v * weights[j], 0) > 0 ? '1' : '0');
const trainRng = rng(1);
const train = Array.from({ length: 2000 }, () => features.map(() => trainRng() * 4 - 2));
const fitted = new ml.Pipeline(new ml.LogisticRegression({ max_iter: 500 })).fit(
  ml.Matrix.fromRows(train),
  ml.classificationTarget(train.map(label)),
);

/** ROWS lines of CSV (with the header), made in pieces of 5,000 rows as the upload asks for them. */
function csvBody(rows, seed = 2) {
  const r = rng(seed);
  let i = 0;
  let header = false;
  return new Readable({
    read() {
      if (!header) {
        header = true;
        this.push(features.join(',') + '\n');
        return;
      }
      if (i >= rows) {
        this.push(null);
        return;
      }
      let s = '';
      const end = Math.min(rows, i + 5000);
      for (; i < end; i++) {
        for (let j = 0; j < F; j++) s += (j ? ',' : '') + (r() * 4 - 2).toFixed(5);
        s += '\n';
      }
      this.push(s);
    },
  });
}

/** Reads a response body as it arrives, counting lines (rows out) and error rows. */
async function drain(res) {
  let lines = 0;
  let bytes = 0;
  const dec = new TextDecoder();
  for await (const chunk of res.body) {
    bytes += chunk.length;
    const s = dec.decode(chunk, { stream: true });
    for (let k = s.indexOf('\n'); k >= 0; k = s.indexOf('\n', k + 1)) lines++;
  }
  return { lines, bytes };
}

const stack = await startStack({
  name: 'bench_batch',
  webPort: 5700,
  vizPort: 5706,
  servePort: 5710,
  log: 'quiet',
  env: { LOG_LEVEL: 'warn', SERVE_BATCH_MAX_ROWS: String(Math.max(ROWS, 2_000_000)) },
});
const pool = core.createPool(
  {
    host: process.env.TEST_MYSQL_HOST ?? '127.0.0.1',
    port: Number(process.env.TEST_MYSQL_PORT ?? 3306),
    user: stack.user,
    database: stack.database,
    password: new core.Secret(stack.password),
  },
  { connectionLimit: 2 },
);
const servePid = stack.serve.pid;
const hwmMb = () => {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${servePid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
};
const dbPid = mysqldPid();
const dbRoot = await mysql.createConnection(DB_ROOT);
/**
 * CPU seconds spent from here to `stop()`: serve's process, and the database server's (on this
 * machine), split by thread: the connections to this bench's database (serve's INSERTs), the server's
 * background threads (page cleaner, purge, log writer: shared with whatever else runs), and the
 * whole process (others' queries too, on a shared machine).
 */
function cpuMeter() {
  const serve0 = cpuSeconds(`/proc/${servePid}`);
  const db0 = mysqldThreads(dbPid);
  return async () => {
    const serve = cpuSeconds(`/proc/${servePid}`) - serve0;
    const db1 = mysqldThreads(dbPid);
    const [list] = await dbRoot.query('SELECT TID AS tid, DB AS db FROM information_schema.PROCESSLIST');
    const connections = new Map(list.map((r) => [Number(r.tid), r.db]));
    let own = 0;
    let background = 0;
    let all = 0;
    for (const [tid, s] of db1) {
      const d = s - (db0.get(tid) ?? 0);
      all += d;
      if (!connections.has(tid)) background += d;
      else if (connections.get(tid) === stack.database) own += d;
    }
    const r = (x) => Math.round(x * 10) / 10;
    return { serve_cpu_s: r(serve), mysqld_conn_cpu_s: r(own), mysqld_bg_cpu_s: r(background), mysqld_cpu_s: r(all) };
  };
}
let result;
try {
  const [users] = await pool.query('SELECT id FROM users WHERE username = ?', [stack.user]);
  const modelId = await new models.ModelRegistry(pool).insert({
    datasetId: 0,
    datasetName: 'synthetic',
    datasetVersion: 1,
    modelType: 'logistic_regression',
    task: 'classification',
    target: 'y',
    features,
    classes: ['0', '1'],
    grid: {},
    bestParams: {},
    splitSeed: 0,
    trainFraction: 1,
    split: { train: [], test: [] },
    cvResults: [],
    cvScore: 0,
    trainScore: 0,
    testScore: 0,
    metrics: {},
    onnx: ml.exportPipelineToOnnx(fitted, F),
    inputs: null,
    preprocessing: null,
    jobId: null,
    durationMs: 0,
    createdBy: Number(users[0].id),
  });
  const s = new Session(stack.baseURL);
  await s.signIn(stack.user, stack.password);
  const pub = await s.fetch(`/models/${modelId}/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ name: NAME, _csrf: await s.csrf(`/models/${modelId}`) }),
  });
  if (pub.status !== 303) throw new Error(`publish answered ${pub.status}`);
  const created = await s.fetch('/api-keys', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ label: 'bench', scope: '', _csrf: await s.csrf('/api-keys') }),
  });
  const key = /data-testid="new-key-value">([^<]+)</.exec(await created.text())?.[1];
  if (!key) throw new Error(`no key on the API keys page (${created.status})`);
  const auth = { authorization: `Bearer ${key}` };
  for (let i = 0; ; i++) {
    const r = await fetch(`${stack.serveURL}/v1/models/${NAME}/predict?log=false`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', ...auth },
      body: `${features.join(',')}\n${features.map(() => '0').join(',')}\n`,
    });
    if (r.ok) {
      await r.text();
      break;
    }
    if (i > 100) throw new Error(`serve never answered 200 (${r.status} ${await r.text()})`);
    await new Promise((r2) => setTimeout(r2, 100));
  }

  // The batch through the CSV API.
  let peakRss = rssMb(servePid);
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssMb(servePid));
  }, 100);
  const rssBefore = rssMb(servePid);
  const apiCpu = cpuMeter();
  const t0 = performance.now();
  const res = await fetch(`${stack.serveURL}/v1/models/${NAME}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', ...auth },
    body: Readable.toWeb(csvBody(ROWS)),
    duplex: 'half',
  });
  if (!res.ok) throw new Error(`the batch answered ${res.status}: ${await res.text()}`);
  const batchId = Number(res.headers.get('x-batch-id'));
  const out = await drain(res);
  const seconds = (performance.now() - t0) / 1000;
  const apiCpuUsed = await apiCpu();
  clearInterval(sampler);
  const [[{ n: logged }]] = await pool.query('SELECT COUNT(*) AS n FROM predictions WHERE batch_id = ?', [batchId]);
  const [[batch]] = await pool.query('SELECT status, rows_scored, rows_failed FROM prediction_batches WHERE id = ?', [
    batchId,
  ]);
  const api = {
    rows: ROWS,
    seconds: Math.round(seconds * 10) / 10,
    rows_per_s: Math.round(ROWS / seconds),
    rows_out: out.lines - 1,
    mb_out: Math.round(out.bytes / 1048576),
    logged: Number(logged),
    scored: Number(batch.rows_scored),
    errors: Number(batch.rows_failed),
    status: batch.status,
    serve_rss_before_mb: Math.round(rssBefore),
    serve_peak_rss_mb: Math.round(Math.max(peakRss, hwmMb())),
    ...apiCpuUsed,
    load: loadAverage(),
  };
  log('CSV API', JSON.stringify(api));

  // The reference: the JSON route, 1,000 instances a request, one request after another.
  const refRng = rng(3);
  const t1 = performance.now();
  let refOk = 0;
  for (let i = 0; i < REF_ROWS; i += 1000) {
    const instances = Array.from({ length: Math.min(1000, REF_ROWS - i) }, (_, k) => ({
      id: `ref-${i + k}`,
      observation: Object.fromEntries(features.map((f) => [f, refRng() * 4 - 2])),
    }));
    const r = await fetch(`${stack.serveURL}/v1/models/${NAME}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ instances }),
    });
    if (r.ok) refOk += (await r.json()).predictions.length;
    else log('JSON reference', r.status, await r.text());
  }
  const refSeconds = (performance.now() - t1) / 1000;
  const ref = { json_rows: REF_ROWS, json_ok: refOk, json_rows_per_s: Math.round(REF_ROWS / refSeconds) };
  log('JSON reference (1,000 instances a request)', JSON.stringify(ref));

  // The same rows with log=false: what scoring alone costs (parse, score, write), without the database.
  const nologCpu = cpuMeter();
  const t3 = performance.now();
  const nolog = await fetch(`${stack.serveURL}/v1/models/${NAME}/predict?log=false`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', ...auth },
    body: Readable.toWeb(csvBody(ROWS)),
    duplex: 'half',
  });
  const nologOut = await drain(nolog);
  const unlogged = {
    unlogged_rows_out: nologOut.lines - 1,
    unlogged_rows_per_s: Math.round(ROWS / ((performance.now() - t3) / 1000)),
    unlogged_serve_cpu_s: (await nologCpu()).serve_cpu_s,
  };
  log('CSV API, log=false', JSON.stringify(unlogged));

  // Through the pages' routes in web: the upload (multipart, to disk), then the scoring, streamed
  // from the upload to serve and back through web.
  let page = null;
  if (process.env.PAGE !== '0') {
    const file = join(mkdtempSync(join(tmpdir(), 'bench-batch-')), 'rows.csv');
    await pipeline(csvBody(ROWS, 4), createWriteStream(file));
    let pagePeak = rssMb(servePid);
    let webPeak = rssMb(stack.web.pid);
    const pageSampler = setInterval(() => {
      pagePeak = Math.max(pagePeak, rssMb(servePid));
      webPeak = Math.max(webPeak, rssMb(stack.web.pid));
    }, 100);
    const t2 = performance.now();
    const form = new FormData();
    form.append('file', await openAsBlob(file, { type: 'text/csv' }), 'rows.csv');
    const up = await s.fetch(`/published/${NAME}/batch/uploads`, {
      method: 'POST',
      headers: { 'x-csrf-token': await s.csrf('/account'), accept: 'application/json' },
      body: form,
    });
    if (up.status !== 201) log('page upload answered', up.status, (await up.text()).slice(0, 300));
    else {
      const { upload } = await up.json();
      const uploaded = (performance.now() - t2) / 1000;
      const pageCpu = cpuMeter();
      const t4 = performance.now();
      const r = await s.fetch(`/published/${NAME}/batch/${upload}`, {
        method: 'POST',
        headers: { 'x-csrf-token': await s.csrf('/account'), accept: 'text/csv' },
      });
      if (!r.ok) log('page scoring answered', r.status, (await r.text()).slice(0, 300));
      else {
        const pageBatch = Number(r.headers.get('x-batch-id'));
        const o = await drain(r);
        const end = performance.now();
        const scoringCpu = await pageCpu();
        const sec = (end - t2) / 1000;
        const [[{ n: pageLogged }]] = await pool.query('SELECT COUNT(*) AS n FROM predictions WHERE batch_id = ?', [
          pageBatch,
        ]);
        page = {
          page_rows_out: o.lines - 1,
          page_rows_per_s: Math.round(ROWS / sec),
          page_scoring_rows_per_s: Math.round(ROWS / ((end - t4) / 1000)),
          page_seconds: Math.round(sec * 10) / 10,
          page_upload_s: Math.round(uploaded * 10) / 10,
          page_logged: Number(pageLogged),
          page_serve_peak_rss_mb: Math.round(pagePeak),
          page_web_peak_rss_mb: Math.round(webPeak),
          ...Object.fromEntries(Object.entries(scoringCpu).map(([k, v]) => [`page_scoring_${k}`, v])),
          page_load: loadAverage(),
        };
        log('pages (upload, then score)', JSON.stringify(page));
      }
    }
    clearInterval(pageSampler);
    rmSync(file, { force: true });
  }
  result = {
    ...api,
    ...unlogged,
    ...ref,
    ...(page ?? {}),
    csv_vs_json: Math.round((api.rows_per_s / ref.json_rows_per_s) * 10) / 10,
    target_rows_per_s: 50000,
    target_rss_mb: 300,
  };
} finally {
  await pool.end();
  await dbRoot.end();
  await stack.stop();
}
console.log(JSON.stringify(result));
