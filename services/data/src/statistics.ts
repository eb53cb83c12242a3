// Descriptive statistics computed by the database over the whole table, with pandas describe()'s
// definitions: sample standard deviation, quantiles linearly interpolated between order statistics.
// Portable between MySQL 8.4 and MariaDB 10.11 (window functions, no vendor-specific percentiles).
import { at, firstRow, quoteIdent, type Pool, type RowDataPacket } from '@enchilada/core';
import { isNumeric, selectValue, type ColumnSpec } from './column-types.js';
import { randomRowNumbers } from './sample.js';

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

export interface ClassCount {
  readonly value: string;
  readonly count: number;
}

/** A text column: how many values, how many different ones, and the most frequent. */
export interface CategoricalStats {
  readonly name: string;
  readonly count: number;
  readonly missing: number;
  readonly distinct: number;
  /** The TOP_VALUES most frequent values, most frequent first, ties by value. */
  readonly top: readonly ClassCount[];
  /** Too many different values to be a category: see isIdentifierLike. */
  readonly identifierLike: boolean;
}

/** A date column: its range as ISO 8601 text (UTC). */
export interface DateStats {
  readonly name: string;
  readonly count: number;
  readonly missing: number;
  readonly min: string | null;
  readonly max: string | null;
}

export interface Statistics {
  readonly rows: number;
  readonly numeric: readonly ColumnStats[];
  /** Text columns. Absent from statistics stored before it existed: the catalog reads that as []. */
  readonly categorical: readonly CategoricalStats[];
  /** Date columns (absent in older stored statistics, read as []). */
  readonly dates: readonly DateStats[];
  /** Rows per value of the target, for classification datasets. */
  readonly classCounts: readonly ClassCount[] | null;
}

export const TOP_VALUES = 10;

/**
 * A text column whose values are mostly all different (names, tickets, free text) says nothing a
 * model can generalise from as a category: more than half the rows have their own value, and there
 * are more than 20 of them (so a small table's few categories are not mistaken for one).
 * Titanic: Name 891/891 and Ticket 681/891 are; Cabin 147/891 and Embarked 3/891 are not.
 */
export const isIdentifierLike = (distinct: number, rows: number): boolean => distinct > 0.5 * rows && distinct > 20;

const QUANTILES = [0.25, 0.5, 0.75] as const;

export interface StatisticsOptions {
  /** Rows sampled to place the histogram edges (the whole table when it has fewer). */
  readonly sampleRows?: number;
  /** A bucket holding a wanted rank with more rows than this is read with ORDER BY … LIMIT instead. */
  readonly fetchLimit?: number;
}

/**
 * Every figure is exact. The database does the work column by column in one scan each, two
 * columns at a time on two connections:
 * 1. a uniform sample of rows (primary-key lookups) places, for each column, histogram edges at
 *    the sample values around each wanted rank (±4 standard errors of the sample quantile);
 * 2. one GROUP BY INTERVAL(value, edges…) scan per column gives each bucket's count, mean,
 *    population variance, minimum and maximum. Count, mean and standard deviation of the column
 *    follow by combining the buckets (Chan et al.'s pairwise update, as stable as STDDEV_SAMP);
 *    min and max are the end buckets'; and the bucket of each wanted rank is known from the
 *    running counts. A rank at either end of its bucket, or in a bucket of one distinct value, is
 *    that bucket's min or max;
 * 3. the few remaining ranks are read in one scan that returns only the values of their small
 *    buckets (about rows / sample each). A rank in a large bucket (the sample misjudged it) is
 *    read with ORDER BY … LIMIT 1 OFFSET.
 * Quantiles interpolate linearly between the order statistics at (n-1)·q, as pandas does.
 */
