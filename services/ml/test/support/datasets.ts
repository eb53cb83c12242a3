// The four toy datasets (db/datasets/*.csv) as the parity fixtures see them: numeric feature
// columns except the target; Auto MPG without its rows that have a missing value.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Matrix } from '../../src/matrix.js';
import type { Target } from '../../src/estimator.js';
import { classificationTarget, regressionTarget } from '../../src/target.js';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO = join(HERE, '..', '..', '..', '..');
export const DATASETS = ['iris', 'wine', 'boston', 'auto-mpg'] as const;
export type DatasetName = (typeof DATASETS)[number];

const TARGETS: Record<DatasetName, { target: string; task: 'classification' | 'regression' }> = {
  iris: { target: 'species', task: 'classification' },
  wine: { target: 'cultivar', task: 'classification' },
  boston: { target: 'MEDV', task: 'regression' },
  'auto-mpg': { target: 'mpg', task: 'regression' },
};

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
  const text = readFileSync(join(REPO, 'db', 'datasets', `${name}.csv`), 'utf8').trimEnd();
  const [head, ...lines] = text.split('\n');
  const header = head.split(',');
  const rows = lines.map((l) => l.split(','));
  const complete = rows.filter((r) => r.every((v) => v !== ''));
  const { target, task } = TARGETS[name];
  const ti = header.indexOf(target);
  const numericCols = header
    .map((h, j) => ({ h, j }))
    .filter(({ h, j }) => h !== target && complete.every((r) => r[j] !== '' && Number.isFinite(Number(r[j]))));
  const X = Matrix.fromRows(complete.map((r) => numericCols.map(({ j }) => Number(r[j]))));
  const y = task === 'classification'
    ? classificationTarget(complete.map((r) => r[ti]))
    : regressionTarget(complete.map((r) => Number(r[ti])));
  const ds = { name, X, y, features: numericCols.map(({ h }) => h) };
  cache.set(name, ds);
  return ds;
}
