import { estimateTrainingMemory, maxRowsWithin, MEMORY_FAMILY, MODELS, type JobShape } from '../src/index.js';

const GiB = 1024 ** 3;
const shape = (over: Partial<JobShape>): JobShape => ({
  model: 'svc',
  rows: 150,
  inputs: 4,
  classes: 3,
  trainFraction: 0.8,
  folds: 5,
  grid: { C: [0.1, 10.1, 20.1] },
  concurrency: 2,
  ...over,
});

describe('training memory estimate', () => {
  it('has a family for every registry model', () => {
    for (const m of MODELS) expect(MEMORY_FAMILY[m.id]).toBeDefined();
  });

  it('accepts SVC on 25,000 rows × 2 features under a 1 GiB budget: kernel rows live in bounded caches, not 20,000² matrices', () => {
    const e = estimateTrainingMemory(shape({ rows: 25_000, inputs: 2, classes: 2, concurrency: 1 }));
    expect(e.trainRows).toBe(20_000);
    expect(e.bytes).toBeGreaterThan(2 * 200 * 1024 ** 2); // the refit's two full 200 MB caches
    expect(e.bytes).toBeLessThan(GiB);
    expect(e.why).toMatch(/two kernel caches of 210 MB \(LIBSVM's cache_size\) over 20,000 rows/);
  });

  it('a small table’s kernel cache is its whole m × m float32 matrix, no more', () => {
    const e = estimateTrainingMemory(shape({ rows: 1_000, inputs: 2, classes: 2, concurrency: 1 }));
    expect(e.bytes).toBeLessThan(2 * 800 ** 2 * 4 + 5e6);
    expect(e.bytes).toBeGreaterThan(2 * 800 ** 2 * 4);
  });

  it('counts the cross-validation fits that run at once when they outweigh the refit', () => {
    const one = estimateTrainingMemory(shape({ model: 'svr', rows: 10_000, classes: 1, concurrency: 1 }));
    const four = estimateTrainingMemory(shape({ model: 'svr', rows: 10_000, classes: 1, concurrency: 4 }));
    expect(four.bytes).toBeGreaterThan(2 * one.bytes);
    expect(four.why).toMatch(/4 cross-validation fits at once/);
  });

  it('passes Iris with every model under 1 GiB', () => {
    for (const m of MODELS.filter((x) => x.task === 'classification')) {
      expect(
        estimateTrainingMemory(
          shape({ model: m.id, grid: { n_estimators: [250], max_depth: [10], n_neighbors: [30] } }),
        ).bytes,
      ).toBeLessThan(GiB);
    }
  });

  it('grows a forest with its trees and depth, and a linear model with the design matrix only', () => {
    const small = estimateTrainingMemory(
      shape({
        model: 'random_forest_classifier',
        rows: 100_000,
        inputs: 10,
        grid: { n_estimators: [50], max_depth: [3] },
      }),
    );
    const big = estimateTrainingMemory(
      shape({
        model: 'random_forest_classifier',
        rows: 100_000,
        inputs: 10,
        grid: { n_estimators: [250], max_depth: [10] },
      }),
    );
    expect(big.bytes).toBeGreaterThan(small.bytes);
    expect(big.why).toMatch(/250 trees of up to 2,047 nodes/);
    const linear = estimateTrainingMemory(shape({ model: 'logistic_regression', rows: 100_000, inputs: 10 }));
    expect(linear.bytes).toBeLessThan(200e6);
  });

  it('finds the most rows that fit a budget', () => {
    // kernel memory no longer grows as rows²; a deep forest's still grows with the rows
    const s = shape({
      model: 'random_forest_classifier',
      rows: 2_000_000,
      inputs: 10,
      classes: 2,
      concurrency: 2,
      grid: { n_estimators: [250], max_depth: [30] },
    });
    const n = maxRowsWithin(s, GiB);
    expect(estimateTrainingMemory({ ...s, rows: n }).bytes).toBeLessThanOrEqual(GiB);
    expect(estimateTrainingMemory({ ...s, rows: n + 1 }).bytes).toBeGreaterThan(GiB);
    expect(n).toBeGreaterThan(1_000);
    expect(n).toBeLessThan(2_000_000);
  });
});
