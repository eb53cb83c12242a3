// Every shortcut that shares work across grid candidates gives what independent fits give.
import type { Matrix } from '../src/matrix.js';
import { isClassifier, type Estimator, type Model } from '../src/estimator.js';
import { StandardScaler } from '../src/preprocessing/standard-scaler.js';
import { MODELS, defaultGrid } from '../src/registry.js';
import { expandGrid } from '../src/model-selection/param-grid.js';
import { datasetsFor, workload } from './support/workload.js';

function outputs(m: Model, X: Matrix): number[] {
  return isClassifier(m) ? Array.from(m.predictProba(X).data) : Array.from(m.predict(X));
}

// Exact where the path only reuses computation; solver tolerance where it warm-starts an iterative
// solver (both runs stop within tol of the same optimum). Logistic regression has no path: with
// scikit-learn's stopping rule a warm start lands up to 5e-4 (probability) away from the cold fit
// that scikit-learn's grid search makes, so every candidate is fitted cold.
const TOLERANCE: Record<string, number> = { knn_classifier: 0, knn_regressor: 0, ridge: 0, lasso: 1e-3 };

const cases = MODELS.filter((s) => s.id in TOLERANCE).flatMap((s) =>
  datasetsFor(s.task).map((d) => [s.id, d] as const),
);

describe('fitPath', () => {
  it.each(cases)('%s on %s: every model of the path equals an independent fit', (id, dataset) => {
    const spec = MODELS.find((m) => m.id === id);
    if (!spec) throw new Error(id);
    const est: Estimator = spec.create();
    if (!est.fitPath) throw new Error(`${id} has no fitPath`);
    const w = workload(dataset);
    const scaler = new StandardScaler().fit(w.Xtr);
    const Xtr = scaler.transform(w.Xtr),
      Xte = scaler.transform(w.Xte);
    const settings = expandGrid(defaultGrid(spec)).reverse(); // path order must not matter
    const path = est.fitPath(Xtr, w.ytr, settings, { seed: 0 });
    settings.forEach((s, i) => {
      const alone = outputs(est.with(s).fit(Xtr, w.ytr, { seed: 0 }), Xte);
      const fromPath = outputs(path[i], Xte);
      const tol = TOLERANCE[id];
      expect(Array.from(path[i].predict(Xte))).toEqual(
        Array.from(est.with(s).fit(Xtr, w.ytr, { seed: 0 }).predict(Xte)),
      );
      if (tol === 0) expect(fromPath).toEqual(alone);
      else {
        const scale = Math.max(1, ...alone.map(Math.abs));
        fromPath.forEach((v, j) => expect(Math.abs(v - alone[j]) / scale).toBeLessThanOrEqual(tol));
      }
    });
  });
});
