// pnpm bench:results — through the real HTTP routes of web + viz (started here against a fresh
// database): seconds from the Train request to results ready (job done and the results document
// built) for Iris/logistic regression and Wine/random forest with the default grids, and the ONNX
// parity of all fifteen models on the four toy datasets (each trained with one candidate: the
// largest onnxruntime-vs-TypeScript difference and the label mismatches on the test rows).
// Last line: one JSON object.
import { spawnSync } from 'node:child_process';
import { startStack } from '../../scripts/stack.mjs';
import { Session } from '../lib.mjs';

if (
  spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'web', 'viz'], { stdio: 'inherit' }).status !==
  0
)
  process.exit(1);
const stack = await startStack({ name: 'bench_results', webPort: 5320, vizPort: 5326, log: 'quiet' });

const FEATURES = {
  iris: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'],
  wine: [
    'alcohol',
    'malic_acid',
    'ash',
    'alcalinity_of_ash',
    'magnesium',
    'total_phenols',
    'flavanoids',
    'nonflavanoid_phenols',
    'proanthocyanins',
    'color_intensity',
    'hue',
    'od280_od315_of_diluted_wines',
    'proline',
  ],
  boston: ['CRIM', 'ZN', 'INDUS', 'CHAS', 'NOX', 'RM', 'AGE', 'DIS', 'RAD', 'TAX', 'PTRATIO', 'B', 'LSTAT'],
  'auto-mpg': ['cylinders', 'displacement', 'horsepower', 'weight', 'acceleration', 'model_year'],
};
const MODELS = {
  classification: [
    'logistic_regression',
    'knn_classifier',
    'gaussian_nb',
    'linear_svc',
    'svc',
    'random_forest_classifier',
    'gradient_boosting_classifier',
  ],
  regression: [
    'linear_regression',
    'ridge',
    'lasso',
    'knn_regressor',
    'linear_svr',
    'svr',
    'random_forest_regressor',
    'gradient_boosting_regressor',
  ],
};
const ONE = {
  C: { min: 10.1, max: 10.1 },
  alpha: { min: 0.1, max: 0.1 },
  n_neighbors: { min: 5, max: 5 },
  n_estimators: { min: 50, max: 50 },
  max_depth: { min: 3, max: 3 },
  learning_rate: { min: 0.1, max: 0.1 },
};
const USES = {
  logistic_regression: ['C'],
  linear_svc: ['C'],
  svc: ['C'],
  linear_svr: ['C'],
  svr: ['C'],
  ridge: ['alpha'],
  lasso: ['alpha'],
  knn_classifier: ['n_neighbors'],
  knn_regressor: ['n_neighbors'],
  random_forest_classifier: ['n_estimators', 'max_depth'],
  random_forest_regressor: ['n_estimators', 'max_depth'],
  gradient_boosting_classifier: ['n_estimators', 'max_depth', 'learning_rate'],
  gradient_boosting_regressor: ['n_estimators', 'max_depth', 'learning_rate'],
};

async function train(s, csrf, body) {
  const res = await s.fetch('/api/train', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, accept: 'application/json' },
    body: JSON.stringify(body),
  });
  const out = await res.json();
  if (res.status !== 202) throw new Error(`train ${JSON.stringify(body)}: ${res.status} ${out.message}`);
  for (;;) {
    const j = await (await s.fetch(`/api/jobs/${out.job}`, { headers: { accept: 'application/json' } })).json();
    if (j.status === 'done') return j.result;
    if (j.status !== 'queued' && j.status !== 'running') throw new Error(`job ${out.job} ${j.status}: ${j.error}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

try {
  const s = new Session(stack.baseURL);
  await s.signIn(stack.user, stack.password);
  const ids = {};
  for (const name of Object.keys(FEATURES)) ids[name] = await s.loadToy(name);
  const csrf = await s.csrf();
  const timed = async (dataset, model) => {
    const t0 = performance.now();
    const r = await train(s, csrf, { dataset: ids[dataset], model, features: FEATURES[dataset], trainFraction: 0.8 });
    const doc = await s.fetch(`/viz/documents/results?model=${r.modelId}`, { headers: { accept: 'application/json' } });
    await doc.text();
    if (doc.status !== 200) throw new Error(`results ${r.modelId}: ${doc.status}`);
    const secs = (performance.now() - t0) / 1000;
    console.log(
      `${dataset}/${model} default grid: Train → results ready ${secs.toFixed(2)} s (job ${r.seconds.toFixed(2)} s), test ${r.testScore.toFixed(4)}, best ${JSON.stringify(r.bestParams)}, ONNX ${r.onnxBytes} B`,
    );
    return secs;
  };
  const irisLogistic = await timed('iris', 'logistic_regression');
  const wineForest = await timed('wine', 'random_forest_classifier');

  let maxRel = 0;
  let mismatches = 0;
  console.log(
    '\nONNX parity (one candidate each, test rows): dataset / model / max diff / label mismatches / ONNX bytes',
  );
  for (const [name, task] of [
    ['iris', 'classification'],
    ['wine', 'classification'],
    ['boston', 'regression'],
    ['auto-mpg', 'regression'],
  ]) {
    for (const model of MODELS[task]) {
      const ranges = Object.fromEntries((USES[model] ?? []).map((k) => [k, ONE[k]]));
      const r = await train(s, csrf, {
        dataset: ids[name],
        model,
        features: FEATURES[name],
        trainFraction: 0.8,
        ranges,
      });
      maxRel = Math.max(maxRel, r.onnxMaxDiff);
      mismatches += r.onnxLabelMismatches;
      console.log(
        `${name.padEnd(9)} ${model.padEnd(30)} ${r.onnxMaxDiff.toExponential(2).padStart(9)} ${String(r.onnxLabelMismatches).padStart(3)} ${String(r.onnxBytes).padStart(9)}`,
      );
    }
  }
  console.log('targets: iris_logistic_s ≤ 2, wine_forest_s ≤ 5, onnx_max_rel_err ≤ 1e-4, onnx_label_mismatches 0');
  console.log(
    JSON.stringify({
      iris_logistic_s: +irisLogistic.toFixed(2),
      wine_forest_s: +wineForest.toFixed(2),
      onnx_max_rel_err: maxRel,
      onnx_label_mismatches: mismatches,
    }),
  );
} finally {
  await stack.stop();
}
