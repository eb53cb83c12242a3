// `pnpm bench:train [--full] [--model=ID …] [--dataset=NAME …] [--no-sklearn] [--compare]`: the seed workload (StandardScaler +
// model, 80/20 split with seed 214, 5-fold GridSearchCV over the default grids) for every
// registered model on the four toy datasets, ours and scikit-learn's (GridSearchCV n_jobs=-1 via
// Debian's /usr/bin/python3) one after the other in the same run. Prints a table and, last, one
// JSON line: {"ours_s","sklearn_s","ratio","worst_score_gap","peak_rss_mb","mixed_preprocessing_share"}.
// Then the mixed tables (`--no-mixed` skips them): penguins and Auto MPG with its text origin and
// missing horsepower, through ColumnTransformer (imputation, scaling, one-hot) + model, ours against
// scikit-learn's ColumnTransformer pipelines; `pre_share` is the preprocessing's share of our time
// (fitting and applying the ColumnTransformer for the 5 folds and the refit, timed on one thread —
// what each worker does once per fold it works on).
// `--compare` adds Compare-all (successive halving over every model's search space) on each toy
// dataset and mixed table with a budget of the time our grids of that dataset took (less 5 % for the
// search's end), against the best CV score of those grids (the same folds: Compare's last round uses every training row in order);
// Compare's score is its soft-voting ensemble's (cross-validated inside the budget) when that beats its best single model. The JSON
// line gains `compare` per dataset and `compare_equal_or_better` (target: true on every dataset).
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATASETS, MIXED, readMixedColumns, readToy } from '../../services/ml/test/support/toy-csv.js';
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');

// We measure the production build: compile services/ml (not timed) and load it from dist, so the
// worker threads run plain JavaScript as they would in the server.
process.stderr.write('building services/ml …\n');
execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-b', join(ROOT, 'services', 'ml')], { stdio: 'inherit' });
const ml = await import('../../services/ml/dist/index.js');
const {
  gridSearchCV,
  sharedPool,
  MODELS,
  defaultGrid,
  score,
  Matrix,
  trainTestSplit,
  takeTarget,
  classificationTarget,
  regressionTarget,
  ColumnTransformer,
  tableFromColumns,
  cvFolds,
  compareModels,
} = ml;
type ParamGrid = import('../../services/ml/dist/index.js').ParamGrid;

function workload(name: (typeof DATASETS)[number]) {
  const raw = readToy(name);
  const X = Matrix.fromRows(raw.rows);
  const y = raw.task === 'classification' ? classificationTarget(raw.labels) : regressionTarget(raw.labels.map(Number));
  const sp = trainTestSplit(X.rows, 0.8, 214);
  return {
    task: raw.task,
    Xtr: X.takeRows(sp.train),
    ytr: takeTarget(y, sp.train),
    Xte: X.takeRows(sp.test),
    yte: takeTarget(y, sp.test),
  };
}
const args = process.argv.slice(2);
const full = args.includes('--full');
const only = args.filter((a) => a.startsWith('--model=')).map((a) => a.slice('--model='.length));
const withSklearn = !args.includes('--no-sklearn');
const withMixed = !args.includes('--no-mixed');
const withCompare = args.includes('--compare');
const onlyData = args.filter((a) => a.startsWith('--dataset=')).map((a) => a.slice('--dataset='.length));
const gridBest = new Map<string, { cv: number; s: number }>();
const compared: Record<
  string,
  {
    cv: number;
    grid_cv: number;
    s: number;
    grid_s: number;
    candidates: number;
    brackets: number;
    best: string;
    stopped_by: string;
  }
> = {};

function mixedWorkload(name: (typeof MIXED)[number]) {
  const raw = readMixedColumns(name);
  const { X, schema } = tableFromColumns(raw.columns);
  const y = raw.task === 'classification' ? classificationTarget(raw.labels) : regressionTarget(raw.labels.map(Number));
  const sp = trainTestSplit(X.rows, 0.8, 214);
  return {
    task: raw.task,
    schema,
    Xtr: X.takeRows(sp.train),
    ytr: takeTarget(y, sp.train),
    Xte: X.takeRows(sp.test),
    yte: takeTarget(y, sp.test),
  };
}

/** Seconds to fit and apply the ColumnTransformer for every CV fold and the refit (median of 21 runs). */
function preprocessingSeconds(w: ReturnType<typeof mixedWorkload>): number {
  const ct = new ColumnTransformer(w.schema);
  const folds = cvFolds(w.Xtr, w.ytr, 5);
  const runs: number[] = [];
  for (let r = 0; r < 21; r++) {
    const t0 = performance.now();
    for (const f of folds) {
      const m = ct.fit(w.Xtr.takeRows(f.train));
      m.transform(w.Xtr.takeRows(f.train));
      m.transform(w.Xtr.takeRows(f.test));
    }
    const m = ct.fit(w.Xtr);
    m.transform(w.Xtr);
    m.transform(w.Xte);
    runs.push((performance.now() - t0) / 1000);
  }
  return runs.sort((a, b) => a - b)[10];
}

