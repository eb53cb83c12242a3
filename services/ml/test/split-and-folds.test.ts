import { DATASETS, loadDataset } from './support/datasets.js';
import { splitFixture } from './support/fixtures.js';
import { trainTestSplit } from '../src/model-selection/train-test-split.js';
import { kFold, stratifiedKFold } from '../src/model-selection/folds.js';
import { takeTarget } from '../src/target.js';
import { expandGrid } from '../src/model-selection/param-grid.js';

describe('train/test split and folds', () => {
  it.each(DATASETS)('trainTestSplit reproduces scikit-learn’s indices for %s', (name) => {
    const ds = loadDataset(name);
    const fx = splitFixture(name);
    expect(ds.X.rows).toBe(fx.train_idx.length + fx.test_idx.length);
    expect(ds.features).toEqual(fx.features);
    const sp = trainTestSplit(ds.X.rows, 0.8, 214);
    expect(Array.from(sp.train)).toEqual(fx.train_idx);
    expect(Array.from(sp.test)).toEqual(fx.test_idx);
  });

  it('trainTestSplit reproduces scikit-learn for other sizes, fractions and seeds', () => {
    for (const e of splitFixture('iris').extra_splits) {
      const sp = trainTestSplit(e.n, e.train_size, e.seed);
      expect({ seed: e.seed, train: Array.from(sp.train), test: Array.from(sp.test) }).toEqual({
        seed: e.seed,
        train: e.train,
        test: e.test,
      });
    }
  });

  it.each(DATASETS)('the 5 CV folds of %s are scikit-learn’s (stratified for classes, plain for numbers)', (name) => {
    const ds = loadDataset(name);
    const fx = splitFixture(name);
    const y = takeTarget(ds.y, fx.train_idx);
    const folds = y.kind === 'classification' ? stratifiedKFold(y.codes, 5) : kFold(fx.train_idx.length, 5);
    expect(folds.map((f) => ({ train: Array.from(f.train), test: Array.from(f.test) }))).toEqual(fx.folds);
  });

  it('stratifiedKFold allocates like scikit-learn 1.2 on uneven and unsorted labels', () => {
    for (const e of splitFixture('iris').extra_stratified) {
      expect(stratifiedKFold(e.y, e.k).map((f) => Array.from(f.test))).toEqual(e.folds);
    }
  });

  it('refuses a split that leaves one side empty', () => {
    expect(() => trainTestSplit(1, 0.8, 0)).toThrow(/empty/);
  });

  it('expands a grid in scikit-learn’s order: keys sorted, last key fastest', () => {
    expect(expandGrid({ n_estimators: [1, 2], max_depth: [3, 4] })).toEqual([
      { max_depth: 3, n_estimators: 1 },
      { max_depth: 3, n_estimators: 2 },
      { max_depth: 4, n_estimators: 1 },
      { max_depth: 4, n_estimators: 2 },
    ]);
  });
});
