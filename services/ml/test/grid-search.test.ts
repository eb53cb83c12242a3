// Grid search: the same results on worker threads as in this thread, progress, cancellation and
// scikit-learn's tie rule.
import { AbortedError } from '../src/estimator.js';
import { gridSearchCV } from '../src/model-selection/grid-search.js';
import { WorkerPool } from '../src/model-selection/worker-pool.js';
import { GaussianNB } from '../src/naive-bayes/gaussian-nb.js';
import { KNeighborsClassifier } from '../src/neighbors/knn.js';
import { defaultGrid, modelSpec } from '../src/registry.js';
import { workload } from './support/workload.js';

jest.setTimeout(60_000);

const strip = (r: Awaited<ReturnType<typeof gridSearchCV>>) =>
  r.candidates.map((c) => ({ params: c.params, scores: c.splitScores, rank: c.rank }));

describe('gridSearchCV', () => {
  // pools are shared by the tests: starting workers from the .ts sources costs about a second each
  const one = new WorkerPool(1),
    two = new WorkerPool(2);
  afterAll(() => Promise.all([one.close(), two.close()]));

  it.each(['logistic_regression', 'knn_regressor', 'lasso'])(
    '%s: 1 worker, 2 workers and this thread give identical scores and best model',
    async (id) => {
      const spec = modelSpec(id);
      const w = workload(spec.task === 'classification' ? 'wine' : 'auto-mpg');
      const grid = defaultGrid(spec);
      const a = await gridSearchCV(w.Xtr, w.ytr, { estimator: id, grid, workers: 0 });
      const b = await gridSearchCV(w.Xtr, w.ytr, { estimator: id, grid, workers: one });
      const c = await gridSearchCV(w.Xtr, w.ytr, { estimator: id, grid, workers: two });
      expect(strip(b)).toEqual(strip(a));
      expect(strip(c)).toEqual(strip(a));
      expect(Array.from(c.bestModel.predict(w.Xte))).toEqual(Array.from(a.bestModel.predict(w.Xte)));
      for (const r of [a, b, c])
        for (const cand of r.candidates) {
          expect(cand.meanFitTime).toBeGreaterThanOrEqual(0);
          expect(cand.meanScoreTime).toBeGreaterThanOrEqual(0);
        }
    },
  );

  it('runs two searches started together on one pool, each with its own correct results', async () => {
    const pool = two;
    const a = workload('iris'),
      b = workload('boston');
    const [ra, rb] = await Promise.all([
      gridSearchCV(a.Xtr, a.ytr, { estimator: 'knn_classifier', grid: { n_neighbors: [3, 5, 7] }, workers: pool }),
      gridSearchCV(b.Xtr, b.ytr, { estimator: 'ridge', grid: { alpha: [0.1, 10.1] }, workers: pool }),
    ]);
    const sa = await gridSearchCV(a.Xtr, a.ytr, {
      estimator: 'knn_classifier',
      grid: { n_neighbors: [3, 5, 7] },
      workers: 0,
    });
    const sb = await gridSearchCV(b.Xtr, b.ytr, { estimator: 'ridge', grid: { alpha: [0.1, 10.1] }, workers: 0 });
    expect(strip(ra)).toEqual(strip(sa));
    expect(strip(rb)).toEqual(strip(sb));
  });

  it('reports progress as fits done of the total, ending at the total', async () => {
    const w = workload('iris');
    const seen: [number, number][] = [];
    const pool = two;
    await gridSearchCV(w.Xtr, w.ytr, {
      estimator: 'linear_svc',
      grid: { C: [0.1, 1, 10] },
      workers: pool,
      onProgress: (d, t) => seen.push([d, t]),
    });
    expect(seen.every(([, t]) => t === 15)).toBe(true);
    expect(seen.map(([d]) => d)).toEqual([...seen.map(([d]) => d)].sort((x, y) => x - y));
    expect(seen[seen.length - 1][0]).toBe(15);
  });

  it('stops with AbortedError when cancelled, and the pool serves the next search', async () => {
    const w = workload('boston');
    const pool = two;
    const ac = new AbortController();
    const run = gridSearchCV(w.Xtr, w.ytr, {
      estimator: 'linear_svr',
      grid: defaultGrid(modelSpec('linear_svr')),
      workers: pool,
      signal: ac.signal,
      onProgress: (d) => {
        if (d >= 1) ac.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(AbortedError);
    const again = await gridSearchCV(w.Xtr, w.ytr, { estimator: 'ridge', grid: { alpha: [1] }, workers: pool });
    expect(again.candidates).toHaveLength(1);
  });

  it('stops in this thread too when the signal is already aborted', async () => {
    const w = workload('iris');
    const ac = new AbortController();
    ac.abort();
    await expect(
      gridSearchCV(w.Xtr, w.ytr, { estimator: new GaussianNB(), grid: {}, signal: ac.signal }),
    ).rejects.toBeInstanceOf(AbortedError);
  });

  it('picks the first candidate in grid order among equal mean scores, as scikit-learn does', async () => {
    const w = workload('iris');
    // n_neighbors 5 twice: identical scores, so the first listed must win
    const r = await gridSearchCV(w.Xtr, w.ytr, {
      estimator: new KNeighborsClassifier(),
      grid: { n_neighbors: [5, 5] },
    });
    expect(r.candidates[0].meanTestScore).toBe(r.candidates[1].meanTestScore);
    expect(r.bestIndex).toBe(0);
    expect(r.candidates.map((c) => c.rank)).toEqual([1, 1]);
  });

  it('refits the best candidate on all the training rows', async () => {
    const w = workload('iris');
    const r = await gridSearchCV(w.Xtr, w.ytr, {
      estimator: new KNeighborsClassifier(),
      grid: { n_neighbors: [3, 4, 5, 6] },
    });
    const direct = new KNeighborsClassifier({ n_neighbors: Number(r.bestParams.n_neighbors) });
    const { Pipeline } = await import('../src/pipeline.js');
    expect(Array.from(r.bestModel.predict(w.Xte))).toEqual(
      Array.from(new Pipeline(direct).fit(w.Xtr, w.ytr).predict(w.Xte)),
    );
  });
});
