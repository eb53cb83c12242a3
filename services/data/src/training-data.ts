// The rows a model trains on: the chosen numeric features and the target, in file order, with
// rows missing any of them left out (and counted), read in one pass over the table.
import { BadRequestError, quoteIdent, type Pool, type RowDataPacket } from '@enchilada/core';
import { isNumeric } from './column-types.js';
import type { Dataset } from './catalog.js';

export interface TrainingData {
  /** The dataset's row numbers (`_row`) of the rows kept, ascending. */
  readonly rowIds: Int32Array;
  /** One array per feature, in the order asked for. */
  readonly features: Float64Array[];
  /** Class labels (classification) or values (regression). */
  readonly target: { readonly labels: string[] } | { readonly values: Float64Array };
  /** Rows left out because a feature or the target was missing. */
  readonly dropped: number;
}

export async function readTrainingData(pool: Pool, ds: Dataset, features: readonly string[], rowIds?: readonly number[]): Promise<TrainingData> {
  if (!ds.target || !ds.task) throw new BadRequestError(`dataset ${ds.name} has no target column`, 'dataset');
  const cols = new Map(ds.columns.map((c) => [c.name, c]));
  for (const f of features) {
    const c = cols.get(f);
    if (!c || !isNumeric(c.type)) throw new BadRequestError(`${JSON.stringify(f)} is not a numeric column of ${ds.name}`, 'features');
  }
  const names = [...features, ds.target];
  const where = names.map((n) => `${quoteIdent(n)} IS NOT NULL`).join(' AND ');
  const select = `SELECT \`_row\`, ${names.map(quoteIdent).join(', ')} FROM ${quoteIdent(ds.tableName)}`;
  let rows: unknown[][] = [];
  if (rowIds) {
    for (let i = 0; i < rowIds.length; i += 10000) {
      const [r] = await pool.query<RowDataPacket[]>({ sql: `${select} WHERE \`_row\` IN (?) AND ${where} ORDER BY \`_row\``, rowsAsArray: true }, [rowIds.slice(i, i + 10000)]);
      rows = rows.concat(r as unknown as unknown[][]);
    }
  } else {
    const [r] = await pool.query<RowDataPacket[]>({ sql: `${select} WHERE ${where} ORDER BY \`_row\``, rowsAsArray: true });
    rows = r as unknown as unknown[][];
  }
  const total = rowIds ? rowIds.length : ds.rowCount;
  const k = features.length;
  const out = features.map(() => new Float64Array(rows.length));
  const ids = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    ids[i] = Number(r[0]);
    for (let j = 0; j < k; j++) out[j][i] = Number(r[j + 1]);
  });
  const target = ds.task === 'classification'
    ? { labels: rows.map((r) => String(r[k + 1])) }
    : { values: Float64Array.from(rows, (r) => Number(r[k + 1])) };
  return { rowIds: ids, features: out, target, dropped: total - rows.length };
}
