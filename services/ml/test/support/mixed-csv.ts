// The mixed-table datasets (toy-csv.ts reads them as pandas does) as the engine's tables and targets.
import type { Target } from '../../src/estimator.js';
import { classificationTarget, regressionTarget } from '../../src/target.js';
import { tableFromColumns, type RawColumn, type Table } from '../../src/preprocessing/table.js';
import { readMixedColumns, type MixedName } from './toy-csv.js';

export { MIXED, type MixedName } from './toy-csv.js';

export interface MixedDataset extends Table {
  readonly name: MixedName;
  readonly task: 'classification' | 'regression';
  readonly columns: readonly RawColumn[];
  readonly y: Target;
}

const cache = new Map<MixedName, MixedDataset>();

export function readMixed(name: MixedName): MixedDataset {
  const hit = cache.get(name);
  if (hit) return hit;
  const { task, columns, labels } = readMixedColumns(name);
  const y = task === 'classification' ? classificationTarget(labels) : regressionTarget(labels.map(Number));
  const ds = { name, task, columns, y, ...tableFromColumns(columns) };
  cache.set(name, ds);
  return ds;
}
