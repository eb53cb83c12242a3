// pnpm bench:serve — the prediction API against the tutorial app (peer), on this machine.
// Starts web + viz + serve (SERVE_WORKERS, default 1 as in the product: on 2 cores a second
// worker only contends with the database and wrk) against a fresh database, fits the
// tutorial's model (StandardScaler + LogisticRegression on Breast Cancer from Debian's
// python3-sklearn) with our ML engine, stores it as ONNX, publishes it and creates an API key
// through web's pages, then drives POST /v1/models/breast-cancer/predict with Debian's wrk
// (unique ids, 3 s warm-up, DUR s at 8 and at 32 connections) and counts the stored rows.
// Then runs the peer (../shared/peers/seed-api/run.sh, CONNS=32) the same way.
// Then the mixed-table levels at 32 connections: a penguins model (text island and sex, numbers,
// a ColumnTransformer pipeline with one ONNX input per column) called with strings and at least
// one null in every request, and the Breast Cancer model trained the way the product now trains
// every model (ColumnTransformer, 30 float inputs), beside the numeric model's figures.
// Then the challenger level (issue 19) at 32 connections: the numeric model alone once more, then
// with a challenger attached (another logistic regression, C = 0.1, set through web's page), which
// scores every request beside it and is logged too (stored = 2 × acked); target: within 25 % of the
// champion-only requests/s.
// Last line: one JSON object {ours_rps, peer_rps, ratio, p99_ms_32, p99_ms_8, acked, stored, errors,
// penguins_rps, penguins_p99_ms, penguins_vs_numeric, columns_rps, columns_p99_ms,
// champion_only_rps, challenger_rps, challenger_vs_champion, challenger_p99_ms, challenger_acked, challenger_stored, …}.
// Env: DUR (20), WORKERS (1), PEER (1; 0 skips the peer), PEER_PORT (5620).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startStack } from '../../scripts/stack.mjs';
import { Session } from '../lib.mjs';

const ROOT = resolve(import.meta.dirname, '..', '..');
const DUR = Number(process.env.DUR ?? 20);
const WORKERS = process.env.WORKERS ?? '1';
const NAME = 'breast-cancer';
const log = (...a) => console.error('[bench:serve]', ...a);

if (spawnSync('wrk', ['--version']).error) {
  console.error("bench:serve needs Debian's wrk: apt-get install wrk");
  process.exit(1);
}
if (
  spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'web', 'viz', 'serve'], {
    cwd: ROOT,
    stdio: 'inherit',
  }).status !== 0
)
  process.exit(1);

// The data, from Debian's scikit-learn (the same rows the peer trains on).
const data = JSON.parse(
  execFileSync(
    '/usr/bin/python3',
    [
      '-c',
      `
import json
from sklearn.datasets import load_breast_cancer
d = load_breast_cancer()
print(json.dumps({"columns": list(d.feature_names), "X": d.data.tolist(), "y": d.target.tolist()}))`,
    ],
    { maxBuffer: 64 << 20 },
  ).toString(),
);
const work = mkdtempSync(join(tmpdir(), 'bench-serve-'));
const obsFile = join(work, 'obs.txt');
writeFileSync(
  obsFile,
  data.X.filter((_, i) => i % 9 === 0)
    .map((row) => JSON.stringify(Object.fromEntries(data.columns.map((c, j) => [c, row[j]]))))
    .join('\n') + '\n',
);

// Penguins, with text and missing values, as the data layer reads them (empty cell = missing).
const [pHead, ...pLines] = readFileSync(join(ROOT, 'db', 'datasets', 'penguins.csv'), 'utf8')
  .trim()
  .split('\n');
const pCols = pHead.split(',');
const pRows = pLines.map((l) => l.split(','));
const TEXT = new Set(['island', 'sex']);
const P_FEATURES = pCols.filter((c) => c !== 'species');
const penguinColumns = P_FEATURES.map((name) => {
  const j = pCols.indexOf(name);
  return TEXT.has(name)
    ? { name, kind: 'categorical', values: pRows.map((r) => (r[j] === '' ? null : r[j])) }
    : { name, kind: 'numeric', values: Float64Array.from(pRows, (r) => (r[j] === '' ? NaN : Number(r[j]))) };
});
// Every request has a null: observation i leaves out numeric feature i mod 5 (and keeps the data's own gaps).
const NUMERIC = P_FEATURES.filter((f) => !TEXT.has(f));
const penguinObs = join(work, 'penguins-obs.txt');
writeFileSync(
  penguinObs,
  pRows
    .map((r, i) =>
      JSON.stringify(
        Object.fromEntries(
          P_FEATURES.map((f) => {
            const v = r[pCols.indexOf(f)];
            if (f === NUMERIC[i % NUMERIC.length] || v === '') return [f, null];
            return [f, TEXT.has(f) ? v : Number(v)];
          }),
        ),
      ),
    )
    .join('\n') + '\n',
);

