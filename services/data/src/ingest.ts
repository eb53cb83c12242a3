// Loads CSV records into a new table and swaps it in with its catalog row. The rows go into a table
// no catalog row points at yet; only when every row is in and the statistics are computed does one
// catalog write make it visible (insert for a new dataset, table switch + version bump for a
// reload). A failed or interrupted load drops its table, and the sweeper removes tables left by a
// crash, so nothing half-loaded is ever visible.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  at,
  BadRequestError,
  ConflictError,
  quoteIdent,
  withTransaction,
  type Pool,
  type ResultSetHeader,
  type RowDataPacket,
} from '@enchilada/core';
import {
  readValue,
  sqlType,
  typeHint,
  COLUMN_ROLES,
  COLUMN_TYPES,
  type ColumnSpec,
  type Task,
} from './column-types.js';
import { CsvError, type CsvRecord, type CsvSource } from './csv-reader.js';
import { Catalog, type Dataset, type Origin } from './catalog.js';
import type { ClassLabels } from './class-labels.js';
import { checkColumnNames, checkDatasetName } from './names.js';
import { computeStatistics } from './statistics.js';

export interface LoadSpec {
  readonly name: string;
  readonly title: string;
  readonly origin: Origin;
  /** One per CSV column, in file order. */
  readonly columns: readonly ColumnSpec[];
  readonly task: Task | null;
  readonly createdBy: number | null;
  /** Names of the target's classes (a toy dataset's own); a reload keeps names already set. */
  readonly classLabels?: ClassLabels | null;
  /** Replace the rows of an existing dataset of this name (toy reloads); otherwise the name must be new. */
  readonly replace?: boolean;
}

export interface LoadProgress {
  readonly rows: number;
  readonly bytes: number;
}

export interface LoadOptions {
  readonly onProgress?: (p: LoadProgress) => void;
  readonly signal?: AbortSignal;
  /** Rows per INSERT statement (bounded by the placeholder limit). */
  readonly batchRows?: number;
  /** How rows are sent (default: LOAD DATA when the server allows it, else INSERT). */
  readonly method?: LoadMethod;
  /** The table to fill (from `newDataTableName`), when the caller records it first so a sweeper can find it. */
  readonly tableName?: string;
}

export const DATA_TABLE_PREFIX = 'ds_';
const DATA_TABLE = /^ds_[0-9a-f]{16}$/;

/** A fresh name for a dataset's table. */
export function newDataTableName(): string {
  return DATA_TABLE_PREFIX + randomBytes(8).toString('hex');
}

export function validateSpec(spec: LoadSpec, header?: readonly string[]): { target: string | null } {
  checkDatasetName(spec.name);
  if (spec.title.trim() === '' || spec.title.length > 200)
    throw new BadRequestError('title must be 1–200 characters', 'title');
  if (header && header.length !== spec.columns.length) {
    throw new BadRequestError(
      `the file has ${header.length} columns but ${spec.columns.length} were described`,
      'columns',
    );
  }
  spec.columns.forEach((c, i) => {
    if (!COLUMN_TYPES.includes(c.type))
      throw new BadRequestError(
        `column ${JSON.stringify(c.name)}: unknown type ${JSON.stringify(c.type)}`,
        `columns[${i}].type`,
      );
    if (!COLUMN_ROLES.includes(c.role))
      throw new BadRequestError(
        `column ${JSON.stringify(c.name)}: unknown role ${JSON.stringify(c.role)}`,
        `columns[${i}].role`,
      );
  });
  checkColumnNames(spec.columns.map((c) => c.name));
  const targets = spec.columns.filter((c) => c.role === 'target');
  const indexOf = (c: ColumnSpec | undefined) => spec.columns.findIndex((x) => x === c);
  if (targets.length > 1)
    throw new BadRequestError(
      `choose at most one target column (${targets.map((c) => JSON.stringify(c.name)).join(' and ')} are both targets): make the others features`,
      `columns[${indexOf(targets[1])}].role`,
    );
  const target = targets[0]?.name ?? null;
  if (target && !spec.task)
    throw new BadRequestError('choose the task (classification or regression) for the target', 'task');
  if (!target && spec.task) throw new BadRequestError('a task needs a target column', 'task');
  if (spec.task === 'regression' && targets[0] && targets[0].type === 'text') {
    throw new BadRequestError(
      `regression needs a numeric target; ${JSON.stringify(target)} is text: choose classification, or a numeric type if its values are numbers`,
      `columns[${indexOf(targets[0])}].type`,
    );
  }
  if (targets[0] && targets[0].type === 'date') {
    throw new BadRequestError(
      `${JSON.stringify(target)} is a date column: a date cannot be the target (use it as a feature)`,
      `columns[${indexOf(targets[0])}].role`,
    );
  }
  if (spec.columns.filter((c) => c.role === 'feature').length === 0)
    throw new BadRequestError('choose at least one feature column', 'columns');
  return { target };
}

