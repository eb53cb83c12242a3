// The four toy datasets (db/datasets/*.csv) as the seed workload uses them: numeric feature
// columns except the target; Auto MPG without its rows that have a missing value.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const DATASETS = ['iris', 'wine', 'boston', 'auto-mpg'] as const;
export type DatasetName = (typeof DATASETS)[number];

const TARGETS: Record<DatasetName, { target: string; task: 'classification' | 'regression' }> = {
  iris: { target: 'species', task: 'classification' },
  wine: { target: 'cultivar', task: 'classification' },
  boston: { target: 'MEDV', task: 'regression' },
  'auto-mpg': { target: 'mpg', task: 'regression' },
};

export interface RawDataset {
  readonly task: 'classification' | 'regression';
  readonly rows: number[][];
  readonly labels: string[];
}

export function readDataset(root: string, name: DatasetName): RawDataset {
  const text = readFileSync(join(root, 'db', 'datasets', `${name}.csv`), 'utf8').trimEnd();
  const [head, ...lines] = text.split('\n');
  const header = head.split(',');
  const complete = lines.map((l) => l.split(',')).filter((r) => r.every((v) => v !== ''));
  const { target, task } = TARGETS[name];
  const ti = header.indexOf(target);
  const cols = header.map((h, j) => ({ h, j })).filter(({ h, j }) => h !== target && complete.every((r) => Number.isFinite(Number(r[j]))));
  return { task, rows: complete.map((r) => cols.map(({ j }) => Number(r[j]))), labels: complete.map((r) => r[ti]) };
}