const ml = await import('../../services/ml/dist/index.js');
const { modelInputs, engineColumns } = await import('../../viz/dist/training/model-columns.js');
/** A ColumnTransformer + logistic regression pipeline on these columns, as the product trains it: ONNX bytes and input contract. */
function columnsModel(columns, labels) {
  const { raw, parts } = engineColumns(columns);
  const table = ml.tableFromColumns(raw);
  const m = new ml.Pipeline(new ml.LogisticRegression({ max_iter: 1000 }), new ml.ColumnTransformer(table.schema)).fit(
    table.X,
    ml.classificationTarget(labels),
  );
  return {
    onnx: ml.exportPipelineToOnnx(m, table.schema.length),
    inputs: modelInputs(columns, parts, m.columns),
    classes: m.classes,
  };
}
const penguinModel = columnsModel(
  penguinColumns,
  pRows.map((r) => r[pCols.indexOf('species')]),
);
const bcModel = columnsModel(
  data.columns.map((name, j) => ({ name, kind: 'numeric', values: Float64Array.from(data.X, (r) => r[j]) })),
  data.y.map(String),
);
const models = await import('../../services/models/dist/index.js');
const core = await import('../../services/core/dist/index.js');
const fitted = new ml.Pipeline(new ml.LogisticRegression({ max_iter: 1000 })).fit(
  ml.Matrix.fromRows(data.X),
  ml.classificationTarget(data.y.map(String)),
);
const onnx = ml.exportPipelineToOnnx(fitted, data.columns.length);

