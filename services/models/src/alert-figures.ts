// The value an alert rule compares with its threshold, read from the prediction log (and serve's
// error counts) of one name. The figures are monitoring's (monitoringFigures: live accuracy, macro
// F1, MAE, drift share) so an alert and the monitoring page never disagree.
import { quantile } from '@enchilada/ml/metrics';
import { firstRow, type Pool, type RowDataPacket } from '@enchilada/core';
import { monitoringFigures, type PsiReference, type WindowRow } from './monitoring.js';
import type { AlertRule } from './alerts.js';

/** The model behind a name, as the figures need it. */
export interface AlertModel {
  readonly task: 'classification' | 'regression';
  readonly classes: readonly string[] | null;
  readonly features: readonly string[];
}

/** Live rows read at most for a minutes window (latency, drift): the newest ones. */
export const ALERT_WINDOW_ROWS = 20_000;

function windowRow(r: RowDataPacket, withObservation: boolean): WindowRow {
  return {
    createdAt: new Date(r.created_at),
    latencyMs: Number(r.latency_ms),
    output: JSON.parse(String(r.output)) as WindowRow['output'],
    outcome: r.outcome === null ? null : (JSON.parse(String(r.outcome)) as unknown),
    observation: withObservation ? (JSON.parse(String(r.observation)) as Record<string, unknown>) : {},
  };
}

/**
 * The rule's value now, or null when there is not enough to judge: fewer outcomes than the window
 * asks (accuracy, F1, MAE), no requests in the window (latency, error rate), too few predictions
 * for a drift test or no training reference (drift). Volume is always a value (0 included: silence
 * is what a "below" rule is for).
 */
export async function alertValue(
  pool: Pool,
  rule: Pick<AlertRule, 'name' | 'metric' | 'window'>,
  model: AlertModel,
  /** The model's per-feature PSI references, or null when its training rows are gone. */
  training: () => Promise<Readonly<Record<string, PsiReference | null>> | null>,
): Promise<number | null> {
  const { name, metric, window } = rule;
  if (metric === 'accuracy' || metric === 'f1' || metric === 'mae') {
    // The newest `window` predictions that have an outcome (by the time predicted; the name's index).
    const [rows] = await pool.query<RowDataPacket[]>(
      `SELECT created_at, latency_ms, output, outcome FROM predictions WHERE model_name = ? AND outcome IS NOT NULL
       ORDER BY created_at DESC, id DESC LIMIT ?`,
      [name, window],
    );
    if (rows.length < window) return null;
    const live = monitoringFigures(
      rows.map((r) => windowRow(r, false)),
      { ...model, features: [] },
      {},
    ).live;
    if (live === null) return null;
    if ('accuracy' in live) return metric === 'accuracy' ? live.accuracy : metric === 'f1' ? live.f1Macro : null;
    return metric === 'mae' ? live.mae : null;
  }
  const since = 'created_at >= CURRENT_TIMESTAMP(3) - INTERVAL ? MINUTE';
  if (metric === 'volume') {
    const [rows] = await pool.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM predictions WHERE model_name = ? AND ${since}`,
      [name, window],
    );
    return Number(firstRow(rows, 'the count').n);
  }
  if (metric === 'p99_latency') {
    const [rows] = await pool.query<RowDataPacket[]>(
      `SELECT latency_ms FROM predictions WHERE model_name = ? AND ${since} ORDER BY created_at DESC LIMIT ?`,
      [name, window, ALERT_WINDOW_ROWS],
    );
    if (!rows[0]) return null;
    return quantile(
      rows.map((r) => Number(r.latency_ms)).sort((a, b) => a - b),
      0.99,
    );
  }
  if (metric === 'error_rate') {
    // serve counts failed requests per whole minute (UNIX minute); the window's minutes, the current one included.
    const [[p], [e]] = await Promise.all([
      pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM predictions WHERE model_name = ? AND ${since}`, [
        name,
        window,
      ]),
      pool.query<RowDataPacket[]>(
        'SELECT COALESCE(SUM(errors), 0) AS n FROM prediction_errors WHERE model_name = ? AND minute > FLOOR(UNIX_TIMESTAMP(CURRENT_TIMESTAMP(3)) / 60) - ?',
        [name, window],
      ),
    ]);
    const ok = Number(firstRow(p, 'the count').n);
    const errors = Number(firstRow(e, 'the count').n);
    return ok + errors === 0 ? null : errors / (ok + errors);
  }
  // drift_share: the test its sample size calls for, per feature, against the training rows.
  const refs = await training();
  if (refs === null) return null;
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT created_at, latency_ms, output, outcome, observation FROM predictions WHERE model_name = ? AND ${since}
     ORDER BY created_at DESC LIMIT ?`,
    [name, window, ALERT_WINDOW_ROWS],
  );
  const check = monitoringFigures(
    rows.map((r) => windowRow(r, true)),
    model,
    refs,
  ).driftCheck;
  return check.enough && check.decided > 0 ? check.share : null;
}
