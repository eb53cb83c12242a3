// Live global importance (issue 18): the mean |contribution| per original column over the logged
// predictions that were asked with "explain": true — the newest LIVE_IMPORTANCE_ROWS of one model's
// answers in a window, read by one bounded query — which the monitoring document sets beside the
// training-time importance of the model's explainer. Only the stored explanation's contributions and
// units are read (JSON_EXTRACT, in MySQL 8.4 and MariaDB 10.11), not its stderr or probability.
import type { Pool, RowDataPacket } from '@enchilada/core';

/** Explained predictions read at most: 5,000 rows of a few hundred bytes; the mean has settled long before. */
export const LIVE_IMPORTANCE_ROWS = 5000;

export interface LiveImportance {
  /** Explained predictions read (the newest in the window, at most `limit`). */
  readonly rows: number;
  readonly limit: number;
  /** The units the newest of them was explained in (probability, log-odds, logit, decision, target), or null. */
  readonly units: string | null;
  /** Per original column, in the order the newest row gives them: the mean |contribution| over the rows that carry it. */
  readonly columns: readonly { readonly column: string; readonly meanAbs: number }[];
}

/** A JSON column as the driver returns it: text (MariaDB, a LONGTEXT's extract) or already parsed (MySQL's JSON type). */
function jsonOf(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return JSON.parse(v) as unknown;
  if (Buffer.isBuffer(v)) return JSON.parse(v.toString('utf8')) as unknown;
  return v;
}

/** The mean |contribution| per column of explained rows (each a column → contribution record); non-numbers are skipped. */
export function meanAbsContributions(rows: readonly unknown[]): LiveImportance['columns'] {
  const sums = new Map<string, { sum: number; n: number }>();
  for (const r of rows) {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) continue;
    for (const [column, v] of Object.entries(r)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      const s = sums.get(column) ?? { sum: 0, n: 0 };
      s.sum += Math.abs(v);
      s.n++;
      sums.set(column, s);
    }
  }
  return [...sums.entries()].map(([column, s]) => ({ column, meanAbs: s.sum / s.n }));
}

/**
 * The live importance of model `modelId` answering under `modelName` over [from, to): its newest
 * explained champion predictions (a challenger's logged rows and the name's other versions are not
 * counted: their contributions are another model's).
 */
export async function liveImportance(
  pool: Pool,
  modelName: string,
  modelId: number,
  from: Date,
  to: Date,
  limit = LIVE_IMPORTANCE_ROWS,
): Promise<LiveImportance> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT JSON_EXTRACT(contributions, '$.contributions') AS c, JSON_UNQUOTE(JSON_EXTRACT(contributions, '$.explanation.units')) AS units
     FROM predictions
     WHERE model_name = ? AND model_id = ? AND role = 'champion' AND created_at >= ? AND created_at < ? AND contributions IS NOT NULL
     ORDER BY id DESC LIMIT ?`,
    [modelName, modelId, from, to, limit],
  );
  const newest = rows[0];
  const units = newest && newest.units !== null ? String(newest.units) : null;
  return { rows: rows.length, limit, units, columns: meanAbsContributions(rows.map((r) => jsonOf(r.c))) };
}
