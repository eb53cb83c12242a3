// The challenger's side of a request (issue 19): while the champion scores a request, its
// name's challenger (if any) scores the same observations concurrently (onnxruntime runs each
// session's inference off the event loop), and its predictions are logged beside the champion's in
// the same commit, marked role 'challenger'. It never answers and never fails a request: an
// observation it cannot read (or a failing graph) leaves its rows out and is counted in
// enchilada_serve_challenger_errors_total.
import type { NewPrediction } from '@enchilada/models';
import type { ServeMetrics } from './metrics.js';
import { score, toInput, type Scored } from './predictor.js';
import type { LiveModel } from './serving-state.js';

export interface ChallengerScores {
  readonly model: LiveModel;
  readonly scored: readonly Scored[];
  readonly latencyMs: number;
}

/** Starts scoring with `champion`'s challenger; resolves to null when there is none or it failed. Never rejects. */
export function scoreChallenger(
  champion: LiveModel,
  observations: readonly unknown[],
  batch: boolean,
  metrics: ServeMetrics,
): Promise<ChallengerScores | null> {
  const challenger = champion.challenger;
  if (!challenger) return Promise.resolve(null);
  const t0 = performance.now();
  return (async () => {
    const scored = await score(challenger, toInput(challenger, observations, batch), observations.length);
    return { model: challenger, scored, latencyMs: performance.now() - t0 };
  })().catch(() => {
    metrics.challengerErrors.inc({ model: champion.name, model_id: String(challenger.modelId) });
    return null;
  });
}

/** The challenger's log rows: the champion's name and version, the challenger's model id, role 'challenger'. */
export function challengerRows(
  champion: LiveModel,
  scores: ChallengerScores | null,
  clientIds: readonly string[],
  observations: readonly string[],
): NewPrediction[] {
  if (!scores) return [];
  return clientIds.map((clientId, i) => ({
    modelName: champion.name,
    modelId: scores.model.modelId,
    version: champion.version,
    clientId,
    observation: observations[i],
    output: JSON.stringify(scores.scored[i]),
    latencyMs: scores.latencyMs,
    role: 'challenger' as const,
  }));
}
