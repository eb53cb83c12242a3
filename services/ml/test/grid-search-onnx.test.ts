// gridSearchToOnnx: the refit of the best candidate and its ONNX export run on a worker of the
// pool, give what the same steps give in this thread, and are under the pool's limits (abort,
// memory watchdog) like the search's folds.
import { AbortedError } from '../src/estimator.js';
import { Matrix } from '../src/matrix.js';
import { exportPipelineToOnnx } from '../src/onnx/export.js';
import { classificationTarget } from '../src/target.js';
import { gridSearchCV, gridSearchToOnnx } from '../src/model-selection/grid-search.js';
import { MemoryLimitError, WorkerPool } from '../src/model-selection/worker-pool.js';
import { defaultGrid, modelSpec } from '../src/registry.js';
import { workload } from './support/workload.js';

jest.setTimeout(90_000);

/** n rows of two uniform features with random labels: SVC's hardest case, many support vectors. */
function noise(n: number): { X: Matrix; y: ReturnType<typeof classificationTarget> } {
  let s = 1;
  const r = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const X = new Matrix(n, 2, Float64Array.from({ length: 2 * n }, r));
  return { X, y: classificationTarget(Array.from({ length: n }, () => (r() < 0.5 ? 'a' : 'b'))) };
}

describe('gridSearchToOnnx', () => {
  const pool = new WorkerPool(2);
  afterAll(() => pool.close());

  it.each(['logistic_regression', 'random_forest_classifier', 'svr'])(
    "%s: the worker's refit exports the same ONNX bytes and predicts the same as a refit in this thread",
    async (id) => {
      const spec = modelSpec(id);
      const w = workload(spec.task === 'classification' ? 'wine' : 'auto-mpg');
      const grid = defaultGrid(spec);
      const here = await gridSearchCV(w.Xtr, w.ytr, { estimator: id, grid, workers: 0, seed: 3 });
      const there = await gridSearchToOnnx(w.Xtr, w.ytr, {
        estimator: id,
        grid,
        workers: pool,
        seed: 3,
        predict: w.Xte,
      });
      expect(there.candidates).toEqual(
        here.candidates.map((c) => ({
          ...c,
          meanFitTime: expect.any(Number),
          stdFitTime: expect.any(Number),
          meanScoreTime: expect.any(Number),
          stdScoreTime: expect.any(Number),
        })),
      );
      expect(there.bestParams).toEqual(here.bestParams);
      expect(Buffer.from(there.onnx).equals(Buffer.from(exportPipelineToOnnx(here.bestModel, w.Xtr.cols)))).toBe(true);
      expect(Array.from(there.predictions)).toEqual(Array.from(here.bestModel.predict(w.Xte)));
      if (spec.task === 'classification')
        expect(Array.from(there.probabilities ?? [])).toEqual(Array.from(here.bestModel.predictProba(w.Xte).data));
      else expect(there.probabilities).toBeNull();
      expect(there.refitTime).toBeGreaterThan(0);
    },
  );

  it('stops a long refit within 200 ms of the abort by terminating its worker', async () => {
    const one = new WorkerPool(1);
    try {
      await one.ready();
      // two folds of 2,000 rows (~1 s each in SMO), then the refit on 4,000 rows (several seconds)
      const { X, y } = noise(4_000);
      const ac = new AbortController();
      let refitStarted = 0;
      const run = gridSearchToOnnx(X, y, {
        estimator: 'svc',
        grid: { C: [10] },
        cv: 2,
        workers: one,
        signal: ac.signal,
        predict: X.takeRows([0, 1]),
        onProgress: (done, total) => {
          if (done === total) refitStarted = performance.now();
        },
      });
      while (!refitStarted) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 500));
      const t0 = performance.now();
      ac.abort();
      await expect(run).rejects.toBeInstanceOf(AbortedError);
      expect(performance.now() - t0).toBeLessThan(200);
    } finally {
      await one.close();
    }
  });

  it('fails a refit that outgrows the memory budget with MemoryLimitError after the folds passed under it, and the pool serves the next search', async () => {
    // A forest of deep trees on noise (random labels: every tree grows to pure leaves, ~2 nodes per
    // row) costs little to fit and score, but the refit also builds the model's ONNX graph, whose
    // per-node attributes dwarf the trees. Measured on this fixture's shape (2,000 rows, 20 trees):
    // the folds grew the process by 8–10 MiB, the refit with its export by ~60 MiB; here 3,000 rows
    // and 30 trees, so the folds stay well under the 40 MiB budget and the refit well above it.
    const limited = new WorkerPool(1, { maxMemoryBytes: 40 * 1_048_576, sampleMs: 10 });
    try {
      const { X, y } = noise(3_000);
      let folds = 0;
      const run = gridSearchToOnnx(X, y, {
        estimator: 'random_forest_classifier',
        grid: { n_estimators: [30] },
        cv: 2,
        workers: limited,
        predict: X.takeRows([0]),
        onProgress: (done) => {
          folds = done;
        },
      });
      await expect(run).rejects.toBeInstanceOf(MemoryLimitError);
      await expect(run).rejects.toThrow(/ran out of memory: .* above its budget of 40 MiB \(TRAIN_MAX_MEMORY_MB\)/);
      expect(folds).toBe(2);
      // the failed refit's worker was terminated; the pool starts a fresh one for the next search
      const w = workload('iris');
      const next = await gridSearchToOnnx(w.Xtr, w.ytr, {
        estimator: 'knn_classifier',
        grid: { n_neighbors: [5] },
        workers: limited,
        predict: w.Xte,
      });
      expect(next.predictions).toHaveLength(w.Xte.rows);
    } finally {
      await limited.close();
    }
  });

  it("releases its workers after the work queued before (between a search's folds and its refit too), and the next search on fresh workers gives the same results", async () => {
    const w = workload('iris');
    const opts = { estimator: 'knn_classifier', grid: { n_neighbors: [3, 5] }, workers: pool, predict: w.Xte } as const;
    // queued behind the search's folds, this release lands before its refit, which starts fresh workers
    const first = gridSearchToOnnx(w.Xtr, w.ytr, opts);
    const released = pool.release();
    const a = await first;
    await released;
    await pool.release();
    expect((pool as unknown as { workers: unknown[] }).workers).toHaveLength(0);
    const b = await gridSearchToOnnx(w.Xtr, w.ytr, opts);
    expect(b.candidates.map((c) => c.splitScores)).toEqual(a.candidates.map((c) => c.splitScores));
    expect(Buffer.from(b.onnx).equals(Buffer.from(a.onnx))).toBe(true);
  });
});
