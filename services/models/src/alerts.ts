// Alert rules per published name, the alerts they fire (the history), the webhook notices to post,
// and the lease that lets one web replica evaluate them. Only this module writes SQL for
// alert_rules, alerts, alert_notices and alert_lease (migration 017).
//
// Exactly once: a rule's state (the alert open now) is its row, changed only under the row's lock
// (SELECT … FOR UPDATE) in the same transaction that inserts the alert and its notice, so two
// evaluators that both get past the lease still fire (or resolve) once; alert_notices has one row
// per alert and kind (UNIQUE), claimed by one deliverer at a time.
import {
  BadRequestError,
  firstRow,
  withTransaction,
  type Pool,
  type ResultSetHeader,
  type RowDataPacket,
} from '@enchilada/core';

export const ALERT_METRICS = ['accuracy', 'f1', 'mae', 'drift_share', 'p99_latency', 'error_rate', 'volume'] as const;
export type AlertMetric = (typeof ALERT_METRICS)[number];
export type AlertComparison = 'above' | 'below';

/** Metrics over the last N outcomes (the window counts outcomes); the others' window is in minutes. */
export const OUTCOME_METRICS: ReadonlySet<AlertMetric> = new Set(['accuracy', 'f1', 'mae']);

export const METRIC_LABELS: Readonly<Record<AlertMetric, string>> = {
  accuracy: 'live accuracy',
  f1: 'live macro F1',
  mae: 'live MAE',
  drift_share: 'share of drifting features',
  p99_latency: 'p99 latency (ms)',
  error_rate: 'error rate',
  volume: 'predictions',
};

export function windowUnit(metric: AlertMetric): 'outcomes' | 'minutes' {
  return OUTCOME_METRICS.has(metric) ? 'outcomes' : 'minutes';
}

export interface AlertRuleInput {
  readonly metric: AlertMetric;
  readonly comparison: AlertComparison;
  readonly threshold: number;
  readonly window: number;
  readonly webhookUrl: string | null;
  readonly enabled: boolean;
}

export interface AlertRule extends AlertRuleInput {
  readonly id: number;
  readonly name: string;
  readonly openAlertId: number | null;
  readonly lastValue: number | null;
  readonly lastEvaluatedAt: Date | null;
  readonly createdBy: number | null;
}

export interface Alert {
  readonly id: number;
  readonly ruleId: number;
  readonly name: string;
  readonly metric: AlertMetric;
  readonly comparison: AlertComparison;
  readonly threshold: number;
  readonly window: number;
  readonly value: number;
  readonly firedAt: Date;
  readonly resolvedAt: Date | null;
  readonly resolvedValue: number | null;
  readonly resolvedReason: string | null;
}

export interface AlertNotice {
  readonly id: number;
  readonly alertId: number;
  readonly kind: 'fired' | 'resolved';
  readonly webhookUrl: string;
  readonly payload: string;
  readonly attempts: number;
}

/** The form as posted (strings, or numbers and booleans from a JSON client). */
export interface RawAlertRule {
  readonly metric?: unknown;
  readonly comparison?: unknown;
  readonly threshold?: unknown;
  readonly window?: unknown;
  readonly webhookUrl?: unknown;
  readonly enabled?: unknown;
}

const MAX_WINDOW: Record<'outcomes' | 'minutes', number> = { outcomes: 100_000, minutes: 7 * 24 * 60 };

/**
 * A webhook address: http or https only, no user or password in it, at most 2,000 characters.
 * Where it may point (private addresses) is checked when it is posted to (web/src/alerts/webhook.ts),
 * on the address actually connected to.
 */
export function parseWebhookUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BadRequestError(`"${raw.slice(0, 100)}" is not a URL: give an http:// or https:// address`, 'webhookUrl');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new BadRequestError(`the webhook must be an http:// or https:// address, not ${url.protocol}`, 'webhookUrl');
  if (url.username || url.password)
    throw new BadRequestError('the webhook address must not carry a user name or password', 'webhookUrl');
  if (raw.length > 2000) throw new BadRequestError('the webhook address is longer than 2,000 characters', 'webhookUrl');
  return url.toString();
}

