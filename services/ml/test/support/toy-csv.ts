// The four toy datasets (db/datasets/*.csv) as the parity fixtures and the training benchmark see
// them: numeric feature columns except the target; Auto MPG without its rows that have a missing
// value. Plain arrays, so both the sources (tests) and the build (bench:train) can use them.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const DATASETS = ['iris', 'wine', 'boston', 'auto-mpg'] as const;
export type DatasetName = (typeof DATASETS)[number];

const TARGETS: Record<DatasetName, { target: string; task: 'classification' | 'regression' }> = {
  iris: { target: 'species', task: 'classification' },
  wine: { target: 'cultivar', task: 'classification' },
  boston: { target: 'MEDV', task: 'regression' },
  'auto-mpg': { target: 'mpg', task: 'regression' },
};

export interface ToyRows {
  readonly task: 'classification' | 'regression';
  readonly features: readonly string[];
  readonly rows: number[][];
  /** The target of each row, as written in the file. */
  readonly labels: string[];
}

export function readToy(name: DatasetName): ToyRows {
  const text = readFileSync(join(REPO, 'db', 'datasets', `${name}.csv`), 'utf8').trimEnd();
  const [head, ...lines] = text.split('\n');
  const header = head.split(',');
  const complete = lines.map((l) => l.split(',')).filter((r) => r.every((v) => v !== ''));
  const { target, task } = TARGETS[name];
  const ti = header.indexOf(target);
  const cols = header.map((h, j) => ({ h, j })).filter(({ h, j }) => h !== target && complete.every((r) => Number.isFinite(Number(r[j]))));
  return { task, features: cols.map(({ h }) => h), rows: complete.map((r) => cols.map(({ j }) => Number(r[j]))), labels: complete.map((r) => r[ti]) };
}
