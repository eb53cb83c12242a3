// The seed workload's training split of a dataset, shared by the parity tests.
import type { Matrix } from '../../src/matrix.js';
import type { Target } from '../../src/estimator.js';
import { trainTestSplit } from '../../src/model-selection/train-test-split.js';
import { takeTarget } from '../../src/target.js';
import { loadDataset, type DatasetName } from './datasets.js';

export interface Workload {
  Xtr: Matrix;
  ytr: Target;
  Xte: Matrix;
  yte: Target;
}

export function workload(name: DatasetName): Workload {
  const ds = loadDataset(name);
  const sp = trainTestSplit(ds.X.rows, 0.8, 214);
  return {
    Xtr: ds.X.takeRows(sp.train),
    ytr: takeTarget(ds.y, sp.train),
    Xte: ds.X.takeRows(sp.test),
    yte: takeTarget(ds.y, sp.test),
  };
}

export const datasetsFor = (task: 'classification' | 'regression'): DatasetName[] =>
  task === 'classification' ? ['iris', 'wine'] : ['boston', 'auto-mpg'];