/** Validates a rule for a name whose model has `task`; each error names its field. */
export function validateAlertRule(raw: RawAlertRule, task: 'classification' | 'regression'): AlertRuleInput {
  const metric = String(raw.metric ?? '');
  if (!(ALERT_METRICS as readonly string[]).includes(metric))
    throw new BadRequestError(`choose a metric: one of ${ALERT_METRICS.join(', ')}`, 'metric');
  const m = metric as AlertMetric;
  if ((m === 'accuracy' || m === 'f1') && task !== 'classification')
    throw new BadRequestError(
      `${METRIC_LABELS[m]} is for classifiers; this name serves a regressor: use mae`,
      'metric',
    );
  if (m === 'mae' && task !== 'regression')
    throw new BadRequestError('MAE is for regressors; this name serves a classifier: use accuracy or f1', 'metric');
  const comparison = String(raw.comparison ?? '');
  if (comparison !== 'above' && comparison !== 'below')
    throw new BadRequestError('the comparison is "above" or "below"', 'comparison');
  const thresholdText = typeof raw.threshold === 'number' ? String(raw.threshold) : String(raw.threshold ?? '').trim();
  const threshold = thresholdText === '' ? Number.NaN : Number(thresholdText);
  if (!Number.isFinite(threshold)) throw new BadRequestError('the threshold must be a number', 'threshold');
  if (threshold < 0) throw new BadRequestError('the threshold must not be negative', 'threshold');
  if ((m === 'accuracy' || m === 'f1' || m === 'drift_share' || m === 'error_rate') && threshold > 1) {
    throw new BadRequestError(
      `${METRIC_LABELS[m]} is a share between 0 and 1: give a threshold in [0, 1] (e.g. 0.8)`,
      'threshold',
    );
  }
  const unit = windowUnit(m);
  const windowText = typeof raw.window === 'number' ? String(raw.window) : String(raw.window ?? '').trim();
  const window = Number(windowText);
  if (windowText === '' || !Number.isInteger(window) || window < 1 || window > MAX_WINDOW[unit]) {
    throw new BadRequestError(
      `the window is a whole number of ${unit} from 1 to ${MAX_WINDOW[unit].toLocaleString('en')}`,
      'window',
    );
  }
  const hook = typeof raw.webhookUrl === 'string' ? raw.webhookUrl.trim() : '';
  const webhookUrl = hook === '' ? null : parseWebhookUrl(hook);
  const enabled =
    raw.enabled === undefined
      ? true
      : raw.enabled === true || raw.enabled === 'true' || raw.enabled === 'on' || raw.enabled === '1';
  return { metric: m, comparison, threshold, window, webhookUrl, enabled };
}

/** Whether `value` breaks the rule. */
export function breaks(rule: Pick<AlertRuleInput, 'comparison' | 'threshold'>, value: number): boolean {
  return rule.comparison === 'above' ? value > rule.threshold : value < rule.threshold;
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(4).replace(/\.?0+$/, ''));

/** The text of a rule, e.g. "live accuracy below 0.8 over the last 50 outcomes". */
export function describeRule(r: Pick<AlertRuleInput, 'metric' | 'comparison' | 'threshold' | 'window'>): string {
  return `${METRIC_LABELS[r.metric]} ${r.comparison} ${fmt(r.threshold)} over the last ${r.window} ${windowUnit(r.metric)}`;
}

/**
 * The JSON posted to a webhook: Slack's incoming webhooks read `text` (and ignore the rest); other
 * receivers read the structured fields.
 */
export function alertPayload(a: Alert, kind: 'fired' | 'resolved', pageUrl: string | null): Record<string, unknown> {
  const rule = describeRule(a);
  const text =
    kind === 'fired'
      ? `:rotating_light: Alert on "${a.name}": ${METRIC_LABELS[a.metric]} is ${fmt(a.value)} (rule: ${rule})${pageUrl ? ` ${pageUrl}` : ''}`
      : `:white_check_mark: Resolved on "${a.name}": ${METRIC_LABELS[a.metric]} is ${a.resolvedValue === null ? 'no longer checked' : fmt(a.resolvedValue)} (rule: ${rule})${pageUrl ? ` ${pageUrl}` : ''}`;
  return {
    text,
    status: kind === 'fired' ? 'firing' : 'resolved',
    alert: {
      id: a.id,
      ruleId: a.ruleId,
      name: a.name,
      metric: a.metric,
      comparison: a.comparison,
      threshold: a.threshold,
      window: a.window,
      windowUnit: windowUnit(a.metric),
      value: a.value,
      firedAt: a.firedAt.toISOString(),
      resolvedAt: a.resolvedAt ? a.resolvedAt.toISOString() : null,
      resolvedValue: a.resolvedValue,
      url: pageUrl,
    },
  };
}