export async function loadDataset(
  pool: Pool,
  spec: LoadSpec,
  source: CsvSource,
  opts: LoadOptions = {},
): Promise<Dataset> {
  const { target } = validateSpec(spec, source.header);
  const catalog = new Catalog(pool);
  const existing = await catalog.byName(spec.name);
  if (existing && !spec.replace) throw new ConflictError(`a dataset named ${JSON.stringify(spec.name)} exists already`);
  if (existing && existing.origin !== spec.origin)
    throw new ConflictError(`${JSON.stringify(spec.name)} is an ${existing.origin} dataset`);

  const table = opts.tableName ?? newDataTableName();
  if (!DATA_TABLE.test(table)) throw new Error(`${JSON.stringify(table)} is not a dataset table name`);
  const t = quoteIdent(table);
  const cols = spec.columns;
  const defs = cols.map((c) => `${quoteIdent(c.name)} ${sqlType(c.type)}`).join(', ');
  await pool.query(
    `CREATE TABLE ${t} (\`_row\` BIGINT UNSIGNED NOT NULL PRIMARY KEY, ${defs}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  );
  try {
    const rowCount = await insertRows(pool, t, cols, source, opts);
    if (rowCount === 0) throw new CsvError(2, 'the file has a header but no rows');
    const classTarget = spec.task === 'classification' ? target : null;
    const stats = await computeStatistics(pool, table, cols, classTarget);
    const row = {
      name: spec.name,
      title: spec.title.trim(),
      origin: spec.origin,
      tableName: table,
      target,
      task: spec.task,
      columns: cols,
      stats,
      classLabels: spec.classLabels ?? null,
      rowCount,
      createdBy: spec.createdBy,
    };
    let id: number;
    let old: string | null = null;
    if (existing) {
      id = existing.id;
      old = await withTransaction(pool, (conn) => catalog.replaceTable(conn, existing.id, row));
    } else {
      try {
        id = await catalog.insert(pool, row);
      } catch (err) {
        if ((err as { code?: string }).code === 'ER_DUP_ENTRY')
          throw new ConflictError(`a dataset named ${JSON.stringify(spec.name)} exists already`);
        throw err;
      }
    }
    if (old) await pool.query(`DROP TABLE IF EXISTS ${quoteIdent(old)}`);
    const ds = await catalog.get(id);
    if (!ds) throw new Error('the dataset disappeared right after loading');
    return ds;
  } catch (err) {
    await pool.query(`DROP TABLE IF EXISTS ${t}`).catch(() => undefined);
    throw err;
  }
}

/**
 * How rows reach the table. `load-data` streams them as tab-separated text through
 * `LOAD DATA LOCAL INFILE` (the server parses them; several times faster than INSERT, whose
 * statements mysql2 must format and the server parse); `insert` sends multi-row INSERTs and
 * works when the server has `local_infile` switched off (MySQL 8.4's default).
 */
export type LoadMethod = 'load-data' | 'insert';

async function chooseMethod(pool: Pool, wanted: LoadMethod | undefined): Promise<LoadMethod> {
  if (wanted) return wanted;
  const [r] = await pool.query<RowDataPacket[]>('SELECT @@GLOBAL.local_infile AS on_');
  return Number(r[0]?.on_) === 1 ? 'load-data' : 'insert';
}

async function insertRows(
  pool: Pool,
  t: string,
  cols: readonly ColumnSpec[],
  source: CsvSource,
  opts: LoadOptions,
): Promise<number> {
  return (await chooseMethod(pool, opts.method)) === 'load-data'
    ? streamRows(pool, t, cols, source, opts)
    : insertBatches(pool, t, cols, source, opts);
}

/** Reads and checks one record into `row` (row[0] is the row number). */
function readRecord(rec: CsvRecord, cols: readonly ColumnSpec[], row: unknown[]): void {
  for (let j = 0; j < cols.length; j++) {
    // The reader has checked every record's field count against the header.
    const col = at(cols, j);
    const raw = at(rec.values, j);
    const v = readValue(raw, col.type);
    if (v instanceof Error) {
      const err = new CsvError(rec.line, v.message, col.name);
      err.hint = typeHint(raw, col.type);
      throw err;
    }
    row[j + 1] = v;
  }
}

// LOAD DATA's escapes (FIELDS ESCAPED BY '\\'): the characters that would end a field or a line.
const TSV_SPECIAL = /[\\\t\n\r\0]/g;
const TSV_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };
const tsvField = (v: unknown): string =>
  v === null ? '\\N' : typeof v === 'string' ? v.replace(TSV_SPECIAL, (c) => TSV_ESCAPES[c] ?? c) : String(v);

async function streamRows(
  pool: Pool,
  t: string,
  cols: readonly ColumnSpec[],
  source: CsvSource,
  opts: LoadOptions,
): Promise<number> {
  const names = ['`_row`', ...cols.map((c) => quoteIdent(c.name))].join(', ');
  let n = 0;
  let failure: unknown = null;
  let lastReport = 0;
  // Rows are checked here, as they are read; the first bad one ends the stream early and its error
  // is thrown once the server has finished, so the connection stays usable and the table is dropped.
  async function* tsv(): AsyncGenerator<Buffer> {
    const row: unknown[] = new Array(cols.length + 1);
    let chunk = '';
    try {
      for await (const rec of source.records) {
        if (opts.signal?.aborted) throw new BadRequestError('the load was cancelled');
        row[0] = ++n;
        readRecord(rec, cols, row);
        chunk += row.map(tsvField).join('\t') + '\n';
        if (chunk.length >= 1 << 16) {
          yield Buffer.from(chunk);
          chunk = '';
          if (opts.onProgress && n - lastReport >= 20000) {
            lastReport = n;
            opts.onProgress({ rows: n, bytes: source.bytesRead() });
          }
        }
      }
      if (chunk) yield Buffer.from(chunk);
    } catch (err) {
      failure = err;
    }
  }
  const stored = await withTransaction(pool, async (conn) => {
    const [res] = await conn.query<ResultSetHeader>({
      sql: `LOAD DATA LOCAL INFILE 'rows.tsv' INTO TABLE ${t} CHARACTER SET utf8mb4
            FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${names})`,
      infileStreamFactory: () => Readable.from(tsv(), { objectMode: false }),
    });
    // Rethrows what the row stream threw, as it was.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    if (failure) throw failure;
    // Every value was checked before it was sent, so the server has nothing to warn about; if it
    // does (a value it still cut or converted), the load fails rather than store something else.
    if (res.warningStatus > 0) {
      const [w] = await conn.query<RowDataPacket[]>('SHOW WARNINGS LIMIT 1');
      throw new Error(`the database changed a value while loading: ${String(w[0]?.Message ?? 'unknown warning')}`);
    }
    return res.affectedRows;
  });
  if (stored !== n) throw new Error(`the database stored ${stored} of ${n} rows`);
  opts.onProgress?.({ rows: n, bytes: source.bytesRead() });
  return n;
}

async function insertBatches(
  pool: Pool,
  t: string,
  cols: readonly ColumnSpec[],
  source: CsvSource,
  opts: LoadOptions,
): Promise<number> {
  const batchRows = opts.batchRows ?? Math.max(1, Math.min(2000, Math.floor(30000 / (cols.length + 1))));
  const names = ['`_row`', ...cols.map((c) => quoteIdent(c.name))].join(', ');
  const sql = `INSERT INTO ${t} (${names}) VALUES ?`;
  let n = 0;
  let lastReport = 0;
  await withTransaction(pool, async (conn) => {
    let pending: Promise<unknown> | null = null;
    let batch: unknown[][] = [];
    try {
      for await (const rec of source.records) {
        if (opts.signal?.aborted) throw new BadRequestError('the load was cancelled');
        const row: unknown[] = new Array(cols.length + 1);
        row[0] = ++n;
        readRecord(rec, cols, row);
        batch.push(row);
        if (batch.length >= batchRows) {
          // Parse the next batch while the database stores this one.
          if (pending) await pending;
          pending = conn.query(sql, [batch]);
          batch = [];
          if (opts.onProgress && n - lastReport >= 20000) {
            lastReport = n;
            opts.onProgress({ rows: n, bytes: source.bytesRead() });
          }
        }
      }
      if (pending) await pending;
      if (batch.length) await conn.query(sql, [batch]);
    } catch (err) {
      // A batch still being stored must settle (and not go unhandled) before the rollback.
      if (pending) await pending.catch(() => undefined);
      throw err;
    }
  });
  opts.onProgress?.({ rows: n, bytes: source.bytesRead() });
  return n;
}

/**
 * Drops data tables no catalog row points at: those older than `olderThanMinutes` (left by a crash
 * mid-load) and the `abandoned` ones (of loads whose heartbeat stopped) at any age, except `keep`
 * (the tables of loads still running).
 */
export async function sweepOrphanTables(
  pool: Pool,
  olderThanMinutes = 0,
  opts: { readonly keep?: ReadonlySet<string>; readonly abandoned?: readonly string[] } = {},
): Promise<string[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT TABLE_NAME AS name, (CREATE_TIME IS NULL OR CREATE_TIME <= NOW() - INTERVAL ? MINUTE) AS old FROM information_schema.TABLES
     WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'ds\\_%'`,
    [olderThanMinutes],
  );
  const abandoned = new Set(opts.abandoned ?? []);
  const keep = await new Catalog(pool).tableNames();
  const dropped: string[] = [];
  for (const r of rows) {
    const name = String(r.name);
    if (!Number(r.old) && !abandoned.has(name)) continue;
    if (!keep.has(name) && !opts.keep?.has(name) && DATA_TABLE.test(name)) {
      await pool.query(`DROP TABLE IF EXISTS ${quoteIdent(name)}`);
      dropped.push(name);
    }
  }
  return dropped;
}
