// Champion and challenger (issue 19): a published name's challenger model, which serve scores every
// request with beside the champion and logs (role 'challenger') without answering with it; setting,
// promoting (a swap, published as a new version like any publish) and removing it; and the paired
// comparison of the two on the same outcomes for the monitoring page. Only this module and
// serving.ts write SQL for published_models and predictions.
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  at,
  firstRow,
  withTransaction,
  type Pool,
  type PoolConnection,
  type RowDataPacket,
} from '@enchilada/core';
import { accuracy, calibrationBins, macroF1, meanAbsoluteError, quantile, r2ScoreOrNaN } from '@enchilada/ml/metrics';
import type { Calibration } from './monitoring.js';
import { parseInputs } from './model-inputs.js';
import { schemaChanges, type ModelSchema } from './model-schema.js';
import { SchemaChangeError, type PublishRules } from './serving.js';

type Actor = PublishRules['actor'];

async function bump(conn: PoolConnection): Promise<void> {
  await conn.query('UPDATE serving_changes SET counter = counter + 1 WHERE id = 1');
}

async function schemaOf(conn: PoolConnection, id: number): Promise<ModelSchema | null> {
  const [rows] = await conn.query<RowDataPacket[]>('SELECT task, features, inputs FROM models WHERE id = ?', [id]);
  const r = rows[0];
  if (!r) return null;
  return {
    task: r.task === 'regression' ? 'regression' : 'classification',
    features: JSON.parse(String(r.features)) as string[],
    inputs: parseInputs(r.inputs),
  };
}

/** The name's row locked, after the owner-or-administrator check every change of a name makes. */
async function lockName(
  conn: PoolConnection,
  name: string,
  actor: Actor,
  doing: string,
): Promise<{ modelId: number; version: number; challenger: number | null }> {
  const [cur] = await conn.query<RowDataPacket[]>(
    'SELECT model_id, version, owner_id, challenger_model_id FROM published_models WHERE name = ? FOR UPDATE',
    [name],
  );
  const row = cur[0];
  if (!row) throw new NotFoundError(`nothing is published under the name "${name}"`);
  const owner = row.owner_id === null ? null : Number(row.owner_id);
  if (owner !== actor.id && actor.role !== 'admin') {
    throw new ForbiddenError(
      `the name "${name}" belongs to the person who first published it: only they or an administrator can ${doing}`,
    );
  }
  return {
    modelId: Number(row.model_id),
    version: Number(row.version),
    challenger: row.challenger_model_id === null ? null : Number(row.challenger_model_id),
  };
}

export class Challengers {
  constructor(private readonly pool: Pool) {}

  /**
   * Makes `modelId` the challenger of `name` (replacing any). The checks a publish makes apply: the
   * name's owner or an administrator only, and a model whose columns differ from the champion's
   * needs `confirm` (a promotion would change what clients send). A different task is refused
   * outright: the two could not be compared on the same outcomes.
   */
  async set(name: string, modelId: number, rules: PublishRules): Promise<void> {
    await withTransaction(this.pool, async (conn) => {
      const cur = await lockName(conn, name, rules.actor, 'set its challenger');
      if (cur.modelId === modelId)
        throw new BadRequestError(`model ${modelId} is already the champion of "${name}"`, 'model');
      const next = await schemaOf(conn, modelId);
      if (!next) throw new NotFoundError('there is no such model (it may have been deleted)');
      const current = await schemaOf(conn, cur.modelId);
      if (current) {
        if (current.task !== next.task) {
          throw new ConflictError(
            `a challenger must do the champion's task (${current.task}); model ${modelId} does ${next.task}`,
          );
        }
        if (!rules.confirm) {
          const changes = schemaChanges(current, next);
          if (changes.length) throw new SchemaChangeError(name, changes);
        }
      }
      await conn.query(
        'UPDATE published_models SET challenger_model_id = ?, challenger_set_by = ?, challenger_set_at = CURRENT_TIMESTAMP(3) WHERE name = ?',
        [modelId, rules.actor.id, name],
      );
      await bump(conn);
    });
  }

  /**
   * Swaps champion and challenger: the challenger is published as the name's next version (action
   * 'promote'), the old champion becomes the challenger. serve follows within a poll, no restart.
   * Returns the new version.
   */
  async promote(name: string, actor: Actor): Promise<{ version: number; modelId: number }> {
    return withTransaction(this.pool, async (conn) => {
      const cur = await lockName(conn, name, actor, 'promote its challenger');
      if (cur.challenger === null) throw new ConflictError(`"${name}" has no challenger to promote`);
      const version = cur.version + 1;
      await conn.query(
        `UPDATE published_models SET model_id = ?, version = ?, updated_by = ?, updated_at = CURRENT_TIMESTAMP(3),
        challenger_model_id = ?, challenger_set_by = ?, challenger_set_at = CURRENT_TIMESTAMP(3) WHERE name = ?`,
        [cur.challenger, version, actor.id, cur.modelId, actor.id, name],
      );
      await conn.query(
        'INSERT INTO published_model_versions (name, version, model_id, action, created_by) VALUES (?, ?, ?, ?, ?)',
        [name, version, cur.challenger, 'promote', actor.id],
      );
      await bump(conn);
      return { version, modelId: cur.challenger };
    });
  }