export async function computeStatistics(
  pool: Pool,
  table: string,
  columns: readonly ColumnSpec[],
  classTarget: string | null,
  opts: StatisticsOptions = {},
): Promise<Statistics> {
  const t = quoteIdent(table);
  const sampleRows = opts.sampleRows ?? 20000;
  const fetchLimit = opts.fetchLimit ?? 20000;
  const numeric = columns.filter((c) => isNumeric(c.type));
  const cols = numeric.map((c) => `${quoteIdent(c.name)} + 0e0`);
  const [heads] = await pool.query<RowDataPacket[]>(
    `SELECT COUNT(*) AS n, COALESCE(MAX(\`_row\`), 0) AS top FROM ${t}`,
  );
  const head = firstRow(heads, 'the row count');
  const rows = Number(head.n);
  const samples = await sample(pool, t, cols, Number(head.top), rows, sampleRows);

  const tasks: (() => Promise<void>)[] = [];
  const hists: Histogram[] = new Array(numeric.length);
  cols.forEach((col, i) =>
    tasks.push(async () => {
      hists[i] = await histogram(pool, t, col, edges(at(samples, i)));
    }),
  );
  let classCounts: ClassCount[] | null = null;
  if (classTarget) {
    const q = quoteIdent(classTarget);
    tasks.push(async () => {
      const [cc] = await pool.query<RowDataPacket[]>(
        `SELECT ${q} AS v, COUNT(*) AS n FROM ${t} GROUP BY ${q} ORDER BY n DESC, v`,
      );
      classCounts = cc.map((r) => ({ value: r.v === null ? '(missing)' : String(r.v), count: Number(r.n) }));
    });
  }
  const texts = columns.filter((c) => c.type === 'text');
  const categorical: CategoricalStats[] = new Array(texts.length);
  texts.forEach((c, i) =>
    tasks.push(async () => {
      categorical[i] = await textStats(pool, t, c.name, rows);
    }),
  );
  const dateCols = columns.filter((c) => c.type === 'date');
  const dates: DateStats[] = new Array(dateCols.length);
  dateCols.forEach((c, i) =>
    tasks.push(async () => {
      dates[i] = await dateStats(pool, t, c, rows);
    }),
  );
  await inParallel(tasks, 2);

  const quartiles = await orderStatistics(pool, t, cols, hists, fetchLimit);
  const out: ColumnStats[] = numeric.map((c, i) => {
    const h = at(hists, i);
    const q = at(quartiles, i);
    return {
      name: c.name,
      count: h.count,
      missing: rows - h.count,
      mean: h.mean,
      std: h.std,
      min: h.buckets[0]?.min ?? null,
      q25: at(q, 0),
      q50: at(q, 1),
      q75: at(q, 2),
      max: h.buckets.at(-1)?.max ?? null,
    };
  });
  return { rows, numeric: out, categorical, dates, classCounts };
}

/** Count and distinct values in one scan, the most frequent values in one GROUP BY. */
async function textStats(pool: Pool, t: string, name: string, rows: number): Promise<CategoricalStats> {
  const q = quoteIdent(name);
  const [aggs] = await pool.query<RowDataPacket[]>(`SELECT COUNT(${q}) AS n, COUNT(DISTINCT ${q}) AS d FROM ${t}`);
  const agg = firstRow(aggs, `${name}'s counts`);
  // The table's binary collation makes both the grouping and the tie order exact, byte by byte.
  const [top] = await pool.query<RowDataPacket[]>(
    `SELECT ${q} AS v, COUNT(*) AS n FROM ${t} WHERE ${q} IS NOT NULL GROUP BY ${q} ORDER BY n DESC, v LIMIT ?`,
    [TOP_VALUES],
  );
  const count = Number(agg.n);
  const distinct = Number(agg.d);
  return {
    name,
    count,
    missing: rows - count,
    distinct,
    top: top.map((r) => ({ value: String(r.v), count: Number(r.n) })),
    identifierLike: isIdentifierLike(distinct, rows),
  };
}

async function dateStats(pool: Pool, t: string, c: ColumnSpec, rows: number): Promise<DateStats> {
  const q = quoteIdent(c.name);
  const [found] = await pool.query<RowDataPacket[]>(
    `SELECT COUNT(${q}) AS n, ${selectValue(c.type, `MIN(${q})`)} AS lo, ${selectValue(c.type, `MAX(${q})`)} AS hi FROM ${t}`,
  );
  const r = firstRow(found, `${c.name}'s range`);
  const count = Number(r.n);
  return {
    name: c.name,
    count,
    missing: rows - count,
    min: r.lo === null ? null : String(r.lo),
    max: r.hi === null ? null : String(r.hi),
  };
}

async function inParallel(tasks: readonly (() => Promise<void>)[], width: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < tasks.length; i = next++) await at(tasks, i)();
  };
  await Promise.all(Array.from({ length: Math.min(width, tasks.length) }, worker));
}

