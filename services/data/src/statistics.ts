// Descriptive statistics computed by the database over the whole table, with pandas describe()'s
// definitions: sample standard deviation, quantiles linearly interpolated between order statistics.
// Portable between MySQL 8.4 and MariaDB 10.11 (window functions, no vendor-specific percentiles).
import { quoteIdent, type Pool, type RowDataPacket } from '@enchilada/core';
import { isNumeric, type ColumnSpec } from './column-types.js';

export interface ColumnStats {
  readonly name: string;
  readonly count: number;
  readonly missing: number;
  readonly mean: number | null;
  readonly std: number | null;
  readonly min: number | null;
  readonly q25: number | null;
  readonly q50: number | null;
  readonly q75: number | null;
  readonly max: number | null;
}

export interface ClassCount { readonly value: string; readonly count: number }

export interface Statistics {
  readonly rows: number;
  readonly numeric: readonly ColumnStats[];
  /** Rows per value of the target, for classification datasets. */
  readonly classCounts: readonly ClassCount[] | null;
}

const QUANTILES = [0.25, 0.5, 0.75] as const;
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export async function computeStatistics(
  pool: Pool, table: string, columns: readonly ColumnSpec[], classTarget: string | null,
): Promise<Statistics> {
  const t = quoteIdent(table);
  const numeric = columns.filter((c) => isNumeric(c.type));
  // One pass for counts and moments of every numeric column. `+ 0e0` makes the database average
  // in double precision (AVG over integers would otherwise round to a DECIMAL).
  const parts = ['COUNT(*) AS n'];
  numeric.forEach((c, i) => {
    const q = quoteIdent(c.name);
    parts.push(`COUNT(${q}) AS c${i}`, `AVG(${q} + 0e0) AS m${i}`, `STDDEV_SAMP(${q} + 0e0) AS s${i}`, `MIN(${q} + 0e0) AS lo${i}`, `MAX(${q} + 0e0) AS hi${i}`);
  });
  const [agg] = await pool.query<RowDataPacket[]>(`SELECT ${parts.join(', ')} FROM ${t}`);
  const a = agg[0];
  const rows = Number(a.n);
  // Quartiles per column, two columns at a time (two connections: the database sorts in parallel).
  const qs: (number | null)[][] = new Array(numeric.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < numeric.length; i = next++) {
      const count = Number(a[`c${i}`]);
      qs[i] = count > 0 ? await quartiles(pool, t, quoteIdent(numeric[i].name), count, Number(a[`lo${i}`]), Number(a[`hi${i}`])) : [null, null, null];
    }
  };
  await Promise.all([worker(), worker()]);
  const out: ColumnStats[] = numeric.map((c, i) => {
    const count = Number(a[`c${i}`]);
    return {
      name: c.name, count, missing: rows - count,
      mean: num(a[`m${i}`]), std: count > 1 ? num(a[`s${i}`]) : null,
      min: num(a[`lo${i}`]), q25: qs[i][0], q50: qs[i][1], q75: qs[i][2], max: num(a[`hi${i}`]),
    };
  });
  let classCounts: ClassCount[] | null = null;
  if (classTarget) {
    const q = quoteIdent(classTarget);
    const [cc] = await pool.query<RowDataPacket[]>(`SELECT ${q} AS v, COUNT(*) AS n FROM ${t} GROUP BY ${q} ORDER BY n DESC, v`);
    classCounts = cc.map((r) => ({ value: r.v === null ? '(missing)' : String(r.v), count: Number(r.n) }));
  }
  return { rows, numeric: out, classCounts };
}

const BUCKETS = 4096;

/**
 * pandas' linear interpolation: position (n-1)·q between the order statistics around it. Exact,
 * without sorting the column: one scan counts the values per bucket of [min, max], a second sorts
 * only the buckets that hold the wanted ranks (selection by histogram, as in Greenwald & Khanna's
 * two-pass exact quantiles).
 */
async function quartiles(pool: Pool, t: string, col: string, n: number, min: number, max: number): Promise<(number | null)[]> {
  if (min === max) return QUANTILES.map(() => min);
  const pos = QUANTILES.map((q) => (n - 1) * q);
  const ranks = [...new Set(pos.flatMap((p) => [Math.floor(p), Math.ceil(p)]))].sort((x, y) => x - y);
  // The same expression, with the same parameters, decides the bucket in both passes.
  const bucket = `LEAST(FLOOR((${col} - ?) / ? * ${BUCKETS}), ${BUCKETS - 1})`;
  const args = [min, max - min];
  const [counts] = await pool.query<RowDataPacket[]>(`SELECT ${bucket} AS k, COUNT(*) AS c FROM ${t} WHERE ${col} IS NOT NULL GROUP BY k ORDER BY k`, args);
  const where = new Map<number, { bucket: number; offset: number }>();
  let before = 0;
  let r = 0;
  for (const row of counts) {
    const c = Number(row.c);
    while (r < ranks.length && ranks[r] < before + c) { where.set(ranks[r], { bucket: Number(row.k), offset: ranks[r] - before }); r++; }
    before += c;
  }
  const buckets = [...new Set([...where.values()].map((w) => w.bucket))];
  if (buckets.length === 0) return QUANTILES.map(() => null);
  const [vals] = await pool.query<RowDataPacket[]>(
    `SELECT k, v FROM (SELECT ${bucket} AS k, ${col} + 0e0 AS v FROM ${t} WHERE ${col} IS NOT NULL) s WHERE k IN (?) ORDER BY k, v`, [...args, buckets]);
  const sorted = new Map<number, number[]>();
  for (const row of vals) {
    const k = Number(row.k);
    const list = sorted.get(k) ?? [];
    list.push(Number(row.v));
    sorted.set(k, list);
  }
  const at = (rank: number): number | undefined => {
    const w = where.get(rank);
    return w ? sorted.get(w.bucket)?.[w.offset] : undefined;
  };
  return pos.map((p) => {
    const lo = at(Math.floor(p));
    const hi = at(Math.ceil(p));
    if (lo === undefined || hi === undefined) return null;
    return lo + (hi - lo) * (p - Math.floor(p));
  });
}