  /** Stops scoring with the challenger; false when there was none. */
  async remove(name: string, actor: Actor): Promise<boolean> {
    return withTransaction(this.pool, async (conn) => {
      const cur = await lockName(conn, name, actor, 'remove its challenger');
      if (cur.challenger === null) return false;
      await conn.query(
        'UPDATE published_models SET challenger_model_id = NULL, challenger_set_by = ?, challenger_set_at = CURRENT_TIMESTAMP(3) WHERE name = ?',
        [actor.id, name],
      );
      await bump(conn);
      return true;
    });
  }

  /**
   * The newest `limit` requests of `name` in [from, to) that the challenger `challengerId` scored and
   * that have an outcome, each with both models' outputs: the same outcome rows for both.
   */
  async pairs(name: string, challengerId: number, from: Date, to: Date, limit = 20_000): Promise<PairedRow[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT c.output AS champion, h.output AS challenger, c.outcome AS outcome FROM predictions h
       JOIN predictions c ON c.model_name = h.model_name AND c.client_id = h.client_id AND c.role = 'champion'
       WHERE h.model_name = ? AND h.role = 'challenger' AND h.model_id = ? AND h.created_at >= ? AND h.created_at < ? AND c.outcome IS NOT NULL
       ORDER BY h.id DESC LIMIT ?`,
      [name, challengerId, from, to, limit],
    );
    return rows.map((r) => ({
      champion: JSON.parse(String(r.champion)) as PairedRow['champion'],
      challenger: JSON.parse(String(r.challenger)) as PairedRow['challenger'],
      outcome: JSON.parse(String(r.outcome)) as unknown,
    }));
  }

  /** How many requests of `name` in [from, to) the challenger scored (with or without outcome). */
  async scored(name: string, challengerId: number, from: Date, to: Date): Promise<number> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM predictions WHERE model_name = ? AND role = 'challenger' AND model_id = ? AND created_at >= ? AND created_at < ?`,
      [name, challengerId, from, to],
    );
    return Number(firstRow(rows, 'the count').n);
  }
}

type Output = { readonly prediction?: unknown; readonly probabilities?: Record<string, number> };
export interface PairedRow {
  readonly champion: Output;
  readonly challenger: Output;
  readonly outcome: unknown;
}

export interface MetricComparison {
  readonly metric: 'accuracy' | 'macro F1' | 'Brier score' | 'MAE' | 'R²';
  /** Which direction is better. */
  readonly better: 'higher' | 'lower';
  readonly champion: number;
  readonly challenger: number;
  /** challenger − champion. */
  readonly difference: number;
  /** 95 % percentile interval of the difference over paired bootstrap resamples. */
  readonly low: number;
  readonly high: number;
}

export interface ChallengerComparison {
  /** Requests both scored that have an outcome. */
  readonly pairs: number;
  readonly resamples: number;
  readonly metrics: readonly MetricComparison[];
  readonly calibration: { readonly champion: Calibration; readonly challenger: Calibration } | null;
}

/** mulberry32: a small seeded generator for the resampling (the ML engine's RandomState would load the whole engine into serve, which imports this package). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Rows of a resample: their indices, and the outcomes and each model's predictions (class codes or values) at them. */
interface Draw {
  readonly idx: Int32Array;
  readonly truth: Values;
  readonly champion: Values;
  readonly challenger: Values;
}

/** Class codes (classification) or values (regression). */
type Values = Int32Array | Float64Array;

type Statistic = (d: Draw) => number;
type Side = 'champion' | 'challenger';

/** The values of `xs` at a resample's rows, in its order (a metric over them is the metric of the resample). */
function gather(xs: Values, idx: Int32Array, out: Values): void {
  for (let j = 0; j < idx.length; j++) out[j] = at(xs, at(idx, j));
}

/**
 * Compares champion and challenger on the same outcome rows. The interval of each difference is a
 * paired bootstrap: each resample draws rows with replacement and computes both models' metric on
 * the same drawn rows, so the interval reflects the correlation between them (Efron & Tibshirani
 * 1993, percentile method, `resamples` draws, seeded: the same rows give the same interval).
 */