// The reduced boosting grid of the default run (27 candidates); --full uses the sliders' 400.
const REDUCED_BOOST: ParamGrid = {
  learning_rate: [0.1, 0.5, 1.0],
  n_estimators: [50, 150, 250],
  max_depth: [3, 6, 10],
};

interface Row {
  dataset: string;
  model: string;
  ours_s: number;
  ours_test: number;
  sk_s?: number;
  sk_test?: number;
  pre_s?: number;
}
const rows: Row[] = [];

const pool = sharedPool();
// Starting the workers (loading the engine in each) is part of our time; timed on its own line.
const tPool = performance.now();
await pool.ready();
const poolStart = (performance.now() - tPool) / 1000;
process.stderr.write(`ours worker pool start: ${poolStart.toFixed(3)} s\n`);
/**
 * Compare-all on one table with a budget of what our grids of it took, less 5 % for the end of the
 * search (the abort of the work in flight, the leaderboard), against the best CV score of the grids.
 */
async function compareOn(
  name: string,
  w: { Xtr: InstanceType<typeof Matrix>; ytr: ReturnType<typeof takeTarget> },
  columns?: InstanceType<typeof ColumnTransformer>,
) {
  const g = gridBest.get(name);
  if (!withCompare || !g) return;
  const t0 = performance.now();
  const c = await compareModels(w.Xtr, w.ytr, {
    budgetSeconds: g.s * 0.95,
    workers: pool,
    seed: 0,
    ensemble: 3,
    ...(columns ? { columns } : {}),
  });
  const s = (performance.now() - t0) / 1000;
  const best = c.leaderboard[0];
  const single = best?.meanScore ?? NaN;
  // the soft-voting ensemble is Compare's answer when it beats the best single model (as the job ranks it)
  const e = c.ensemble;
  const voted = e !== null && e.meanScore > single;
  const cv = voted ? e.meanScore : single;
  const by = voted ? `soft_voting(${e.members.map((m) => m.model).join('+')})` : (best?.model ?? '');
  compared[name] = {
    cv: +cv.toFixed(4),
    grid_cv: +g.cv.toFixed(4),
    s: +s.toFixed(3),
    grid_s: +g.s.toFixed(3),
    candidates: c.leaderboard.length,
    brackets: c.brackets,
    best: by,
    stopped_by: c.stoppedBy,
  };
  process.stderr.write(
    `compare ${name}: best CV ${cv.toFixed(4)} by ${by} (best single ${single.toFixed(4)} by ${best?.model ?? '—'} ${JSON.stringify(best?.params ?? {})}; ensemble ${e ? e.meanScore.toFixed(4) : 'not run'}) (grids ${g.cv.toFixed(4)}) in ${s.toFixed(1)} s (grids ${g.s.toFixed(1)} s), ${c.leaderboard.length} candidates in ${c.brackets} brackets, ${c.stoppedBy}\n`,
  );
}

for (const name of DATASETS.filter((d) => onlyData.length === 0 || onlyData.includes(d))) {
  const w = workload(name);
  const task = w.task;
  for (const spec of MODELS.filter((m) => m.task === task && (only.length === 0 || only.includes(m.id)))) {
    const grid = spec.id.startsWith('gradient_boosting') && !full ? REDUCED_BOOST : defaultGrid(spec);
    const t0 = performance.now();
    const r = await gridSearchCV(w.Xtr, w.ytr, { estimator: spec.id, grid, workers: pool, seed: 0 });
    const test = score(r.bestModel, w.Xte, w.yte);
    const s = (performance.now() - t0) / 1000;
    rows.push({ dataset: name, model: spec.id, ours_s: s, ours_test: test });
    const g = gridBest.get(name) ?? { cv: -Infinity, s: 0 };
    gridBest.set(name, { cv: Math.max(g.cv, r.bestScore), s: g.s + s });
    process.stderr.write(
      `ours ${name} ${spec.id}: ${s.toFixed(3)} s, CV ${r.bestScore.toFixed(4)} at ${JSON.stringify(r.bestParams)}, test ${test.toFixed(4)}\n`,
    );
  }
  await compareOn(name, w);
}
if (withMixed) {
  for (const name of MIXED.filter((d) => onlyData.length === 0 || onlyData.includes(d))) {
    const w = mixedWorkload(name);
    const pre = preprocessingSeconds(w);
    process.stderr.write(`ours mixed ${name}: ColumnTransformer for 5 folds + refit ${(pre * 1000).toFixed(1)} ms\n`);
    for (const spec of MODELS.filter((m) => m.task === w.task && (only.length === 0 || only.includes(m.id)))) {
      const grid = spec.id.startsWith('gradient_boosting') && !full ? REDUCED_BOOST : defaultGrid(spec);
      const t0 = performance.now();
      const r = await gridSearchCV(w.Xtr, w.ytr, {
        estimator: spec.id,
        grid,
        columns: new ColumnTransformer(w.schema),
        workers: pool,
        seed: 0,
      });
      const test = score(r.bestModel, w.Xte, w.yte);
      const s = (performance.now() - t0) / 1000;
      rows.push({ dataset: `${name}*`, model: spec.id, ours_s: s, ours_test: test, pre_s: pre });
      const g = gridBest.get(`${name}*`) ?? { cv: -Infinity, s: 0 };
      gridBest.set(`${name}*`, { cv: Math.max(g.cv, r.bestScore), s: g.s + s });
      process.stderr.write(`ours mixed ${name} ${spec.id}: ${s.toFixed(3)} s, test ${test.toFixed(4)}\n`);
    }
    await compareOn(`${name}*`, w, new ColumnTransformer(w.schema));
  }
}
await pool.close();

