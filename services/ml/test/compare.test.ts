import { compareModels, subsampleOrder } from '../src/model-selection/compare.js';
import { SEARCH_SPACES, comparableModels, sampleCandidates } from '../src/model-selection/search-spaces.js';
import { WorkerPool } from '../src/model-selection/worker-pool.js';
import { classificationTarget } from '../src/target.js';
import { loadDataset } from './support/datasets.js';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('search spaces', () => {
  it('cover every registry model of each task', () => {
    expect(comparableModels('classification').sort()).toEqual(['gaussian_nb', 'gradient_boosting_classifier', 'knn_classifier', 'linear_svc', 'logistic_regression', 'random_forest_classifier', 'svc']);
    expect(comparableModels('regression')).toHaveLength(8);
  });

  it('start from the defaults and draw regularisation on a log scale: every decade of C in 0.001 … 1000 is visited', () => {
    const c = sampleCandidates(SEARCH_SPACES.logistic_regression ?? {}, 400, lcg(1));
    expect(c[0]).toEqual({});
    const values = c.slice(1).map((p) => Number(p.C));
    expect(values.every((v) => v >= 1e-3 && v <= 1e3)).toBe(true);
    const decades = new Set(values.map((v) => Math.floor(Math.log10(v))));
    expect([...decades].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2]);
    // about a sixth of the draws in each decade, where a linear scale would put 90 % in the last
    const top = values.filter((v) => v >= 100).length / values.length;
    expect(top).toBeGreaterThan(0.08);
    expect(top).toBeLessThan(0.28);
  });

  it('draw integers inside their bounds, distinct, and the same for the same seed', () => {
    const a = sampleCandidates(SEARCH_SPACES.random_forest_classifier ?? {}, 20, lcg(7));
    const b = sampleCandidates(SEARCH_SPACES.random_forest_classifier ?? {}, 20, lcg(7));
    expect(a).toEqual(b);
    expect(new Set(a.map((p) => JSON.stringify(p))).size).toBe(20);
    for (const p of a.slice(1)) {
      expect(Number.isInteger(p.n_estimators) && Number(p.n_estimators) >= 50 && Number(p.n_estimators) <= 300).toBe(true);
      expect(Number.isInteger(p.max_depth) && Number(p.max_depth) >= 3 && Number(p.max_depth) <= 20).toBe(true);
    }
    expect(sampleCandidates({}, 8, lcg(1))).toEqual([{}]);
  });
});

describe('successive halving rows', () => {
  it('keeps the class proportions in every prefix of the row order (within one row per class)', () => {
    const labels = Array.from({ length: 300 }, (_, i) => (i % 10 < 6 ? 'a' : i % 10 < 9 ? 'b' : 'c'));
    const y = classificationTarget(labels);
    const order = subsampleOrder(y, lcg(3));
    expect(new Set(order).size).toBe(300);
    for (const n of [10, 33, 100, 211]) {
      const counts = [0, 0, 0];
      for (const i of order.subarray(0, n)) counts[y.codes[i] ?? 0]++;
      expect(Math.abs(counts[0] - 0.6 * n)).toBeLessThanOrEqual(1);
      expect(Math.abs(counts[1] - 0.3 * n)).toBeLessThanOrEqual(1);
      expect(Math.abs(counts[2] - 0.1 * n)).toBeLessThanOrEqual(1);
    }
  });
});

describe('compare all models', () => {
  it('cuts the candidates to a third as it triples the rows, ends on every row, and is the same for the same seed', async () => {
    const { X, y } = loadDataset('boston');
    const run = () => compareModels(X, y, { budgetSeconds: 600, workers: 0, seed: 4, candidatesPerModel: 6, minRows: 50, models: ['ridge', 'lasso', 'knn_regressor', 'linear_regression'] });
    const a = await run();
    expect(a.stoppedBy).toBe('finished');
    // 6 + 6 + 6 + 1 (linear regression has nothing to tune) = 19 candidates → 3 rounds; 506 rows
    expect(a.rounds.map((r) => r.candidates)).toEqual([19, 7, 3]);
    expect(a.rounds.map((r) => r.rows)).toEqual([56, 168, 506]);
    expect(a.rounds.every((r) => r.completed === r.candidates)).toBe(true);
    const best = a.leaderboard[0];
    expect(best?.round).toBe(2);
    expect(best?.rows).toBe(506);
    expect(a.leaderboard).toHaveLength(19);
    // every candidate appears once, at the last round it reached, best first within a round
    for (let i = 1; i < a.leaderboard.length; i++) {
      const p = a.leaderboard[i - 1];
      const q = a.leaderboard[i];
      if (p && q) expect(p.round > q.round || (p.round === q.round && p.meanScore >= q.meanScore)).toBe(true);
    }
    const b = await run();
    const strip = (r: typeof a) => r.leaderboard.map(({ fitTime: _f, scoreTime: _s, ...rest }) => rest);
    expect(strip(b)).toEqual(strip(a));
  });

  it('stops at its budget with what finished on the leaderboard, overrunning by at most one task (this thread) or an abort (workers)', async () => {
    const { X, y } = loadDataset('boston');
    const budget = 1.5;
    const t0 = performance.now();
    const inThread = await compareModels(X, y, { budgetSeconds: budget, workers: 0, seed: 1 });
    const elapsed = (performance.now() - t0) / 1000;
    expect(inThread.stoppedBy).toBe('budget');
    expect(inThread.leaderboard.length).toBeGreaterThan(0);
    // the deadline is checked between tasks (one fold of one candidate, or of a shared path): the
    // overrun is at most one candidate's cross-validation, bounded here by the slowest seen
    const slowest = Math.max(...inThread.leaderboard.map((e) => 5 * (e.fitTime + e.scoreTime)));
    expect(elapsed).toBeLessThan(budget + slowest + 0.5);

    const pool = new WorkerPool(2);
    try {
      const t1 = performance.now();
      const onWorkers = await compareModels(X, y, { budgetSeconds: budget, workers: pool, seed: 1 });
      expect(onWorkers.stoppedBy).toBe('budget');
      expect((performance.now() - t1) / 1000).toBeLessThan(budget + 1);
    } finally {
      await pool.close();
    }
  });

  it('refuses a model for the other task, naming it', async () => {
    const { X, y } = loadDataset('iris');
    await expect(compareModels(X, y, { budgetSeconds: 5, workers: 0, models: ['ridge'] })).rejects.toThrow("model 'ridge' is for regression, the target is classification");
  });
});
