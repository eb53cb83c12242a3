// The worker pool's limits: a search that outgrows its memory budget fails alone with a clear
// error and the pool serves the next one; an abort during a long fit stops it at once.
import { AbortedError } from '../src/estimator.js';
import { Matrix } from '../src/matrix.js';
import { classificationTarget } from '../src/target.js';
import { gridSearchCV } from '../src/model-selection/grid-search.js';
import { MemoryLimitError, WorkerPool } from '../src/model-selection/worker-pool.js';
import { workload } from './support/workload.js';

jest.setTimeout(60_000);

/** n rows of two uniform features with random labels: SVC's hardest case, many support vectors. */
function noise(n: number): { X: Matrix; y: ReturnType<typeof classificationTarget> } {
  let s = 1;
  const r = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const X = new Matrix(n, 2, Float64Array.from({ length: 2 * n }, r));
  return { X, y: classificationTarget(Array.from({ length: n }, () => (r() < 0.5 ? 'a' : 'b'))) };
}

describe('worker pool limits', () => {
  it('fails a search that outgrows its memory budget with MemoryLimitError, gives the memory back and serves the next search', async () => {
    // 64 MiB budget; each fold of 4,800 rows builds a 4,800² float64 kernel matrix (184 MB)
    const pool = new WorkerPool(1, { maxMemoryBytes: 64 * 1_048_576, sampleMs: 20 });
    try {
      const { X, y } = noise(6_000);
      const before = process.memoryUsage.rss();
      const run = gridSearchCV(X, y, { estimator: 'svc', grid: { C: [1] }, workers: pool });
      await expect(run).rejects.toBeInstanceOf(MemoryLimitError);
      await expect(run).rejects.toThrow(
        /ran out of memory: the search grew the process by \d+ MiB, above its budget of 64 MiB \(TRAIN_MAX_MEMORY_MB\): train on fewer rows or choose another model/,
      );
      const w = workload('iris');
      const again = await gridSearchCV(w.Xtr, w.ytr, {
        estimator: 'knn_classifier',
        grid: { n_neighbors: [5] },
        workers: pool,
      });
      expect(again.candidates).toHaveLength(1);
      // memory returns with the terminated worker (measured: 116 MiB before, 229 at the failure, 165
      // after the next search, whose fresh worker loads its code again)
      expect(process.memoryUsage.rss() - before).toBeLessThan(128 * 1_048_576);
    } finally {
      await pool.close();
    }
  });

  it('stops a long fit within 200 ms of the abort by terminating its worker', async () => {
    const pool = new WorkerPool(1);
    try {
      await pool.ready();
      // one fold of 3,200 rows takes ~2 s in SMO: the abort lands in the middle of a fit
      const { X, y } = noise(4_000);
      const ac = new AbortController();
      const run = gridSearchCV(X, y, { estimator: 'svc', grid: { C: [10] }, workers: pool, signal: ac.signal });
      await new Promise((r) => setTimeout(r, 500));
      const t0 = performance.now();
      ac.abort();
      await expect(run).rejects.toBeInstanceOf(AbortedError);
      expect(performance.now() - t0).toBeLessThan(200);
    } finally {
      await pool.close();
    }
  });
});