/** Each column's non-null values in a uniform sample of rows, sorted. */
async function sample(
  pool: Pool,
  t: string,
  cols: readonly string[],
  top: number,
  rows: number,
  size: number,
): Promise<number[][]> {
  if (cols.length === 0) return [];
  const list = cols.join(', ');
  let found: RowDataPacket[];
  if (rows <= size) {
    [found] = await pool.query<RowDataPacket[]>({ sql: `SELECT ${list} FROM ${t}`, rowsAsArray: true });
  } else {
    // Which rows are sampled changes only the speed, never a figure.
    const ids = randomRowNumbers(top, size, rows);
    [found] = await pool.query<RowDataPacket[]>(
      { sql: `SELECT ${list} FROM ${t} WHERE \`_row\` IN (?)`, rowsAsArray: true },
      [Array.from(ids)],
    );
  }
  return cols.map((_, j) => {
    const v: number[] = [];
    for (const r of found as unknown as unknown[][]) if (r[j] !== null) v.push(Number(r[j]));
    return v.sort((a, b) => a - b);
  });
}

/** Distinct sorted sample values within ±4 standard errors (and two places) of each quartile. */
function edges(sorted: readonly number[]): number[] {
  const s = sorted.length;
  if (s === 0) return [];
  const out = new Set<number>();
  for (const q of QUANTILES) {
    const pos = q * (s - 1);
    const d = Math.ceil(4 * Math.sqrt(s * q * (1 - q)) + 2);
    // With the whole column as the sample every value is an edge near the quartile, so each
    // bucket there holds one distinct value and nothing needs to be read again.
    const from = Math.max(0, Math.floor(pos) - d);
    const to = Math.min(s - 1, Math.ceil(pos) + d);
    for (let k = from; k <= to; k++) out.add(at(sorted, k));
    // Close the window above with the next larger value, so that the bucket of its top value holds
    // that value alone when the column has ties (few distinct values).
    let above = to;
    while (above < s - 1 && sorted[above] === sorted[to]) above++;
    out.add(at(sorted, above));
  }
  return [...out].sort((a, b) => a - b);
}

interface Bucket {
  readonly k: number;
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly lo: number;
  readonly hi: number;
}
interface Histogram {
  readonly count: number;
  readonly mean: number | null;
  readonly std: number | null;
  readonly buckets: readonly Bucket[];
}

/** INTERVAL(x, e1…em) is the bucket: 0 below e1, k for e_k ≤ x < e_{k+1}. */
async function histogram(pool: Pool, t: string, col: string, cuts: readonly number[]): Promise<Histogram> {
  const k = cuts.length ? `INTERVAL(${col}, ${cuts.map(() => '? + 0e0').join(', ')})` : '0';
  const [found] = await pool.query<RowDataPacket[]>(
    `SELECT ${k} AS k, COUNT(*) AS c, AVG(${col}) AS m, VAR_POP(${col}) AS v, MIN(${col}) AS lo, MAX(${col}) AS hi
     FROM ${t} WHERE ${col} IS NOT NULL GROUP BY k ORDER BY k`,
    [...cuts],
  );
  let count = 0;
  let mean = 0;
  let m2 = 0;
  const buckets: Bucket[] = [];
  for (const r of found) {
    const kk = Number(r.k);
    const c = Number(r.c);
    const bm = Number(r.m);
    const bucket = {
      k: kk,
      count: c,
      min: Number(r.lo),
      max: Number(r.hi),
      lo: kk === 0 ? -Infinity : at(cuts, kk - 1),
      hi: kk >= cuts.length ? Infinity : at(cuts, kk),
    };
    // The database must have bucketed as described; a bucket outside its edges would give wrong ranks.
    if (bucket.min < bucket.lo || bucket.max >= bucket.hi)
      throw new Error(`statistics: ${col} bucket ${kk} holds values outside [${bucket.lo}, ${bucket.hi})`);
    buckets.push(bucket);
    // Chan, Golub & LeVeque: merge (count, mean, M2) of two parts.
    const n = count + c;
    const delta = bm - mean;
    mean += (delta * c) / n;
    m2 += Number(r.v) * c + (delta * delta * count * c) / n;
    count = n;
  }
  return { count, mean: count ? mean : null, std: count > 1 ? Math.sqrt(m2 / (count - 1)) : null, buckets };
}

