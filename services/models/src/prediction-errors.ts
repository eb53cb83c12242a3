// Failed prediction requests per published name and minute (table prediction_errors, migration 017):
// serve adds its counts every few seconds, the error-rate alert rule reads them (alert-figures.ts).
import type { Pool } from '@enchilada/core';

export interface ErrorCount {
  readonly name: string;
  readonly minute: number;
  readonly errors: number;
}

/** Adds counts in one statement (summed with what other serve processes added). */
export async function addPredictionErrors(pool: Pool, counts: readonly ErrorCount[]): Promise<void> {
  if (!counts.length) return;
  await pool.query(
    `INSERT INTO prediction_errors (model_name, minute, errors) VALUES ${counts.map(() => '(?, ?, ?)').join(', ')}
     ON DUPLICATE KEY UPDATE errors = errors + VALUES(errors)`,
    counts.flatMap((c) => [c.name, c.minute, c.errors]),
  );
}

/** Forgets minutes older than `days` (called by serve now and then; the longest rule window is a week). */
export async function prunePredictionErrors(pool: Pool, days = 8): Promise<void> {
  await pool.query('DELETE FROM prediction_errors WHERE minute < FLOOR(UNIX_TIMESTAMP() / 60) - ?', [days * 24 * 60]);
}