const RULE_COLUMNS =
  'id, model_name, metric, comparison, threshold, window_size, webhook_url, enabled, open_alert_id, last_value, last_evaluated_at, created_by';
function toRule(r: RowDataPacket): AlertRule {
  return {
    id: Number(r.id),
    name: String(r.model_name),
    metric: String(r.metric) as AlertMetric,
    comparison: r.comparison === 'below' ? 'below' : 'above',
    threshold: Number(r.threshold),
    window: Number(r.window_size),
    webhookUrl: r.webhook_url === null ? null : String(r.webhook_url),
    enabled: Number(r.enabled) === 1,
    openAlertId: r.open_alert_id === null ? null : Number(r.open_alert_id),
    lastValue: r.last_value === null ? null : Number(r.last_value),
    lastEvaluatedAt: r.last_evaluated_at === null ? null : new Date(r.last_evaluated_at),
    createdBy: r.created_by === null ? null : Number(r.created_by),
  };
}
const ALERT_COLUMNS =
  'id, rule_id, model_name, metric, comparison, threshold, window_size, value, fired_at, resolved_at, resolved_value, resolved_reason';
function toAlert(r: RowDataPacket): Alert {
  return {
    id: Number(r.id),
    ruleId: Number(r.rule_id),
    name: String(r.model_name),
    metric: String(r.metric) as AlertMetric,
    comparison: r.comparison === 'below' ? 'below' : 'above',
    threshold: Number(r.threshold),
    window: Number(r.window_size),
    value: Number(r.value),
    firedAt: new Date(r.fired_at),
    resolvedAt: r.resolved_at === null ? null : new Date(r.resolved_at),
    resolvedValue: r.resolved_value === null ? null : Number(r.resolved_value),
    resolvedReason: r.resolved_reason === null ? null : String(r.resolved_reason),
  };
}

export type Transition = 'fired' | 'resolved' | null;

export class AlertStore {
  constructor(
    private readonly pool: Pool,
    private readonly pageUrl: (name: string) => string | null = () => null,
  ) {}

  async rules(name?: string): Promise<AlertRule[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT ${RULE_COLUMNS} FROM alert_rules ${name === undefined ? '' : 'WHERE model_name = ?'} ORDER BY model_name, id`,
      name === undefined ? [] : [name],
    );
    return rows.map(toRule);
  }

  async rule(id: number): Promise<AlertRule | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>(`SELECT ${RULE_COLUMNS} FROM alert_rules WHERE id = ?`, [id]);
    return rows[0] ? toRule(rows[0]) : null;
  }

  async create(name: string, r: AlertRuleInput, userId: number | null): Promise<number> {
    const [res] = await this.pool.query<ResultSetHeader>(
      `INSERT INTO alert_rules (model_name, metric, comparison, threshold, window_size, webhook_url, enabled, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [name, r.metric, r.comparison, r.threshold, r.window, r.webhookUrl, r.enabled ? 1 : 0, userId],
    );
    return res.insertId;
  }

  /**
   * Replaces a rule's settings. An alert open on it is closed without a notice (its condition is no
   * longer the one that fired): the next evaluation fires again if the new rule is broken.
   */
  async update(id: number, r: AlertRuleInput): Promise<boolean> {
    return withTransaction(this.pool, async (conn) => {
      const [rows] = await conn.query<RowDataPacket[]>(
        'SELECT open_alert_id FROM alert_rules WHERE id = ? FOR UPDATE',
        [id],
      );
      if (!rows[0]) return false;
      if (rows[0].open_alert_id !== null) {
        await conn.query(
          'UPDATE alerts SET resolved_at = CURRENT_TIMESTAMP(3), resolved_reason = ? WHERE id = ? AND resolved_at IS NULL',
          [r.enabled ? 'rule-changed' : 'rule-disabled', rows[0].open_alert_id],
        );
      }
      await conn.query(
        `UPDATE alert_rules SET metric = ?, comparison = ?, threshold = ?, window_size = ?, webhook_url = ?, enabled = ?, open_alert_id = NULL,
         last_value = NULL, last_evaluated_at = NULL, updated_at = CURRENT_TIMESTAMP(3) WHERE id = ?`,
        [r.metric, r.comparison, r.threshold, r.window, r.webhookUrl, r.enabled ? 1 : 0, id],
      );
      return true;
    });
  }

