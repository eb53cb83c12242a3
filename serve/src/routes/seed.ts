// The tutorial apps' routes, unchanged for their clients: POST /predict {id, observation} →
// {proba} (binary classifier: the second class, as predict_proba[:, 1]) or {prediction}, and
// POST /update {id, true_class} → the stored row. Routed to SEED_MODEL_NAME; like the
// tutorial, these take no API key and answer a repeated or unknown id with 200 and "error".
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '@enchilada/core';
import type { Predictions } from '@enchilada/models';
import { DuplicateIdError, clientKey, type PredictionService } from '../prediction-service.js';
import type { ServingState } from '../serving-state.js';

export interface SeedOptions { readonly modelName: string; readonly state: ServingState; readonly service: PredictionService; readonly predictions: Predictions }

const idSchema = { type: ['string', 'integer'] } as const;

export default async function seedRoutes(app: FastifyInstance, opts: SeedOptions): Promise<void> {
  const { modelName, service, predictions } = opts;

  app.post('/predict', {
    schema: {
      summary: 'The tutorial app\'s /predict, unchanged (the configured model name; no key, as in the tutorial)',
      security: [],
      description: '`{id, observation}` → `{proba}` (a binary classifier\'s positive class) or `{prediction}`.',
      body: { type: 'object', required: ['id', 'observation'], properties: { id: idSchema, observation: { type: 'object' } } },
      response: { 200: { type: 'object', properties: { proba: { type: 'number' }, prediction: { type: ['string', 'number'] }, error: { type: 'string' } } } },
    },
  }, async (req) => {
    const t0 = performance.now();
    const { id, observation } = req.body as { id: string | number; observation: unknown };
    const model = service.model(modelName);
    const binary = model.task === 'classification' && model.classes?.length === 2;
    try {
      const [p] = await service.predict(model, [{ id, observation }], false, t0);
      return binary && p.probabilities && model.classes ? { proba: p.probabilities[model.classes[1]] } : { prediction: p.prediction };
    } catch (err) {
      if (!(err instanceof DuplicateIdError)) throw err;
      // The tutorial answers the prediction and says the id exists (nothing new is stored).
      const stored = await predictions.get(modelName, clientKey(id));
      const out = (stored?.output ?? {}) as { prediction?: string | number; probabilities?: Record<string, number> };
      const error = `Observation ID: '${String(id)}' already exists`;
      return binary && out.probabilities && model.classes ? { proba: out.probabilities[model.classes[1]], error } : { prediction: out.prediction, error };
    }
  });

  app.post('/update', {
    schema: {
      summary: 'The tutorial app\'s /update, unchanged (no key)',
      security: [],
      description: '`{id, true_class}` → the stored row.',
      body: { type: 'object', required: ['id', 'true_class'], properties: { id: idSchema, true_class: { type: ['string', 'number'] } } },
      response: {
        200: {
          type: 'object',
          properties: {
            id: { type: 'integer' }, observation_id: idSchema, observation: { type: 'string' }, proba: { type: 'number' },
            prediction: { type: ['string', 'number'] }, true_class: { type: ['string', 'number'] }, error: { type: 'string' },
          },
        },
      },
    },
  }, async (req) => {
    const { id, true_class: trueClass } = req.body as { id: string | number; true_class: string | number };
    if (!opts.state.name(modelName)) throw new NotFoundError(`there is no published model named "${modelName}"`);
    // A database failure reaches the error handler: 503, nothing stored.
    const r = await predictions.setOutcome(modelName, clientKey(id), trueClass, true);
    if (r.status === 'unknown') return { error: `Observation ID: '${String(id)}' does not exist` };
    const p = r.prediction;
    const out = (p.output ?? {}) as { prediction?: string | number; probabilities?: Record<string, number> };
    const probs = out.probabilities ? Object.values(out.probabilities) : [];
    return {
      id: p.rowId, observation_id: typeof id === 'number' ? Number(p.clientId) : p.clientId,
      observation: JSON.stringify({ id, observation: p.observation }),
      ...(probs.length === 2 ? { proba: probs[1] } : { prediction: out.prediction }),
      true_class: trueClass,
    };
  });
}
