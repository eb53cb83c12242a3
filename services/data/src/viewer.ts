// Paged, sortable reads of a dataset's rows, and its CSV export, streamed.
import type { Readable } from 'node:stream';
import { BadRequestError, quoteIdent, type Pool, type RowDataPacket } from '@enchilada/core';
import { selectColumn, selectValue } from './column-types.js';
import type { Dataset } from './catalog.js';
import { csvFromRows } from './csv-writer.js';

export interface PageQuery {
  readonly offset: number;
  readonly limit: number;
  readonly sort?: string;
  readonly desc?: boolean;
}
export interface Page {
  readonly columns: string[];
  readonly rows: unknown[][];
  readonly offset: number;
  readonly total: number;
}

export async function readPage(pool: Pool, ds: Dataset, q: PageQuery): Promise<Page> {
  if (!Number.isInteger(q.offset) || q.offset < 0)
    throw new BadRequestError('offset must be a whole number ≥ 0', 'offset');
  if (!Number.isInteger(q.limit) || q.limit < 1 || q.limit > 1000)
    throw new BadRequestError('limit must be 1–1000', 'limit');
  const names = ds.columns.map((c) => c.name);
  const t = quoteIdent(ds.tableName);
  // Dates come out as ISO text (see selectValue); the sort below stays on the stored values.
  const cols = ds.columns.map((c) => selectValue(c.type, quoteIdent(c.name))).join(', ');
  let rows: RowDataPacket[];
  if (!q.sort) {
    // Rows are numbered 1…N in file order, so a page is a primary-key range: fast at any offset.
    [rows] = await pool.query<RowDataPacket[]>(
      { sql: `SELECT ${cols} FROM ${t} WHERE \`_row\` > ? ORDER BY \`_row\` LIMIT ?`, rowsAsArray: true },
      [q.offset, q.limit],
    );
  } else {
    if (!names.includes(q.sort)) throw new BadRequestError(`no column named ${JSON.stringify(q.sort)}`, 'sort');
    const dir = q.desc ? 'DESC' : 'ASC';
    // Deferred join: sort and skip on the narrow (column, _row) pairs, then fetch the page's rows.
    [rows] = await pool.query<RowDataPacket[]>(
      {
        sql: `SELECT ${ds.columns.map((c) => selectValue(c.type, `d.${quoteIdent(c.name)}`)).join(', ')} FROM ${t} d JOIN (SELECT \`_row\` FROM ${t} ORDER BY ${quoteIdent(q.sort)} ${dir}, \`_row\` ${dir} LIMIT ? OFFSET ?) p ON p.\`_row\` = d.\`_row\` ORDER BY d.${quoteIdent(q.sort)} ${dir}, d.\`_row\` ${dir}`,
        rowsAsArray: true,
      },
      [q.limit, q.offset],
    );
  }
  return { columns: names, rows: rows as unknown as unknown[][], offset: q.offset, total: ds.rowCount };
}

/** The dataset as CSV (header + rows in file order), streamed from the database; formulas defused (csv-writer.ts). */
export function csvStream(pool: Pool, ds: Dataset): Readable {
  const names = ds.columns.map((c) => c.name);
  // mysql2's streaming query needs the callback API of the underlying pool.
  const core = (pool as unknown as { pool: { query(sql: string): { stream(o?: object): Readable } } }).pool;
  const rows = core
    .query(
      `SELECT ${ds.columns.map((c) => selectColumn(c)).join(', ')} FROM ${quoteIdent(ds.tableName)} ORDER BY \`_row\``,
    )
    .stream({ highWaterMark: 500 });
  return csvFromRows(names, rows);
}
