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
  const cols = header
    .map((h, j) => ({ h, j }))
    .filter(({ h, j }) => h !== target && complete.every((r) => Number.isFinite(Number(r[j]))));
  return {
    task,
    features: cols.map(({ h }) => h),
    rows: complete.map((r) => cols.map(({ j }) => Number(r[j]))),
    labels: complete.map((r) => r[ti]),
  };
}

// Mixed tables as scripts/mixed_fixtures.py reads them with pandas: every column but the target (and
// Auto MPG's `name`), numeric when each present value is a number, else text; empty cells and NA are
// missing (pandas' default na_values).
export const MIXED = ['penguins', 'auto-mpg'] as const;
export type MixedName = (typeof MIXED)[number];

const MIXED_SPEC: Record<MixedName, { target: string; drop: string[]; task: 'classification' | 'regression' }> = {
  penguins: { target: 'species', drop: [], task: 'classification' },
  'auto-mpg': { target: 'mpg', drop: ['name'], task: 'regression' },
};

/** Shaped as the engine's RawColumn (structurally, so this file imports nothing from the engine). */
export type MixedColumn =
  | { readonly name: string; readonly kind: 'numeric'; readonly values: Float64Array }
  | { readonly name: string; readonly kind: 'categorical'; readonly values: readonly (string | null)[] };

export interface MixedRows {
  readonly task: 'classification' | 'regression';
  readonly columns: readonly MixedColumn[];
  /** The target of each row, as written in the file. */
  readonly labels: string[];
}

function mixedPath(name: MixedName): string {
  return join(REPO, 'db', 'datasets', `${name}.csv`);
}

const isMissing = (v: string) => v === '' || v === 'NA';

/** Unquoted CSV only (both files are): a quoted field would be misread here, so it throws. */
export function readMixedColumns(name: MixedName): MixedRows {
  const text = readFileSync(mixedPath(name), 'utf8').replace(/\r/g, '').trimEnd();
  if (text.includes('"')) throw new Error(`${name}: quoted CSV fields are not supported by this reader`);
  const [head, ...lines] = text.split('\n');
  const header = head.split(',');
  const rows = lines.map((l) => l.split(','));
  const { target, drop, task } = MIXED_SPEC[name];
  const col = (j: number) => rows.map((r) => r[j]);
  const columns = header.flatMap((h, j): MixedColumn[] => {
    if (h === target || drop.includes(h)) return [];
    const v = col(j);
    return v.every((s) => isMissing(s) || Number.isFinite(Number(s)))
      ? [{ name: h, kind: 'numeric', values: Float64Array.from(v, (s) => (isMissing(s) ? NaN : Number(s))) }]
      : [{ name: h, kind: 'categorical', values: v.map((s) => (isMissing(s) ? null : s)) }];
  });
  return { task, columns, labels: col(header.indexOf(target)) };
}