let sklearnAvailable = false;
if (withSklearn) {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import sklearn'], { stdio: 'ignore' });
  sklearnAvailable = probe.status === 0;
  if (!sklearnAvailable) process.stderr.write('scikit-learn not found under /usr/bin/python3: ours only\n');
}
if (sklearnAvailable) {
  const pyArgs = [
    join(HERE, 'sklearn_bench.py'),
    ...(full ? ['--full'] : []),
    ...(withMixed ? [] : ['--no-mixed']),
    ...only.map((m) => `--model=${m}`),
  ];
  // loky's worker processes do not inherit warning filters: silence ConvergenceWarning floods
  const env = { ...process.env, PYTHONWARNINGS: 'ignore' };
  const out = execFileSync('/usr/bin/python3', pyArgs, {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    stdio: ['ignore', 'pipe', 'inherit'],
    env,
  });
  for (const line of out.trim().split('\n')) {
    const o = JSON.parse(line) as { dataset: string; model: string; seconds: number; test_score: number };
    const row = rows.find((r) => r.dataset === o.dataset && r.model === o.model);
    if (row) {
      row.sk_s = o.seconds;
      row.sk_test = o.test_score;
    }
  }
}

const pad = (s: string, n: number) => s.padEnd(n);
const num = (v: number | undefined, d: number) => (v === undefined ? '—' : v.toFixed(d)).padStart(11);
console.log(
  `${pad('dataset', 10)}${pad('model', 30)}${['ours_s', 'sklearn_s', 'ratio'].map((h) => h.padStart(11)).join('')}  ${['ours_test', 'sk_test', 'pre_share'].map((h) => h.padStart(11)).join('')}`,
);
for (const r of rows) {
  const ratio = r.sk_s === undefined ? undefined : r.ours_s / r.sk_s;
  const share = r.pre_s === undefined ? undefined : r.pre_s / r.ours_s;
  console.log(
    `${pad(r.dataset, 10)}${pad(r.model, 30)}${num(r.ours_s, 3)}${num(r.sk_s, 3)}${num(ratio, 3)}  ${num(r.ours_test, 4)}${num(r.sk_test, 4)}${num(share, 3)}`,
  );
}
if (withCompare) {
  console.log(
    `\n${pad('compare', 12)}${['best_cv', 'grids_cv', 'ours_s', 'grids_s', 'cands', 'brackets'].map((h) => h.padStart(10)).join('')}  best model`,
  );
  for (const [name, c] of Object.entries(compared)) {
    console.log(
      `${pad(name, 12)}${[c.cv.toFixed(4), c.grid_cv.toFixed(4), c.s.toFixed(1), c.grid_s.toFixed(1), String(c.candidates), String(c.brackets)].map((v) => v.padStart(10)).join('')}  ${c.best}`,
    );
  }
}
if (withMixed)
  console.log('* mixed table: ColumnTransformer (mean imputation + scaling; text: constant fill + one-hot) + model');
console.log(`${pad('(worker pool start)', 40)}${num(poolStart, 3)}`);
const ours = poolStart + rows.reduce((a, r) => a + r.ours_s, 0);
const sk = sklearnAvailable ? rows.reduce((a, r) => a + (r.sk_s ?? 0), 0) : null;
const gaps = rows.filter((r) => r.sk_test !== undefined).map((r) => (r.sk_test ?? 0) - r.ours_test);
const worst = gaps.length ? Math.max(0, ...gaps) : null;
const peak = process.resourceUsage().maxRSS / 1024;
// preprocessing's share of our time over all mixed-table searches
const mixedRows = rows.filter((r) => r.pre_s !== undefined);
const mixedShare = mixedRows.length
  ? mixedRows.reduce((a, r) => a + (r.pre_s ?? 0), 0) / mixedRows.reduce((a, r) => a + r.ours_s, 0)
  : null;
console.log(`${pad('total', 40)}${num(ours, 3)}${num(sk ?? undefined, 3)}${num(sk ? ours / sk : undefined, 3)}`);
console.log(
  JSON.stringify({
    ours_s: +ours.toFixed(3),
    sklearn_s: sk === null ? null : +sk.toFixed(3),
    ratio: sk === null ? null : +(ours / sk).toFixed(4),
    worst_score_gap: worst === null ? null : +worst.toFixed(4),
    peak_rss_mb: +peak.toFixed(1),
    mixed_preprocessing_share: mixedShare === null ? null : +mixedShare.toFixed(4),
    ...(withCompare
      ? { compare: compared, compare_equal_or_better: Object.values(compared).every((c) => c.cv >= c.grid_cv - 1e-12) }
      : {}),
  }),
);