  /** Deletes a rule; its alerts stay in the history, an open one closed (without a notice). */
  async delete(id: number): Promise<boolean> {
    return withTransaction(this.pool, async (conn) => {
      const [rows] = await conn.query<RowDataPacket[]>(
        'SELECT open_alert_id FROM alert_rules WHERE id = ? FOR UPDATE',
        [id],
      );
      if (!rows[0]) return false;
      if (rows[0].open_alert_id !== null) {
        await conn.query(
          "UPDATE alerts SET resolved_at = CURRENT_TIMESTAMP(3), resolved_reason = 'rule-deleted' WHERE id = ? AND resolved_at IS NULL",
          [rows[0].open_alert_id],
        );
      }
      await conn.query('DELETE FROM alert_rules WHERE id = ?', [id]);
      return true;
    });
  }

  /** A name's alerts, newest first. */
  async history(name: string, limit = 50): Promise<Alert[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT ${ALERT_COLUMNS} FROM alerts WHERE model_name = ? ORDER BY fired_at DESC, id DESC LIMIT ?`,
      [name, limit],
    );
    return rows.map(toAlert);
  }

  /** Every alert firing now, oldest first (the pages' banner). */
  async open(): Promise<Alert[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT ${ALERT_COLUMNS} FROM alerts WHERE resolved_at IS NULL ORDER BY fired_at, id LIMIT 100`,
    );
    return rows.map(toAlert);
  }

  /**
   * Records one evaluation of a rule: `value` null means not enough data (the state stays). Fires
   * when the rule is broken and nothing is open, resolves when it is not and something is, with a
   * notice for the webhook in the same transaction. Under the rule's row lock, so concurrent
   * evaluators make one transition.
   */
  async record(ruleId: number, value: number | null): Promise<Transition> {
    return withTransaction(this.pool, async (conn) => {
      const [rows] = await conn.query<RowDataPacket[]>(
        `SELECT ${RULE_COLUMNS} FROM alert_rules WHERE id = ? FOR UPDATE`,
        [ruleId],
      );
      if (!rows[0]) return null;
      const rule = toRule(rows[0]);
      if (!rule.enabled) return null;
      await conn.query('UPDATE alert_rules SET last_value = ?, last_evaluated_at = CURRENT_TIMESTAMP(3) WHERE id = ?', [
        value,
        ruleId,
      ]);
      if (value === null) return null;
      const broken = breaks(rule, value);
      const notice = async (alertId: number, kind: 'fired' | 'resolved') => {
        if (rule.webhookUrl === null) return;
        const [a] = await conn.query<RowDataPacket[]>(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE id = ?`, [alertId]);
        await conn.query(
          'INSERT IGNORE INTO alert_notices (alert_id, kind, webhook_url, payload) VALUES (?, ?, ?, ?)',
          [
            alertId,
            kind,
            rule.webhookUrl,
            JSON.stringify(alertPayload(toAlert(firstRow(a, `alert ${alertId}`)), kind, this.pageUrl(rule.name))),
          ],
        );
      };
      if (broken && rule.openAlertId === null) {
        const [res] = await conn.query<ResultSetHeader>(
          'INSERT INTO alerts (rule_id, model_name, metric, comparison, threshold, window_size, value) VALUES (?, ?, ?, ?, ?, ?, ?)',
          [rule.id, rule.name, rule.metric, rule.comparison, rule.threshold, rule.window, value],
        );
        await conn.query('UPDATE alert_rules SET open_alert_id = ? WHERE id = ?', [res.insertId, rule.id]);
        await notice(res.insertId, 'fired');
        return 'fired';
      }
      if (!broken && rule.openAlertId !== null) {
        await conn.query(
          "UPDATE alerts SET resolved_at = CURRENT_TIMESTAMP(3), resolved_value = ?, resolved_reason = 'cleared' WHERE id = ? AND resolved_at IS NULL",
          [value, rule.openAlertId],
        );
        await conn.query('UPDATE alert_rules SET open_alert_id = NULL WHERE id = ?', [rule.id]);
        await notice(rule.openAlertId, 'resolved');
        return 'resolved';
      }
      return null;
    });
  }

  /**
   * Takes (or renews) the evaluator's lease for `ms` when it is free, expired or already ours;
   * true when we hold it. One UPDATE on one row: atomic on any MySQL or MariaDB, through any pool.
   */
  async acquireLease(owner: string, ms: number): Promise<boolean> {
    const [res] = await this.pool.query<ResultSetHeader>(
      `UPDATE alert_lease SET owner = ?, expires_at = CURRENT_TIMESTAMP(3) + INTERVAL ? MICROSECOND
       WHERE id = 1 AND (owner = ? OR owner IS NULL OR expires_at < CURRENT_TIMESTAMP(3))`,
      [owner, Math.round(ms) * 1000, owner],
    );
    return res.affectedRows === 1;
  }

  async releaseLease(owner: string): Promise<void> {
    await this.pool.query(
      "UPDATE alert_lease SET owner = NULL, expires_at = '2000-01-01 00:00:00.000' WHERE id = 1 AND owner = ?",
      [owner],
    );
  }

  async leaseHolder(): Promise<string | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT owner FROM alert_lease WHERE id = 1 AND expires_at >= CURRENT_TIMESTAMP(3)',
    );
    return rows[0] && rows[0].owner !== null ? String(rows[0].owner) : null;
  }

  /** Claims up to `limit` pending notices nobody holds (or whose claim ran out) for `ms`, oldest first. */
  async claimNotices(claim: string, ms: number, limit = 50): Promise<AlertNotice[]> {
    await this.pool.query(
      `UPDATE alert_notices SET claimed_by = ?, claimed_until = CURRENT_TIMESTAMP(3) + INTERVAL ? MICROSECOND
       WHERE status = 'pending' AND (claimed_until IS NULL OR claimed_until < CURRENT_TIMESTAMP(3)) ORDER BY id LIMIT ?`,
      [claim, Math.round(ms) * 1000, limit],
    );
    const [rows] = await this.pool.query<RowDataPacket[]>(
      "SELECT id, alert_id, kind, webhook_url, payload, attempts FROM alert_notices WHERE claimed_by = ? AND status = 'pending' ORDER BY id",
      [claim],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      alertId: Number(r.alert_id),
      kind: r.kind === 'resolved' ? 'resolved' : 'fired',
      webhookUrl: String(r.webhook_url),
      payload: String(r.payload),
      attempts: Number(r.attempts),
    }));
  }

  /** The end of a claimed notice's delivery: sent, or failed after its attempts (with the last error). */
  async settleNotice(
    id: number,
    claim: string,
    outcome: { readonly sent: boolean; readonly attempts: number; readonly error: string | null },
  ): Promise<void> {
    await this.pool.query(
      `UPDATE alert_notices SET status = ?, attempts = attempts + ?, last_error = ?, sent_at = ${outcome.sent ? 'CURRENT_TIMESTAMP(3)' : 'NULL'}
       WHERE id = ? AND claimed_by = ?`,
      [outcome.sent ? 'sent' : 'failed', outcome.attempts, outcome.error?.slice(0, 500) ?? null, id, claim],
    );
  }

  /** Per alert, its notices' delivery (for the history). */
  async notices(
    alertIds: readonly number[],
  ): Promise<Map<number, { kind: string; status: string; attempts: number; lastError: string | null }[]>> {
    const out = new Map<number, { kind: string; status: string; attempts: number; lastError: string | null }[]>();
    if (!alertIds.length) return out;
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT alert_id, kind, status, attempts, last_error FROM alert_notices WHERE alert_id IN (${alertIds.map(() => '?').join(', ')}) ORDER BY id`,
      [...alertIds],
    );
    for (const r of rows) {
      const list = out.get(Number(r.alert_id)) ?? [];
      list.push({
        kind: String(r.kind),
        status: String(r.status),
        attempts: Number(r.attempts),
        lastError: r.last_error === null ? null : String(r.last_error),
      });
      out.set(Number(r.alert_id), list);
    }
    return out;
  }
}