/** The quartiles of every column from its histogram, reading back only what the buckets leave open. */
async function orderStatistics(
  pool: Pool,
  t: string,
  cols: readonly string[],
  hists: readonly Histogram[],
  fetchLimit: number,
): Promise<(number | null)[][]> {
  const known = hists.map(() => new Map<number, number>());
  interface Open {
    readonly col: number;
    readonly rank: number;
    readonly bucket: Bucket;
    readonly offset: number;
  }
  const open: Open[] = [];
  hists.forEach((h, i) => {
    if (h.count === 0) return;
    const knownHere = at(known, i);
    const ranks = [
      ...new Set(QUANTILES.flatMap((q) => [Math.floor((h.count - 1) * q), Math.ceil((h.count - 1) * q)])),
    ].sort((a, b) => a - b);
    let before = 0;
    let r = 0;
    for (const b of h.buckets) {
      for (let rank = ranks[r]; rank !== undefined && rank < before + b.count; rank = ranks[++r]) {
        const offset = rank - before;
        if (b.min === b.max || offset === 0) knownHere.set(rank, b.min);
        else if (offset === b.count - 1) knownHere.set(rank, b.max);
        else open.push({ col: i, rank, bucket: b, offset });
      }
      before += b.count;
    }
  });
  const small = open.filter((o) => o.bucket.count <= fetchLimit);
  for (const o of open.filter((x) => x.bucket.count > fetchLimit)) {
    const c = at(cols, o.col);
    const [v] = await pool.query<RowDataPacket[]>(
      `SELECT ${c} AS v FROM ${t} WHERE ${c} >= ? + 0e0 AND ${c} <= ? + 0e0 ORDER BY v LIMIT 1 OFFSET ?`,
      [o.bucket.min, o.bucket.max, o.offset],
    );
    at(known, o.col).set(o.rank, Number(firstRow(v, 'a value of a large bucket').v));
  }
  if (small.length) {
    // One scan: each selected column is NULL unless its value lies in one of its open buckets.
    const ranges = new Map<number, Bucket[]>();
    for (const o of small)
      if (!ranges.get(o.col)?.includes(o.bucket)) ranges.set(o.col, [...(ranges.get(o.col) ?? []), o.bucket]);
    const sel: string[] = [];
    const conds: string[] = [];
    const selArgs: number[] = [];
    const whereArgs: number[] = [];
    for (const [col, bs] of ranges) {
      const c = at(cols, col);
      const cond = bs.map(() => `(${c} >= ? + 0e0 AND ${c} <= ? + 0e0)`).join(' OR ');
      const args = bs.flatMap((b) => [b.min, b.max]);
      sel.push(`CASE WHEN ${cond} THEN ${c} END`);
      selArgs.push(...args);
      conds.push(cond);
      whereArgs.push(...args);
    }
    const [found] = await pool.query<RowDataPacket[]>(
      { sql: `SELECT ${sel.join(', ')} FROM ${t} WHERE ${conds.join(' OR ')}`, rowsAsArray: true },
      [...selArgs, ...whereArgs],
    );
    const cols2 = [...ranges.keys()];
    const values = cols2.map((_, j) =>
      (found as unknown as unknown[][]).flatMap((r) => (r[j] === null ? [] : [Number(r[j])])),
    );
    for (const o of small) {
      const inBucket = at(values, cols2.indexOf(o.col))
        .filter((v) => v >= o.bucket.min && v <= o.bucket.max)
        .sort((a, b) => a - b);
      if (inBucket.length !== o.bucket.count)
        throw new Error(`statistics: read ${inBucket.length} values of a bucket of ${o.bucket.count}`);
      at(known, o.col).set(o.rank, at(inBucket, o.offset));
    }
  }
  return hists.map((h, i) =>
    QUANTILES.map((q) => {
      if (h.count === 0) return null;
      const p = (h.count - 1) * q;
      const knownHere = at(known, i);
      const lo = knownHere.get(Math.floor(p)) as number;
      const hi = knownHere.get(Math.ceil(p)) as number;
      return lo + (hi - lo) * (p - Math.floor(p));
    }),
  );
}
