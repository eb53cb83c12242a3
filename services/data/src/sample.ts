// A uniform random sample of a dataset's rows, for plots and estimators that need the points, not
// just aggregates. Rows are numbered 1…N, so the sample is N distinct random row numbers read by
// primary key: no full-table ORDER BY RAND().
import { quoteIdent, type Pool, type RowDataPacket } from '@enchilada/core';
import { isNumeric, selectValue } from './column-types.js';
import type { Dataset } from './catalog.js';

export interface Sample {
  readonly size: number;
  /** True when fewer rows than the dataset holds were read. */
  readonly sampled: boolean;
  /** Numeric columns (NaN = missing), by name. */
  readonly numeric: ReadonlyMap<string, Float64Array>;
  /** Text columns, and dates as ISO text (null = missing), by name. */
  readonly text: ReadonlyMap<string, (string | null)[]>;
}

/** Deterministic xorshift32: the same dataset version and seed give the same sample. */
function generator(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** Floyd's algorithm: `k` distinct row numbers from 1…n, uniformly, sorted; the same seed gives the same rows. */
export function randomRowNumbers(n: number, k: number, seed: number): Float64Array {
  const rnd = generator(seed);
  const chosen = new Set<number>();
  for (let j = n - k + 1; j <= n; j++) {
    const t = 1 + Math.floor(rnd() * j);
    chosen.add(chosen.has(t) ? j : t);
  }
  return Float64Array.from(chosen).sort();
}

export async function readSample(pool: Pool, ds: Dataset, max = 20000, seed = 1): Promise<Sample> {
  const n = ds.rowCount;
  const t = quoteIdent(ds.tableName);
  const cols = ds.columns.map((c) => selectValue(c.type, quoteIdent(c.name))).join(', ');
  let rows: unknown[][];
  if (n <= max) {
    const [r] = await pool.query<RowDataPacket[]>({
      sql: `SELECT ${cols} FROM ${t} ORDER BY \`_row\``,
      rowsAsArray: true,
    });
    rows = r as unknown as unknown[][];
  } else {
    const ids = randomRowNumbers(n, max, seed ^ ds.version);
    rows = [];
    for (let i = 0; i < ids.length; i += 5000) {
      const part = Array.from(ids.subarray(i, i + 5000));
      const [r] = await pool.query<RowDataPacket[]>(
        { sql: `SELECT ${cols} FROM ${t} WHERE \`_row\` IN (?) ORDER BY \`_row\``, rowsAsArray: true },
        [part],
      );
      rows.push(...(r as unknown as unknown[][]));
    }
  }
  const numeric = new Map<string, Float64Array>();
  const text = new Map<string, (string | null)[]>();
  ds.columns.forEach((c, j) => {
    if (isNumeric(c.type))
      numeric.set(
        c.name,
        Float64Array.from(rows, (r) => (r[j] === null ? NaN : Number(r[j]))),
      );
    else
      text.set(
        c.name,
        rows.map((r) => (r[j] === null ? null : String(r[j]))),
      );
  });
  return { size: rows.length, sampled: rows.length < n, numeric, text };
}
