// The dataset catalog: the only module that writes SQL for the `datasets` table.
import { firstRow, type Pool, type PoolConnection, type ResultSetHeader, type RowDataPacket } from '@enchilada/core';
import type { ColumnSpec, Task } from './column-types.js';
import type { Statistics } from './statistics.js';
import type { ClassLabels } from './class-labels.js';

export type Origin = 'toy' | 'upload';

export interface Dataset {
  readonly id: number;
  readonly name: string;
  readonly title: string;
  readonly origin: Origin;
  readonly tableName: string;
  readonly target: string | null;
  readonly task: Task | null;
  readonly columns: readonly ColumnSpec[];
  readonly stats: Statistics | null;
  /** Names of the target's classes, by class value ({"0": "malignant"}), or null (see class-labels.ts). */
  readonly classLabels?: ClassLabels | null;
  readonly rowCount: number;
  readonly version: number;
  readonly createdBy: number | null;
  readonly createdByName: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** What a load writes; the database assigns the rest. */
export type NewDataset = Omit<Dataset, 'id' | 'version' | 'createdByName' | 'createdAt' | 'updatedAt'>;

const SELECT = `SELECT d.*, u.username AS created_by_name FROM datasets d LEFT JOIN users u ON u.id = d.created_by`;

function toDataset(r: RowDataPacket): Dataset {
  return {
    id: Number(r.id),
    name: String(r.name),
    title: String(r.title),
    origin: r.origin === 'toy' ? 'toy' : 'upload',
    tableName: String(r.table_name),
    target: r.target === null ? null : String(r.target),
    task: r.task === 'classification' || r.task === 'regression' ? r.task : null,
    columns: JSON.parse(String(r.columns_json)) as ColumnSpec[],
    stats: r.stats_json
      ? withDefaults(
          JSON.parse(String(r.stats_json)) as Partial<Statistics> &
            Pick<Statistics, 'rows' | 'numeric' | 'classCounts'>,
        )
      : null,
    classLabels: r.class_labels ? (JSON.parse(String(r.class_labels)) as ClassLabels) : null,
    rowCount: Number(r.row_count),
    version: Number(r.version),
    createdBy: r.created_by === null ? null : Number(r.created_by),
    createdByName: r.created_by_name === null ? null : String(r.created_by_name),
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

/** Statistics stored before text and date columns had theirs lack those arrays: none were computed. */
function withDefaults(s: Partial<Statistics> & Pick<Statistics, 'rows' | 'numeric' | 'classCounts'>): Statistics {
  return { ...s, categorical: s.categorical ?? [], dates: s.dates ?? [] };
}

export class Catalog {
  constructor(private readonly pool: Pool) {}

  async list(): Promise<Dataset[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(`${SELECT} ORDER BY d.origin DESC, d.name`);
    return rows.map(toDataset);
  }

  async get(id: number): Promise<Dataset | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>(`${SELECT} WHERE d.id = ?`, [id]);
    return rows.length ? toDataset(firstRow(rows, 'the dataset')) : null;
  }

  async byName(name: string): Promise<Dataset | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>(`${SELECT} WHERE d.name = ?`, [name]);
    return rows.length ? toDataset(firstRow(rows, 'the dataset')) : null;
  }

  /** Every data table the catalog points at (the sweeper keeps these). */
  async tableNames(): Promise<Set<string>> {
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT table_name FROM datasets');
    return new Set(rows.map((r) => String(r.table_name)));
  }

  async insert(conn: PoolConnection | Pool, d: NewDataset): Promise<number> {
    const [res] = await conn.query<ResultSetHeader>(
      `INSERT INTO datasets (name, title, origin, table_name, target, task, columns_json, stats_json, class_labels, row_count, created_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        d.name,
        d.title,
        d.origin,
        d.tableName,
        d.target,
        d.task,
        JSON.stringify(d.columns),
        d.stats ? JSON.stringify(d.stats) : null,
        d.classLabels ? JSON.stringify(d.classLabels) : null,
        d.rowCount,
        d.createdBy,
      ],
    );
    return res.insertId;
  }

  /** Sets (or, with null, removes) the names of the target's classes; validate with checkClassLabels first. */
  async setClassLabels(id: number, labels: ClassLabels | null): Promise<void> {
    await this.pool.query('UPDATE datasets SET class_labels = ? WHERE id = ?', [
      labels ? JSON.stringify(labels) : null,
      id,
    ]);
  }

  /** Points the dataset at a newly loaded table and bumps its version; returns the old table. */
  async replaceTable(conn: PoolConnection, id: number, d: NewDataset): Promise<string> {
    const [rows] = await conn.query<RowDataPacket[]>('SELECT table_name FROM datasets WHERE id = ? FOR UPDATE', [id]);
    const old = rows[0];
    if (!old) throw new Error(`dataset ${id} vanished during the load`);
    await conn.query(
      // Names someone edited survive a reload; a toy's shipped names fill in where there are none.
      `UPDATE datasets SET title = ?, table_name = ?, target = ?, task = ?, columns_json = ?, stats_json = ?, class_labels = COALESCE(class_labels, ?), row_count = ?,
       version = version + 1, updated_at = CURRENT_TIMESTAMP WHERE id = ?`,
      [
        d.title,
        d.tableName,
        d.target,
        d.task,
        JSON.stringify(d.columns),
        d.stats ? JSON.stringify(d.stats) : null,
        d.classLabels ? JSON.stringify(d.classLabels) : null,
        d.rowCount,
        id,
      ],
    );
    return String(old.table_name);
  }

  /** Removes the catalog row; returns the table it pointed at (the caller drops it). */
  async remove(id: number): Promise<string | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT table_name FROM datasets WHERE id = ?', [id]);
    const row = rows[0];
    if (!row) return null;
    await this.pool.query('DELETE FROM datasets WHERE id = ?', [id]);
    return String(row.table_name);
  }
}
