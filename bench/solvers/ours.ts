// Our side of `pnpm bench:solvers`, one case per process so its peak RSS is its own: reads the
// float64 files sklearn_side.py wrote, fits our model from the production build (dist), writes our
// predictions to ours_pred.f64 and prints one JSON line: seconds, peak RSS (MB), test score.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ml = await import('../../services/ml/dist/index.js');
const { Matrix, classificationTarget, regressionTarget, score, gridSearchCV, defaultGrid, modelSpec } = ml;

const [caseName, dir] = process.argv.slice(2);
const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as { cols: number; train: number; test: number };
const f64 = (name: string): Float64Array => {
  const b = readFileSync(join(dir, `${name}.f64`));
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};
const Xtr = new Matrix(meta.train, meta.cols, f64('Xtr'));
const Xte = new Matrix(meta.test, meta.cols, f64('Xte'));
const labels = (v: Float64Array) => Array.from(v, (x) => String(x));
const regression = caseName === 'svr';
const ytr = regression ? regressionTarget(Array.from(f64('ytr'))) : classificationTarget(labels(f64('ytr')));
const yte = regression ? regressionTarget(Array.from(f64('yte'))) : classificationTarget(labels(f64('yte')));

const create: Record<string, string> = {
  logistic: 'logistic_regression',
  knn: 'knn_classifier',
  svc: 'svc',
  svr: 'svr',
};
const extra: Record<string, number> = {};
const t0 = performance.now();
const c0 = process.cpuUsage();
let model;
if (caseName.endsWith('_grid')) {
  const id = caseName === 'logistic_grid' ? 'logistic_regression' : 'linear_svc';
  // scikit-learn's side is a StandardScaler + model pipeline in GridSearchCV, n_jobs=1: one thread here too
  const r = await gridSearchCV(Xtr, ytr, { estimator: id, grid: defaultGrid(modelSpec(id)), workers: 0, seed: 0 });
  model = r.bestModel;
  extra.best_C = Number(r.bestParams.C);
} else {
  model = modelSpec(create[caseName])
    .create(caseName === 'knn' ? { n_neighbors: 5 } : {})
    .fit(Xtr, ytr, { seed: 0 });
}
const fitS = (performance.now() - t0) / 1000;
const fitCpu = process.cpuUsage(c0).user / 1e6;
const t1 = performance.now();
const pred = model.predict(Xte);
const predictS = (performance.now() - t1) / 1000;
const totalCpu = process.cpuUsage(c0).user / 1e6;
// classification labels are the class strings; write them back as the numbers sklearn predicts
const out = regression
  ? Float64Array.from(pred)
  : Float64Array.from(pred, (c) => Number((model as { classes: readonly string[] }).classes[c]));
writeFileSync(join(dir, 'ours_pred.f64'), new Uint8Array(out.buffer));
const s = score(model, Xte, yte);
if ('supportVectors' in model) extra.support = (model as { supportVectors: { rows: number } }).supportVectors.rows;
console.log(
  JSON.stringify({
    fit_s: fitS,
    predict_s: predictS,
    fit_cpu_s: fitCpu,
    cpu_s: totalCpu,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    score: s,
    ...extra,
  }),
);