const stack = await startStack({
  name: 'bench_serve',
  webPort: 5600,
  vizPort: 5606,
  servePort: 5610,
  log: 'quiet',
  env: { SERVE_WORKERS: WORKERS, LOG_LEVEL: 'warn' },
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
const countRows = async () => {
  const [r] = await pool.query('SELECT COUNT(*) AS n FROM predictions WHERE model_name = ?', [NAME]);
  return Number(r[0].n);
};
let result;
try {
  const [users] = await pool.query('SELECT id FROM users WHERE username = ?', [stack.user]);
  const insert = (name, features, m) =>
    new models.ModelRegistry(pool).insert({
      datasetId: 0,
      datasetName: name,
      datasetVersion: 1,
      modelType: 'logistic_regression',
      task: 'classification',
      target: 'target',
      features,
      classes: [...m.classes],
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
      onnx: m.onnx,
      inputs: m.inputs ?? null,
      preprocessing: null,
      jobId: null,
      durationMs: 0,
      createdBy: Number(users[0].id),
    });
  const s = new Session(stack.baseURL);
  await s.signIn(stack.user, stack.password);
  const publish = async (modelId, name) => {
    const pub = await s.fetch(`/models/${modelId}/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name, _csrf: await s.csrf(`/models/${modelId}`) }),
    });
    if (pub.status !== 303) throw new Error(`publish ${name} answered ${pub.status}`);
  };
  await publish(await insert('breast-cancer', data.columns, { onnx, classes: ['0', '1'] }), NAME);
  await publish(await insert('penguins', P_FEATURES, penguinModel), 'penguins');
  await publish(await insert('breast-cancer', data.columns, bcModel), 'breast-cancer-columns');
  const created = await s.fetch('/api-keys', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ label: 'bench', scope: '', _csrf: await s.csrf('/api-keys') }),
  });
  const key = /data-testid="new-key-value">([^<]+)</.exec(await created.text())?.[1];
  if (!key) throw new Error(`no key on the API keys page (${created.status})`);
  // Wait until serve has loaded the model and knows the key.
  const firstObs = (file) => JSON.parse(readFileSync(file, 'utf8').split('\n')[0]);
  for (const [name, file] of [
    [NAME, obsFile],
    ['penguins', penguinObs],
    ['breast-cancer-columns', obsFile],
  ]) {
    for (let i = 0; ; i++) {
      const r = await fetch(`${stack.serveURL}/v1/models/${name}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ id: -1 - i, observation: firstObs(file) }),
      });
      if (r.ok) break;
      if (i > 100) throw new Error(`serve never answered 200 for ${name} (${r.status} ${await r.text()})`);
      await new Promise((r2) => setTimeout(r2, 100));
    }
  }
  const wrk = (conns, secs, base, name = NAME, file = obsFile) => {
    const out = execFileSync(
      'wrk',
      [
        '-t1',
        `-c${conns}`,
        `-d${secs}s`,
        '--timeout',
        '10s',
        '--latency',
        '-s',
        join(import.meta.dirname, 'predict.lua'),
        stack.serveURL,
        '--',
        String(base),
        file,
        `/v1/models/${name}/predict`,
        key,
      ],
      { maxBuffer: 16 << 20 },
    ).toString();
    return JSON.parse(out.trim().split('\n').at(-1));
  };
  const countOf = async (name) => {
    const [r] = await pool.query('SELECT COUNT(*) AS n FROM predictions WHERE model_name = ?', [name]);
    return Number(r[0].n);
  };
  const runs = {};
  let base = 1_000_000_000;
  for (const conns of [8, 32]) {
    base += 100_000_000;
    wrk(conns, 3, base);
    await new Promise((r) => setTimeout(r, 1500));
    const before = await countRows();
    base += 100_000_000;
    const w = wrk(conns, DUR, base);
    await new Promise((r) => setTimeout(r, 2000));
    const stored = (await countRows()) - before;
    runs[conns] = { ...w, stored };
    log(`ours c=${conns}`, JSON.stringify(runs[conns]));
  }
  const mixed = {};
  for (const [name, file] of [
    ['penguins', penguinObs],
    ['breast-cancer-columns', obsFile],
  ]) {
    base += 100_000_000;
    wrk(32, 3, base, name, file);
    await new Promise((r) => setTimeout(r, 1500));
    const before = await countOf(name);
    base += 100_000_000;
    const w = wrk(32, DUR, base, name, file);
    await new Promise((r) => setTimeout(r, 2000));
    mixed[name] = { ...w, stored: (await countOf(name)) - before };
    log(`ours ${name} c=32`, JSON.stringify(mixed[name]));
  }
  // The challenger level: champion alone, then with a challenger, back to back in the same conditions.
  base += 100_000_000;
  wrk(32, 3, base);
  await new Promise((r) => setTimeout(r, 1500));
  base += 100_000_000;
  const championOnly = wrk(32, DUR, base);
  log('ours champion only c=32', JSON.stringify(championOnly));
  const weaker = new ml.Pipeline(new ml.LogisticRegression({ C: 0.1, max_iter: 1000 })).fit(
    ml.Matrix.fromRows(data.X),
    ml.classificationTarget(data.y.map(String)),
  );
  const challengerId = await insert('breast-cancer', data.columns, {
    onnx: ml.exportPipelineToOnnx(weaker, data.columns.length),
    classes: ['0', '1'],
  });
  const set = await s.fetch(`/published/${NAME}/challenger`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ model: String(challengerId), _csrf: await s.csrf('/published') }),
  });
  if (set.status !== 303 && set.status !== 200)
    throw new Error(`setting the challenger answered ${set.status}: ${await set.text()}`);
  const countRole = async (role) => {
    const [r] = await pool.query('SELECT COUNT(*) AS n FROM predictions WHERE model_name = ? AND role = ?', [
      NAME,
      role,
    ]);
    return Number(r[0].n);
  };
  for (let i = 0; (await countRole('challenger')) === 0; i++) {
    if (i > 100) throw new Error('serve never scored with the challenger');
    await fetch(`${stack.serveURL}/v1/models/${NAME}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ id: `challenger-probe-${i}`, observation: firstObs(obsFile) }),
    });
    await new Promise((r2) => setTimeout(r2, 100));
  }
  base += 100_000_000;
  wrk(32, 3, base);
  await new Promise((r) => setTimeout(r, 1500));
  const beforeChallenger = await Promise.all([countRole('champion'), countRole('challenger')]);
  base += 100_000_000;
  const withChallenger = wrk(32, DUR, base);
  await new Promise((r) => setTimeout(r, 2000));
  const afterChallenger = await Promise.all([countRole('champion'), countRole('challenger')]);
  withChallenger.stored = afterChallenger[0] - beforeChallenger[0] + afterChallenger[1] - beforeChallenger[1];
  withChallenger.stored_challenger = afterChallenger[1] - beforeChallenger[1];
  log('ours with challenger c=32', JSON.stringify(withChallenger));
  // serve's own view: group-commit time and rows per commit (from its /metrics histograms).
  const metrics = await (await fetch(`${stack.serveURL}/metrics`)).text();
  const quantileOf = (name, q) => {
    const buckets = [...metrics.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+)$`, 'gm'))].map((m) => [
      Number(m[1]),
      Number(m[2]),
    ]);
    const total = buckets.at(-1)?.[1] ?? 0;
    return buckets.find(([, c]) => c >= q * total)?.[0] ?? null;
  };
  const commits = {
    commit_ms_p50_le: quantileOf('enchilada_serve_prediction_commit_seconds', 0.5) * 1000,
    commit_ms_p99_le: quantileOf('enchilada_serve_prediction_commit_seconds', 0.99) * 1000,
    rows_per_commit_p50_le: quantileOf('enchilada_serve_prediction_commit_rows', 0.5),
  };
  log('serve commits (bucket upper bounds)', JSON.stringify(commits));
  let peer = null;
  if (process.env.PEER !== '0') {
    const p = spawnSync('bash', [resolve(ROOT, '..', 'shared', 'peers', 'seed-api', 'run.sh')], {
      env: { ...process.env, CONNS: '32', DUR: String(DUR), PORT: process.env.PEER_PORT ?? '5620' },
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 300_000,
    });
    const line = p.stdout?.toString().trim().split('\n').at(-1) ?? '';
    try {
      peer = JSON.parse(line);
    } catch {
      log('peer gave no JSON line:', line);
    }
    log('peer c=32', JSON.stringify(peer));
  }
  const r8 = runs[8];
  const r32 = runs[32];
  const pg = mixed.penguins;
  const bc = mixed['breast-cancer-columns'];
  const errors = [r8, r32, pg, bc, championOnly, withChallenger].reduce(
    (n, r) => n + r.non2xx + r.socket_errors + r.app_errors,
    0,
  );
  result = {
    ours_rps: r32.rps,
    peer_rps: peer?.rps ?? null,
    ratio: peer?.rps ? Math.round((r32.rps / peer.rps) * 10) / 10 : null,
    p99_ms_32: r32.p99_ms,
    p99_ms_8: r8.p99_ms,
    acked: r8.ok2xx + r32.ok2xx,
    stored: r8.stored + r32.stored,
    errors,
    rps_8: r8.rps,
    p50_ms_32: r32.p50_ms,
    p50_ms_8: r8.p50_ms,
    peer_p99_ms_32: peer?.p99_ms ?? null,
    peer_acked: peer?.acked ?? null,
    peer_stored: peer?.stored ?? null,
    penguins_rps: pg.rps,
    penguins_p99_ms: pg.p99_ms,
    penguins_vs_numeric: Math.round((pg.rps / r32.rps) * 1000) / 1000,
    penguins_acked: pg.ok2xx,
    penguins_stored: pg.stored,
    columns_rps: bc.rps,
    columns_p99_ms: bc.p99_ms,
    columns_vs_numeric: Math.round((bc.rps / r32.rps) * 1000) / 1000,
    champion_only_rps: championOnly.rps,
    challenger_rps: withChallenger.rps,
    challenger_vs_champion: Math.round((withChallenger.rps / championOnly.rps) * 1000) / 1000,
    champion_only_p99_ms: championOnly.p99_ms,
    challenger_p99_ms: withChallenger.p99_ms,
    challenger_acked: withChallenger.ok2xx,
    challenger_stored: withChallenger.stored,
    challenger_stored_challenger_rows: withChallenger.stored_challenger,
    workers: Number(WORKERS),
    dur_s: DUR,
  };
} finally {
  await pool.end();
  await stack.stop();
}
console.log(JSON.stringify(result));