export function compareChallenger(
  rows: readonly PairedRow[],
  model: { readonly task: 'classification' | 'regression'; readonly classes: readonly string[] | null },
  opts: { readonly resamples?: number; readonly seed?: number } = {},
): ChallengerComparison {
  const resamples = opts.resamples ?? 1000;
  const n = rows.length;
  if (n === 0) return { pairs: 0, resamples, metrics: [], calibration: null };
  const stats: {
    metric: MetricComparison['metric'];
    better: MetricComparison['better'];
    champion: Statistic;
    challenger: Statistic;
  }[] = [];
  let calibration: ChallengerComparison['calibration'] = null;
  let truth: Values;
  const predicted = {} as Record<Side, Values>;
  if (model.task === 'classification') {
    const classes = model.classes ?? [];
    const code = new Map(classes.map((c, k) => [c, k]));
    const k = classes.length;
    // A label outside the model's classes is code k: it counts against the others but is not averaged.
    const enc = (v: unknown) => code.get(String(v)) ?? k;
    const outcomes = Int32Array.from(rows, (r) => enc(r.outcome));
    truth = outcomes;
    const side = (key: Side) => {
      const pred = Int32Array.from(rows, (r) => enc(r[key].prediction));
      predicted[key] = pred;
      // Brier score: the mean over rows of Σ_c (p_c − [outcome = c])², over the model's classes.
      const brier = Float64Array.from(rows, (r, i) => {
        const p = r[key].probabilities;
        if (!p) return Number.NaN;
        let s = 0;
        classes.forEach((name, c) => {
          const d = (p[name] ?? 0) - (outcomes[i] === c ? 1 : 0);
          s += d * d;
        });
        return s;
      });
      const acc: Statistic = (d) => accuracy(d.truth, d[key]);
      const f1: Statistic = (d) => macroF1(d.truth, d[key], k);
      const br: Statistic = (d) => {
        let s = 0;
        for (const i of d.idx) s += at(brier, i);
        return s / d.idx.length;
      };
      return { acc, f1, br, hasProba: brier.every((v) => Number.isFinite(v)), pred };
    };
    const a = side('champion');
    const b = side('challenger');
    stats.push({ metric: 'accuracy', better: 'higher', champion: a.acc, challenger: b.acc });
    stats.push({ metric: 'macro F1', better: 'higher', champion: a.f1, challenger: b.f1 });
    if (a.hasProba && b.hasProba && k >= 2) {
      stats.push({ metric: 'Brier score', better: 'lower', champion: a.br, challenger: b.br });
      // As the monitoring page's curve: binary, P(positive class) vs outcome positive; else top label.
      const positive = k === 2 ? at(classes, 1) : null;
      const curve = (key: Side, pred: Int32Array): Calibration => ({
        kind: positive === null ? 'top-label' : 'positive-class',
        positive,
        bins: calibrationBins(
          rows.map((r, i) => r[key].probabilities?.[positive ?? classes[at(pred, i)] ?? '']),
          rows.map((_, i) => (positive === null ? pred[i] === outcomes[i] : outcomes[i] === 1)),
        ),
      });
      calibration = { champion: curve('champion', a.pred), challenger: curve('challenger', b.pred) };
    }
  } else {
    truth = Float64Array.from(rows, (r) => Number(r.outcome));
    for (const key of ['champion', 'challenger'] as const)
      predicted[key] = Float64Array.from(rows, (r) => Number(r[key].prediction));
    const mae =
      (key: Side): Statistic =>
      (d) =>
        meanAbsoluteError(d.truth, d[key]);
    // R² is NaN for constant outcomes (as the monitoring page's live figure).
    const r2 =
      (key: Side): Statistic =>
      (d) =>
        r2ScoreOrNaN(d.truth, d[key]);
    stats.push({ metric: 'MAE', better: 'lower', champion: mae('champion'), challenger: mae('challenger') });
    stats.push({ metric: 'R²', better: 'higher', champion: r2('champion'), challenger: r2('challenger') });
  }
  const all: Draw = {
    idx: Int32Array.from({ length: n }, (_, i) => i),
    truth,
    champion: predicted.champion,
    challenger: predicted.challenger,
  };
  const random = mulberry32(opts.seed ?? 19);
  const diffs = stats.map(() => new Float64Array(resamples));
  // One resample's rows, read once into buffers every statistic shares and every resample reuses.
  const like = (xs: Values) => (xs instanceof Int32Array ? new Int32Array(n) : new Float64Array(n));
  const draw: Draw = {
    idx: new Int32Array(n),
    truth: like(truth),
    champion: like(predicted.champion),
    challenger: like(predicted.challenger),
  };
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) draw.idx[i] = Math.floor(random() * n);
    for (const key of ['truth', 'champion', 'challenger'] as const) gather(all[key], draw.idx, draw[key]);
    stats.forEach((s, j) => {
      at(diffs, j)[r] = s.challenger(draw) - s.champion(draw);
    });
  }
  const metrics = stats.map((s, j) => {
    const champion = s.champion(all);
    const challenger = s.challenger(all);
    const d = at(diffs, j)
      .filter((v) => Number.isFinite(v))
      .sort();
    return {
      metric: s.metric,
      better: s.better,
      champion,
      challenger,
      difference: challenger - champion,
      low: quantile(d, 0.025),
      high: quantile(d, 0.975),
    };
  });
  return { pairs: n, resamples, metrics, calibration };
}
