// Scores observations for a published name and stores them (group commit) before anything is
// answered; shared by the /v1 routes and the seed-compatible ones.
import { BadRequestError, HttpError, NotFoundError } from '@enchilada/core';
import { isDuplicateKey, type NewPrediction, type Predictions, type StoredPrediction } from '@enchilada/models';
import { challengerRows, scoreChallenger } from './challenger.js';
import { UnavailableError } from './errors.js';
import type { ServeMetrics } from './metrics.js';
import { score, toInput, type Scored } from './predictor.js';
import type { PredictionLog } from './prediction-log.js';
import type { LiveModel, ServingState } from './serving-state.js';
import type { Explanations, ServedExplanation } from './explain.js';

export type ClientId = string | number;
export interface Instance {
  readonly id: ClientId;
  readonly observation: unknown;
}
export interface Predicted extends Scored {
  readonly id: ClientId;
  readonly explained?: ServedExplanation;
}

/** A repeated id: 409 carrying the stored prediction(s). */
export class DuplicateIdError extends HttpError {
  constructor(
    message: string,
    readonly body: { stored: unknown[] },
  ) {
    super(409, message, 'duplicate_id');
  }
}

export function clientKey(id: ClientId): string {
  return String(id);
}

export class PredictionService {
  constructor(
    private readonly state: ServingState,
    private readonly log: PredictionLog,
    private readonly predictions: Predictions,
    private readonly metrics: ServeMetrics,
    private readonly explanations: Explanations | null = null,
  ) {}

  /** The model live for `name` now; the caller keeps this object for the whole request. */
  model(name: string): LiveModel {
    const s = this.state.name(name);
    if (!s) throw new NotFoundError(`there is no published model named "${name}"`);
    if (s.status === 'failed')
      throw new UnavailableError(`model "${name}" version ${s.version} failed to load: ${s.reason}`);
    return s.model;
  }

  /** `explain`: also the contributions of each prediction (explain.ts), answered and stored with it. */
  async predict(
    model: LiveModel,
    instances: readonly Instance[],
    batch: boolean,
    startedAt: number,
    explain = false,
  ): Promise<Predicted[]> {
    const seen = new Set<string>();
    instances.forEach((inst, i) => {
      const k = clientKey(inst.id);
      if (k.length === 0 || k.length > 128)
        throw new BadRequestError(`${batch ? `instances[${i}]: ` : ''}id must be 1–128 characters`, 'id');
      if (seen.has(k))
        throw new BadRequestError(`instances[${i}]: id ${JSON.stringify(inst.id)} appears twice in the request`, 'id');
      seen.add(k);
    });
    const observations = instances.map((i) => i.observation);
    const input = toInput(model, observations, batch);
    // The challenger (if any) scores concurrently; its rows go into the same commit, marked.
    const shadow = scoreChallenger(model, observations, batch, this.metrics);
    const scored = await score(model, input, instances.length);
    let explained: ServedExplanation[] | null = null;
    if (explain) {
      if (!this.explanations) throw new Error('this serve has no explanations');
      explained = await this.explanations.explain(
        model,
        instances.map((i) => i.observation),
        scored,
      );
    }
    const latencyMs = performance.now() - startedAt;
    const rows: NewPrediction[] = instances.map((inst, i) => ({
      modelName: model.name,
      modelId: model.modelId,
      version: model.version,
      clientId: clientKey(inst.id),
      observation: JSON.stringify(inst.observation),
      output: JSON.stringify(scored[i]),
      latencyMs,
      ...(explained ? { contributions: JSON.stringify(explained[i]) } : {}),
    }));
    rows.push(
      ...challengerRows(
        model,
        await shadow,
        rows.map((r) => r.clientId),
        rows.map((r) => r.observation),
      ),
    );
    try {
      await this.log.write(rows);
    } catch (err) {
      if (isDuplicateKey(err)) {
        const stored: StoredPrediction[] = [];
        for (const inst of instances) {
          const s = await this.predictions.get(model.name, clientKey(inst.id));
          if (s) stored.push(s);
        }
        const ids = stored.map((s) => s.clientId);
        throw new DuplicateIdError(
          `a prediction with id ${ids.map((i) => JSON.stringify(i)).join(', ') || '(concurrent)'} already exists for "${model.name}"; nothing was stored`,
          { stored: stored.map(publicPrediction) },
        );
      }
      // Anything else (the database down) reaches the error handler: 503, nothing acknowledged.
      throw err;
    }
    this.metrics.predictions.inc({ model: model.name, version: String(model.version) }, instances.length);
    for (const [feature, k] of input.unseen) this.metrics.unseenCategories.inc({ model: model.name, feature }, k);
    return scored.map((s, i) => ({ id: instances[i].id, ...s, ...(explained ? { explained: explained[i] } : {}) }));
  }
}

/** A stored prediction as the API shows it. */
export function publicPrediction(p: StoredPrediction): Record<string, unknown> {
  const out = (p.output ?? {}) as Record<string, unknown>;
  return {
    id: p.clientId,
    model: { name: p.modelName, version: p.version },
    prediction: out.prediction,
    ...(out.probabilities ? { probabilities: out.probabilities } : {}),
    ...(p.contributions ? (p.contributions as Record<string, unknown>) : {}),
    observation: p.observation,
    created_at: p.createdAt.toISOString(),
    outcome: p.outcome,
    outcome_at: p.outcomeAt ? p.outcomeAt.toISOString() : null,
  };
}
