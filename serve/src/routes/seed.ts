// The tutorial apps' routes, unchanged for their clients: POST /predict {id, observation} →
// {proba} (binary classifier: the second class, as predict_proba[:, 1]), {prediction, probabilities}
// (more classes) or {prediction}, and POST /update {id, true_class} → the stored row. Routed to the
// name an administrator chose on the Published page (until then SEED_MODEL_NAME); like the
// tutorial, these take no API key and answer a repeated or unknown id with 200 and "error", in
// the tutorial's own words. Having no key, they are limited per client address instead.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import rateLimit, { type FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import { BadRequestError, HttpError, NotFoundError } from '@enchilada/core';
import type { Predictions } from '@enchilada/models';
import { DuplicateIdError, clientKey, type PredictionService } from '../prediction-service.js';
import type { ServingState } from '../serving-state.js';

export interface SeedOptions {
  readonly state: ServingState;
  readonly service: PredictionService;
  readonly predictions: Predictions;
  /** Requests per client address and window, counted in the store shared by all serve processes. */
  readonly rateLimit: { readonly max: number; readonly windowMs: number; readonly store: FastifyRateLimitStoreCtor };
}

/** The tutorial's texts, exactly: its clients (and its graders) compare them. */
export const alreadyExists = (id: string | number) => `ERROR: Observation ID: '${String(id)}' already exists`;
export const doesNotExist = (id: string | number) => `Observation ID: "${String(id)}" does not exist`;

// As the /v1 routes: one JSON Schema type list rather than an anyOf.
const idSchema = Type.Unsafe<string | number>({ type: ['string', 'integer'] });
const stringOrNumber = Type.Unsafe<string | number>({ type: ['string', 'number'] });

/** Tutorial mode's name now (it follows the Published page's choice), or 404 saying how to turn it on. */
function tutorialName(state: ServingState): string {
  const name = state.tutorialName();
  if (!name)
    throw new NotFoundError(
      "tutorial mode is off: an administrator chooses the published name that POST /predict and /update answer for on the web app's Published page (the keyed API, POST /v1/models/<name>/predict, works without it)",
    );
  return name;
}

export default async function seedRoutes(instance: FastifyInstance, opts: SeedOptions): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { service, predictions, state } = opts;

  // Before anything else: until serve has read the published names once, "no published model"
  // would be a false answer.
  app.addHook('onRequest', async () => {
    await state.requireLoaded();
  });
  await app.register(rateLimit, {
    max: opts.rateLimit.max,
    timeWindow: opts.rateLimit.windowMs,
    store: opts.rateLimit.store,
    keyGenerator: (req) => `seed:${req.ip}`,
    errorResponseBuilder: (_req, ctx) =>
      new HttpError(
        429,
        `rate limit: at most ${ctx.max} requests per ${ctx.after} to /predict and /update from this address`,
        'rate_limited',
      ),
  });

  app.post(
    '/predict',
    {
      schema: {
        summary:
          "The tutorial app's /predict, unchanged (the name chosen on the Published page; no key, as in the tutorial)",
        security: [],
        description:
          "`{id, observation}` → `{proba}` (a binary classifier's positive class), `{prediction, probabilities}` (a classifier of more classes) or `{prediction}` (a regressor).",
        body: Type.Object({ id: idSchema, observation: Type.Unsafe<Record<string, unknown>>({ type: 'object' }) }),
        response: {
          200: {
            type: 'object',
            properties: {
              proba: { type: 'number' },
              prediction: { type: ['string', 'number'] },
              probabilities: { type: 'object', additionalProperties: { type: 'number' } },
              error: { type: 'string' },
            },
          },
        },
      },
    },
    async (req) => {
      const t0 = performance.now();
      const { id, observation } = req.body;
      const modelName = tutorialName(state);
      const model = service.model(modelName);
      const binary = model.task === 'classification' && model.classes?.length === 2;
      // The tutorial's binary shape stays exact; with more classes, each class's probability too.
      const answer = (prediction: string | number | undefined, probabilities: Record<string, number> | undefined) =>
        binary && probabilities && model.classes
          ? { proba: probabilities[model.classes[1]] }
          : probabilities
            ? { prediction, probabilities }
            : { prediction };
      try {
        const [p] = await service.predict(model, [{ id, observation }], false, t0);
        return answer(p.prediction, p.probabilities);
      } catch (err) {
        if (!(err instanceof DuplicateIdError)) throw err;
        // The tutorial answers the prediction and says the id exists (nothing new is stored).
        const stored = await predictions.get(modelName, clientKey(id));
        const out = (stored?.output ?? {}) as { prediction?: string | number; probabilities?: Record<string, number> };
        return { ...answer(out.prediction, out.probabilities), error: alreadyExists(id) };
      }
    },
  );

  app.post(
    '/update',
    {
      schema: {
        summary: "The tutorial app's /update, unchanged (no key)",
        security: [],
        description:
          "`{id, true_class}` → the stored row. `true_class` must be one of the model's classes (a number for a regressor); an id whose outcome is already set to another value answers an `error` and keeps it.",
        body: Type.Object({ id: idSchema, true_class: stringOrNumber }),
        response: {
          200: {
            type: 'object',
            properties: {
              id: { type: 'integer' },
              observation_id: idSchema,
              observation: { type: 'string' },
              proba: { type: 'number' },
              prediction: { type: ['string', 'number'] },
              true_class: { type: ['string', 'number'] },
              error: { type: 'string' },
            },
          },
        },
      },
    },
    async (req) => {
      const { id, true_class: trueClass } = req.body;
      const modelName = tutorialName(state);
      const s = state.name(modelName);
      if (!s) throw new NotFoundError(`there is no published model named "${modelName}"`);
      // An outcome needs no session: a model that failed to load still records them, unchecked (as /v1/…/outcomes).
      const model = s.status === 'ready' ? s.model : null;
      if (model?.task === 'classification' && model.classes && !model.classes.includes(String(trueClass))) {
        throw new BadRequestError(
          `true_class must be one of the model's classes ${model.classes.join(', ')}; got ${JSON.stringify(trueClass)}`,
          'true_class',
        );
      }
      if (model?.task === 'regression' && (typeof trueClass !== 'number' || !Number.isFinite(trueClass))) {
        throw new BadRequestError(
          `true_class must be a finite number for this regression model; got ${JSON.stringify(trueClass)}`,
          'true_class',
        );
      }
      // Never replaces: an outcome already recorded is kept, and a different one is answered with an
      // error (sending the same one again, a client's retry, answers the row). A database failure
      // reaches the error handler: 503, nothing stored.
      const r = await predictions.setOutcome(modelName, clientKey(id), trueClass, false);
      if (r.status === 'unknown') return { error: doesNotExist(id) };
      if (r.status === 'already-set' && String(r.prediction.outcome) !== String(trueClass)) {
        return {
          error: `Observation ID: "${String(id)}" already has true_class ${JSON.stringify(r.prediction.outcome)}; it was not changed`,
        };
      }
      const p = r.prediction;
      const out = (p.output ?? {}) as { prediction?: string | number; probabilities?: Record<string, number> };
      const probs = out.probabilities ? Object.values(out.probabilities) : [];
      return {
        id: p.rowId,
        observation_id: typeof id === 'number' ? Number(p.clientId) : p.clientId,
        observation: JSON.stringify({ id, observation: p.observation }),
        ...(probs.length === 2 ? { proba: probs[1] } : { prediction: out.prediction }),
        true_class: trueClass,
      };
    },
  );
}
