// The four toy datasets (db/datasets/*.csv) as the parity fixtures see them: numeric feature
// columns except the target; Auto MPG without its rows that have a missing value.
import { Matrix } from '../../src/matrix.js';
import type { Target } from '../../src/estimator.js';
import { classificationTarget, regressionTarget } from '../../src/target.js';
import { readToy, type DatasetName } from './toy-csv.js';

export { DATASETS, REPO, type DatasetName } from './toy-csv.js';

export interface Dataset {
  readonly name: DatasetName;
  readonly X: Matrix;
  readonly y: Target;
  readonly features: readonly string[];
}

const cache = new Map<DatasetName, Dataset>();

export function loadDataset(name: DatasetName): Dataset {
  const hit = cache.get(name);
  if (hit) return hit;
  const raw = readToy(name);
  const y = raw.task === 'classification' ? classificationTarget(raw.labels) : regressionTarget(raw.labels.map(Number));
  const ds = { name, X: Matrix.fromRows(raw.rows), y, features: raw.features };
  cache.set(name, ds);
  return ds;
}
