// Times the tree ensembles' and RBF SVMs' grid fits through fitPath, one thread, on the fixture script's 5 CV
// folds (StandardScaler fitted per fold, as in the seed's workload). Run from the repository root:
//   npx tsx services/ml/scripts/bench-ensembles.ts [iris wine boston auto-mpg]
// Prints seconds per dataset and model; compare with scikit-learn's GridSearchCV(n_jobs=-1) times
// recorded in the fixtures (sklearn_seconds).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GradientBoostingClassifier, GradientBoostingRegressor } from '../src/ensemble/gradient-boosting.js';
import { RandomForestClassifier, RandomForestRegressor } from '../src/ensemble/random-forest.js';
import { StandardScaler } from '../src/preprocessing/standard-scaler.js';
import { SVC } from '../src/svm/svc.js';
import { SVR } from '../src/svm/svr.js';
import { takeTarget } from '../src/target.js';
import { FIXTURES, fixtureSplit, loadDataset } from '../test/ensemble-data.js';
import type { DatasetName } from '../test/ensemble-data.js';

const FOREST = [50, 100, 150, 200, 250].flatMap((n) =>
  [3, 4, 5, 6, 7, 8, 9, 10].map((d) => ({ n_estimators: n, max_depth: d })),
);
const C_GRID = Array.from({ length: 11 }, (_, i) => ({ C: Math.round((0.1 + 10 * i) * 10) / 10 }));
const BOOST = [0.1, 0.5, 1.0].flatMap((lr) =>
  [50, 150, 250].flatMap((n) => [3, 6, 10].map((d) => ({ learning_rate: lr, n_estimators: n, max_depth: d }))),
);

function sklearnSeconds(name: string, model: string): string {
  const p = join(FIXTURES, name, `${model}.json`);
  if (!existsSync(p)) return '?';
  const v = (JSON.parse(readFileSync(p, 'utf8')) as { sklearn_seconds?: number }).sklearn_seconds;
  return typeof v === 'number' ? v.toFixed(1) : '?';
}

const names = (
  process.argv.slice(2).length ? process.argv.slice(2) : ['iris', 'wine', 'boston', 'auto-mpg']
) as DatasetName[];
for (const name of names) {
  const { X, y } = loadDataset(name);
  const split = fixtureSplit(name);
  if (!split) throw new Error(`no fixtures for ${name}: run pnpm fixtures first`);
  const Xtr = X.takeRows(split.train);
  const ytr = takeTarget(y, split.train);
  const folds = split.folds.map((f) => {
    const scaler = new StandardScaler().fit(Xtr.takeRows(f.train));
    return { X: scaler.transform(Xtr.takeRows(f.train)), y: takeTarget(ytr, f.train) };
  });
  const cls = y.kind === 'classification';
  const jobs = [
    {
      model: cls ? 'random_forest_classifier' : 'random_forest_regressor',
      grid: FOREST,
      run: (f: (typeof folds)[number]) =>
        (cls ? new RandomForestClassifier() : new RandomForestRegressor()).fitPath(f.X, f.y, FOREST, { seed: 0 })
          .length,
    },
    {
      model: cls ? 'gradient_boosting_classifier' : 'gradient_boosting_regressor',
      grid: BOOST,
      run: (f: (typeof folds)[number]) =>
        (cls ? new GradientBoostingClassifier() : new GradientBoostingRegressor()).fitPath(f.X, f.y, BOOST, { seed: 0 })
          .length,
    },
    {
      model: cls ? 'svc' : 'svr',
      grid: C_GRID,
      run: (f: (typeof folds)[number]) => (cls ? new SVC() : new SVR()).fitPath(f.X, f.y, C_GRID, { seed: 0 }).length,
    },
  ];
  for (const job of jobs) {
    const t = performance.now();
    for (const f of folds) job.run(f);
    const s = (performance.now() - t) / 1000;
    console.log(
      `${name.padEnd(9)} ${job.model.padEnd(29)} ${job.grid.length} candidates × 5 folds: ${s.toFixed(2)} s (one thread); sklearn n_jobs=-1: ${sklearnSeconds(name, job.model)} s`,
    );
  }
}
