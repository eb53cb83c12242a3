// The rows a pipeline trains on, with features of every kind: numbers, text categories and dates,
// missing values kept (the pipeline imputes them). Only rows without a target are left out, since
// nothing can be learnt from them; they are counted so the page can say how many.
import { BadRequestError, quoteIdent, type Pool, type RowDataPacket } from '@enchilada/core';
import { isNumeric, type ColumnSpec } from './column-types.js';
import type { Dataset } from './catalog.js';
import { parseDate } from './dates.js';

export type TrainingColumn =
  /** integer, decimal, boolean (0/1); NaN = missing */
  | { readonly name: string; readonly kind: 'numeric'; readonly values: Float64Array }
  /** text; null = missing */
  | { readonly name: string; readonly kind: 'categorical'; readonly values: readonly (string | null)[] }
  /** epoch milliseconds UTC; NaN = missing */
  | { readonly name: string; readonly kind: 'date'; readonly values: Float64Array };

export type TrainingColumnKind = TrainingColumn['kind'];

export interface TrainingTable {
  /** The dataset's row numbers (`_row`) of the rows kept, ascending. */
  readonly rowIds: Int32Array;
  /** One per requested feature, in the order asked for. */
  readonly columns: TrainingColumn[];
  /** Class labels (classification) or values (regression). */
  readonly target: { readonly labels: string[] } | { readonly values: Float64Array };
  /** Rows left out because the target is missing. */
  readonly droppedMissingTarget: number;
}

/** How a column of this type reaches a model. */
export function trainingKind(c: ColumnSpec): TrainingColumnKind {
  return isNumeric(c.type) ? 'numeric' : c.type === 'date' ? 'date' : 'categorical';
}

// Rows per `_row IN (…)` read: a bounded statement size.
const ID_BATCH = 10000;

export async function readTrainingTable(
  pool: Pool,
  ds: Dataset,
  features: readonly string[],
  rowIds?: readonly number[],
): Promise<TrainingTable> {
  if (!ds.target || !ds.task) throw new BadRequestError(`dataset ${ds.name} has no target column`, 'dataset');
  if (features.length === 0) throw new BadRequestError('choose at least one feature', 'features');
  const cols = new Map(ds.columns.map((c) => [c.name, c]));
  const specs = features.map((f) => {
    const c = cols.get(f);
    if (!c) throw new BadRequestError(`${JSON.stringify(f)} is not a column of ${ds.name}`, 'features');
    if (f === ds.target)
      throw new BadRequestError(
        `${JSON.stringify(f)} is the target of ${ds.name}; it cannot also be a feature`,
        'features',
      );
    return c;
  });
  const twice = features.find((f, i) => features.indexOf(f) !== i);
  if (twice !== undefined) throw new BadRequestError(`${JSON.stringify(twice)} is asked for twice`, 'features');

  // A DATETIME is read as text written by the database and parsed here as UTC: neither the session's
  // time zone nor the driver's Date conversion can move it.
  const select = specs.map((c) =>
    c.type === 'date' ? `DATE_FORMAT(${quoteIdent(c.name)}, '%Y-%m-%dT%H:%i:%s.%f')` : quoteIdent(c.name),
  );
  const sql = `SELECT \`_row\`, ${[...select, quoteIdent(ds.target)].join(', ')} FROM ${quoteIdent(ds.tableName)}`;
  let rows: unknown[][] = [];
  if (rowIds) {
    for (let i = 0; i < rowIds.length; i += ID_BATCH) {
      const [r] = await pool.query<RowDataPacket[]>(
        { sql: `${sql} WHERE \`_row\` IN (?) ORDER BY \`_row\``, rowsAsArray: true },
        [rowIds.slice(i, i + ID_BATCH)],
      );
      rows = rows.concat(r as unknown as unknown[][]);
    }
    // Batches are each in order; ids given out of order would interleave them.
    rows.sort((a, b) => Number(a[0]) - Number(b[0]));
  } else {
    const [r] = await pool.query<RowDataPacket[]>({ sql: `${sql} ORDER BY \`_row\``, rowsAsArray: true });
    rows = r as unknown as unknown[][];
  }

  const k = specs.length;
  const kept = rows.filter((r) => r[k + 1] !== null);
  const ids = Int32Array.from(kept, (r) => Number(r[0]));
  const columns = specs.map((c, j): TrainingColumn => {
    const at = j + 1;
    switch (trainingKind(c)) {
      case 'numeric':
        return {
          name: c.name,
          kind: 'numeric',
          values: Float64Array.from(kept, (r) => (r[at] === null ? NaN : Number(r[at]))),
        };
      case 'date':
        return { name: c.name, kind: 'date', values: Float64Array.from(kept, (r) => toMillis(r[at], c.name)) };
      case 'categorical':
        return { name: c.name, kind: 'categorical', values: kept.map((r) => (r[at] === null ? null : String(r[at]))) };
    }
  });
  const target =
    ds.task === 'classification'
      ? { labels: kept.map((r) => String(r[k + 1])) }
      : { values: Float64Array.from(kept, (r) => Number(r[k + 1])) };
  return { rowIds: ids, columns, target, droppedMissingTarget: rows.length - kept.length };
}

function toMillis(v: unknown, column: string): number {
  if (v === null) return NaN;
  const ms = parseDate(String(v));
  // The database wrote this text itself; failing to read it back is a bug, not bad input.
  if (ms instanceof Error) throw new Error(`column ${column}: ${ms.message}`);
  return ms;
}
