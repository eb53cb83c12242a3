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
  const out: ColumnStats[] = [];
  for (let i = 0; i < numeric.length; i++) {
    const count = Number(a[`c${i}`]);
    const qs = count > 0 ? await quantiles(pool, t, quoteIdent(numeric[i].name), count) : [null, null, null];
    out.push({
      name: numeric[i].name, count, missing: rows - count,
      mean: num(a[`m${i}`]), std: count > 1 ? num(a[`s${i}`]) : null,
      min: num(a[`lo${i}`]), q25: qs[0], q50: qs[1], q75: qs[2], max: num(a[`hi${i}`]),
    });
  }
  let classCounts: ClassCount[] | null = null;
  if (classTarget) {
    const q = quoteIdent(classTarget);
    const [cc] = await pool.query<RowDataPacket[]>(`SELECT ${q} AS v, COUNT(*) AS n FROM ${t} GROUP BY ${q} ORDER BY n DESC, v`);
    classCounts = cc.map((r) => ({ value: r.v === null ? '(missing)' : String(r.v), count: Number(r.n) }));
  }
  return { rows, numeric: out, classCounts };
}

/** pandas' linear interpolation: position (n-1)·q between the order statistics around it. */
async function quantiles(pool: Pool, t: string, col: string, n: number): Promise<(number | null)[]> {
  const wanted = new Set<number>();
  const pos = QUANTILES.map((q) => (n - 1) * q);
  for (const p of pos) { wanted.add(Math.floor(p) + 1); wanted.add(Math.ceil(p) + 1); }
  const ranks = [...wanted];
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT rn, v FROM (SELECT ${col} + 0e0 AS v, ROW_NUMBER() OVER (ORDER BY ${col}) AS rn FROM ${t} WHERE ${col} IS NOT NULL) s
     WHERE rn IN (${ranks.map(() => '?').join(', ')})`, ranks);
  const at = new Map(rows.map((r) => [Number(r.rn), Number(r.v)]));
  return pos.map((p) => {
    const lo = at.get(Math.floor(p) + 1);
    const hi = at.get(Math.ceil(p) + 1);
    if (lo === undefined || hi === undefined) return null;
    return lo + (hi - lo) * (p - Math.floor(p));
  });
}
