// The mixed-table datasets as scripts/mixed_fixtures.py reads them with pandas: every column but the
// target (and Auto MPG's `name`), numeric when each present value is a number, else text; empty
// cells and NA are missing (pandas' default na_values). Penguins come from db/datasets/penguins.csv
// or, until that file lands, the palmerpenguins R package's copy unpacked in /tmp/pp.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Target } from '../../src/estimator.js';
import { classificationTarget, regressionTarget } from '../../src/target.js';
import { tableFromColumns, type RawColumn, type Table } from '../../src/preprocessing/table.js';
import { REPO } from './toy-csv.js';

export const MIXED = ['penguins', 'auto-mpg'] as const;
export type MixedName = (typeof MIXED)[number];

const PENGUINS = [join(REPO, 'db', 'datasets', 'penguins.csv'), '/tmp/pp/usr/lib/R/site-library/palmerpenguins/extdata/penguins.csv'];
const SPEC: Record<MixedName, { target: string; drop: string[]; task: 'classification' | 'regression' }> = {
  penguins: { target: 'species', drop: [], task: 'classification' },
  'auto-mpg': { target: 'mpg', drop: ['name'], task: 'regression' },
};

export interface MixedDataset extends Table {
  readonly name: MixedName;
  readonly task: 'classification' | 'regression';
  readonly columns: readonly RawColumn[];
  readonly y: Target;
}

function path(name: MixedName): string {
  if (name === 'auto-mpg') return join(REPO, 'db', 'datasets', 'auto-mpg.csv');
  const found = PENGUINS.find((p) => existsSync(p));
  if (!found) throw new Error(`penguins.csv not found (looked in ${PENGUINS.join(', ')})`);
  return found;
}

const isMissing = (v: string) => v === '' || v === 'NA';
const cache = new Map<MixedName, MixedDataset>();

/** Unquoted CSV only (both files are): a quoted field would be a bug here, so it throws. */
export function readMixed(name: MixedName): MixedDataset {
  const hit = cache.get(name);
  if (hit) return hit;
  const text = readFileSync(path(name), 'utf8').replace(/\r/g, '').trimEnd();
  if (text.includes('"')) throw new Error(`${name}: quoted CSV fields are not supported by this reader`);
  const [head, ...lines] = text.split('\n');
  const header = head.split(',');
  const rows = lines.map((l) => l.split(','));
  const { target, drop, task } = SPEC[name];
  const col = (j: number) => rows.map((r) => r[j]);
  const columns: RawColumn[] = header.flatMap((h, j): RawColumn[] => {
    if (h === target || drop.includes(h)) return [];
    const v = col(j);
    const numeric = v.every((s) => isMissing(s) || Number.isFinite(Number(s)));
    return numeric
      ? [{ name: h, kind: 'numeric', values: Float64Array.from(v, (s) => (isMissing(s) ? NaN : Number(s))) }]
      : [{ name: h, kind: 'categorical', values: v.map((s) => (isMissing(s) ? null : s)) }];
  });
  const labels = col(header.indexOf(target));
  const y = task === 'classification' ? classificationTarget(labels) : regressionTarget(labels.map(Number));
  const ds = { name, task, columns, y, ...tableFromColumns(columns) };
  cache.set(name, ds);
  return ds;
}
