// The database account serve connects as (issue 15, least privilege): exactly the columns serve's
// queries read and write, nothing of `users`, jobs, datasets or the models' training data.
// db/initdb/serve-account.sh creates the account (from the db_serve_password secret) on a fresh
// volume and lets the application account grant; web applies these grants after it migrates,
// because MySQL and MariaDB refuse a table or column grant before the table exists (ER_NO_SUCH_TABLE)
// and the tables are created by web's migrations, after the database's init scripts have run.
import { quoteIdent, type Pool } from '@enchilada/core';

export interface TableGrant {
  readonly table: string;
  /** Columns serve reads (in SELECT lists and WHERE clauses). */
  readonly select: readonly string[];
  readonly insert?: readonly string[];
  readonly update?: readonly string[];
  /** Table level: MySQL has no column-level DELETE. */
  readonly delete?: boolean;
}

/**
 * Every query serve runs, by table (keep in step with ServingState, Predictions, sharedRateStore;
 * serve/test/least-privilege.int.test.ts runs them as this account).
 */
export const SERVING_GRANTS: readonly TableGrant[] = Object.freeze([
  // servingChanges(): the change counter it polls.
  { table: 'serving_changes', select: ['id', 'counter'] },
  // PublishedModels.list()
  {
    table: 'published_models',
    select: ['name', 'model_id', 'version', 'updated_at', 'owner_id', 'challenger_model_id'],
  },
  // ApiKeys.all(): hashes only; the keys themselves are never stored.
  { table: 'api_keys', select: ['id', 'key_hash', 'prefix', 'label', 'scope_name', 'created_at', 'revoked_at'] },
  // TutorialMode.get(): which name the keyless tutorial routes answer for.
  { table: 'tutorial_mode', select: ['id', 'name', 'updated_by', 'updated_at'] },
  // ModelRegistry.servingModel() and onnx(), explainers.ts's storedExplainer(): the contract, the graph and
  // the explainer artefact, not the split, grid or metrics.
  { table: 'models', select: ['id', 'task', 'features', 'classes', 'class_labels', 'inputs', 'onnx', 'explainer'] },
  // Predictions.insert(), get(), setOutcome(); role: a challenger's rows beside the champion's (issue 19).
  {
    table: 'predictions',
    select: [
      'id',
      'model_name',
      'model_id',
      'version',
      'client_id',
      'observation',
      'output',
      'latency_ms',
      'created_at',
      'outcome',
      'outcome_at',
      'contributions',
      'role',
      'batch_id',
    ],
    insert: [
      'model_name',
      'model_id',
      'version',
      'client_id',
      'observation',
      'output',
      'latency_ms',
      'contributions',
      'role',
      'batch_id',
    ],
    update: ['outcome', 'outcome_at'],
  },
  // serve/src/error-counts.ts (addPredictionErrors, prunePredictionErrors): failed requests per name
  // and minute, INSERT … ON DUPLICATE KEY UPDATE (UPDATE on every inserted column, as for rate_windows).
  {
    table: 'prediction_errors',
    select: ['model_name', 'minute', 'errors'],
    insert: ['model_name', 'minute', 'errors'],
    update: ['model_name', 'minute', 'errors'],
    delete: true,
  },
  // PredictionBatches (batch scoring of a CSV): start(), finish(), get(), countRows().
  {
    table: 'prediction_batches',
    select: [
      'id',
      'model_name',
      'model_id',
      'version',
      'id_column',
      'status',
      'rows_scored',
      'rows_failed',
      'message',
      'started_at',
      'finished_at',
    ],
    insert: ['model_name', 'model_id', 'version', 'id_column'],
    update: ['status', 'rows_scored', 'rows_failed', 'message', 'finished_at'],
  },
  // serve/src/rate-store.ts: INSERT … ON DUPLICATE KEY UPDATE hits = hits + ?, the window's sums, old
  // windows deleted. MariaDB wants UPDATE on every inserted column for ON DUPLICATE KEY UPDATE
  // (checked: "UPDATE command denied … for column 'bucket'" with UPDATE (hits) alone).
  {
    table: 'rate_windows',
    select: ['bucket', 'window_start', 'hits'],
    insert: ['bucket', 'window_start', 'hits'],
    update: ['bucket', 'window_start', 'hits'],
    delete: true,
  },
]);

const ACCOUNT = /^[A-Za-z0-9_.@-]{1,32}$/;
const HOST = /^[A-Za-z0-9_.%:-]{1,255}$/;

/** The GRANT statements for `user@host` on `database`; the account name is checked, then passed as a placeholder. */
export function servingGrantStatements(database: string): string[] {
  const db = quoteIdent(database);
  const cols = (c: readonly string[]) => c.map(quoteIdent).join(', ');
  return SERVING_GRANTS.map((g) => {
    const privileges = [`SELECT (${cols(g.select)})`];
    if (g.insert) privileges.push(`INSERT (${cols(g.insert)})`);
    if (g.update) privileges.push(`UPDATE (${cols(g.update)})`);
    if (g.delete) privileges.push('DELETE');
    return `GRANT ${privileges.join(', ')} ON ${db}.${quoteIdent(g.table)} TO ?@?`;
  });
}

/**
 * Grants serve's account what it needs (idempotent: run at every web start, so a migration that
 * adds a column serve reads and a new entry above reach existing installations). Needs the
 * connecting account to hold GRANT OPTION on the database (the init script gives it).
 */
export async function grantServingAccount(pool: Pool, database: string, user: string, host = '%'): Promise<void> {
  if (!ACCOUNT.test(user)) throw new RangeError(`invalid account name ${JSON.stringify(user)}`);
  if (!HOST.test(host)) throw new RangeError(`invalid account host ${JSON.stringify(host)}`);
  for (const sql of servingGrantStatements(database)) await pool.query(sql, [user, host]);
}
