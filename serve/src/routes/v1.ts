// The prediction API: POST /v1/models/:name/predict and /outcomes, with API keys and a per-key
// rate limit that holds across every serve process.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import rateLimit, { type FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import {
  BadRequestError,
  ForbiddenError,
  HttpError,
  NotFoundError,
  UnauthorizedError,
  type ServeConfig,
} from '@enchilada/core';
import { hashApiKey, type Predictions } from '@enchilada/models';
import { publicPrediction, clientKey, type PredictionService } from '../prediction-service.js';
import type { LiveModel, ServingState } from '../serving-state.js';
import { UnknownKeys } from '../unknown-keys.js';
import { explainFlag, explanationAnswer, explanationFields } from '../explain.js';
import batchRoutes, { type BatchRouteOptions } from './batch.js';

export interface V1Options {
  readonly state: ServingState;
  readonly service: PredictionService;
  readonly predictions: Predictions;
  readonly serve: ServeConfig;
  /** The rate-limit store shared by all serve processes (see rate-store.ts). */
  readonly rateStore: FastifyRateLimitStoreCtor;
  /** CSV batch scoring on the predict route (routes/batch.ts); absent: JSON only. */
  readonly batch?: Omit<BatchRouteOptions, 'service'>;
}

function bearer(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (typeof h !== 'string' || !h.startsWith('Bearer ')) return null;
  const key = h.slice(7).trim();
  return key === '' ? null : key;
}

/** The hash of the request's key, computed once per request (the rate limit and the check both need it). */
const keyHashes = new WeakMap<FastifyRequest, string | null>();
function keyHash(req: FastifyRequest): string | null {
  let h = keyHashes.get(req);
  if (h === undefined) {
    const key = bearer(req);
    h = key ? hashApiKey(key) : null;
    keyHashes.set(req, h);
  }
  return h;
}

// A client's id: a string or an integer, as one JSON Schema type list (not an anyOf), which ajv
// checks and fast-json-stringify writes without trying each branch.
const idSchema = Type.Unsafe<string | number>({ type: ['string', 'integer'] });
const nameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) });
// Any JSON object: a model's columns are checked against the published schema, not here.
const observation = Type.Unsafe<Record<string, unknown>>({ type: 'object' });
const stringOrNumber = Type.Unsafe<string | number>({ type: ['string', 'number'] });
const modelRef = { type: 'object', properties: { name: { type: 'string' }, version: { type: 'integer' } } } as const;
const probabilities = { type: 'object', additionalProperties: { type: 'number' } } as const;
// Added beside prediction and probabilities when the model's dataset names its classes.
const labelFields = {
  label: { type: 'string', description: 'the name of the predicted class (models whose dataset names its classes)' },
  label_probabilities: { ...probabilities, description: 'probabilities keyed by class name instead of class value' },
} as const;
const predictionItem = {
  type: 'object',
  properties: {
    id: idSchema,
    prediction: { type: ['string', 'number'] },
    probabilities,
    ...labelFields,
    ...explanationFields,
  },
} as const;

/** The class names of a prediction, for a model that has them; nothing otherwise (answers stay as they were). */
function named(
  model: LiveModel,
  p: { prediction: string | number; probabilities?: Record<string, number> },
): { label?: string; label_probabilities?: Record<string, number> } {
  const names = model.classLabels;
  if (!names || model.task !== 'classification') return {};
  const name = (cls: string) => names[cls] ?? cls;
  return {
    label: name(String(p.prediction)),
    ...(p.probabilities
      ? { label_probabilities: Object.fromEntries(Object.entries(p.probabilities).map(([c, v]) => [name(c), v])) }
      : {}),
  };
}
const errorBody = {
  type: 'object',
  properties: { message: { type: 'string' }, code: { type: 'string' }, field: { type: 'string' } },
  additionalProperties: true,
} as const;

export default async function v1Routes(instance: FastifyInstance, opts: V1Options): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { state, service, predictions, serve, rateStore } = opts;

  // Requests with unknown keys count per client address (one bucket per address, not one per
  // guessed key), in the same store as the per-key limit so the count holds across processes.
  const unknownByAddress = new rateStore({});
  const unknownKeys = new UnknownKeys();
  const countUnknown = (ip: string) =>
    new Promise<number>((resolve, reject) => {
      unknownByAddress.incr(
        `unknown-key:${ip}`,
        (err, res) => (err ? reject(err) : resolve(res?.current ?? 0)),
        serve.rateLimit.windowMs,
        serve.unknownKeyLimit,
      );
    });

  // Every request of this plugin needs a valid, unrevoked key that covers the model name. Checked
  // on request, from the header alone: a wrong key is refused before its body (up to
  // SERVE_BODY_LIMIT_KB) is read and, when it was seen a moment ago, without touching the database.
  app.addHook('onRequest', async (req) => {
    const hash = keyHash(req);
    if (!hash) throw new UnauthorizedError('send an API key: Authorization: Bearer <key>');
    await state.requireLoaded();
    const name = (req.params as { name: string }).name;
    if (!state.key(hash)) {
      if ((await countUnknown(req.ip)) > serve.unknownKeyLimit) {
        throw new HttpError(
          429,
          `rate limit: at most ${serve.unknownKeyLimit} requests with an unknown API key per ${serve.rateLimit.windowMs / 1000} s from this address`,
          'rate_limited',
        );
      }
      if (unknownKeys.has(hash)) throw new UnauthorizedError('unknown API key');
    }
    // A key or name this process does not know yet may have been created since the last poll: look
    // at the change counter now, so a new key or a first publication works at once. Concurrent
    // misses share one refresh, which reads one row unless something changed.
    if (!state.key(hash) || !state.name(name)) await state.refresh();
    const k = state.key(hash);
    if (!k) {
      unknownKeys.add(hash);
      throw new UnauthorizedError('unknown API key');
    }
    if (k.revokedAt) throw new UnauthorizedError('this API key was revoked');
    if (k.scope !== null && k.scope !== name) throw new ForbiddenError(`this API key is only for model "${k.scope}"`);
  });

  // After the key check (route hooks run after this plugin's onRequest hook), so only known keys
  // reach it and each has its bucket.
  await app.register(rateLimit, {
    max: serve.rateLimit.max,
    timeWindow: serve.rateLimit.windowMs,
    store: rateStore,
    keyGenerator: (req) => {
      const h = keyHash(req);
      return h ? `k:${h}` : `ip:${req.ip}`;
    },
    errorResponseBuilder: (_req, ctx) =>
      new HttpError(429, `rate limit: at most ${ctx.max} requests per ${ctx.after} for this key`, 'rate_limited'),
  });

  // In this context, after the key check and the rate limit, so both apply to it.
  if (opts.batch) await app.register(batchRoutes, { ...opts.batch, service });

  app.post(
    '/v1/models/:name/predict',
    {
      schema: {
        summary: 'Predict with the model published under a name',
        description:
          'One `{id, observation}` or up to the configured number of `{instances: [{id, observation}, …]}`. Every prediction is stored before the answer; an id already used for this name answers 409 with the stored prediction. With `"explain": true` each prediction also has `base_value` and `contributions` (one per original column, base_value + Σ contributions = explanation.value), computed from the same published version and stored with it.',
        params: nameParams,
        body: Type.Object({
          id: Type.Optional(idSchema),
          observation: Type.Optional(observation),
          explain: Type.Optional(Type.Unsafe<boolean>(explainFlag)),
          instances: Type.Optional(
            Type.Array(Type.Object({ id: idSchema, observation }), { minItems: 1, maxItems: serve.maxInstances }),
          ),
        }),
        response: {
          200: {
            type: 'object',
            properties: {
              id: idSchema,
              model: modelRef,
              prediction: { type: ['string', 'number'] },
              probabilities,
              ...labelFields,
              predictions: { type: 'array', items: predictionItem },
              latency_ms: { type: 'number' },
              ...explanationFields,
            },
          },
          '4xx': errorBody,
          '5xx': errorBody,
        },
      },
    },
    async (req) => {
      const t0 = performance.now();
      const body = req.body;
      const model = service.model(req.params.name);
      if (body.instances !== undefined) {
        if (body.id !== undefined || body.observation !== undefined)
          throw new BadRequestError('send either {id, observation} or {instances}, not both', 'instances');
        const out = await service.predict(model, body.instances, true, t0, body.explain === true);
        return {
          model: { name: model.name, version: model.version },
          predictions: out.map(({ explained, ...p }) => ({
            ...p,
            ...named(model, p),
            ...explanationAnswer({ explained }),
          })),
          latency_ms: performance.now() - t0,
        };
      }
      if (body.id === undefined) throw new BadRequestError('id is required', 'id');
      if (body.observation === undefined) throw new BadRequestError('observation is required', 'observation');
      const [p] = await service.predict(
        model,
        [{ id: body.id, observation: body.observation }],
        false,
        t0,
        body.explain === true,
      );
      return {
        id: p.id,
        model: { name: model.name, version: model.version },
        prediction: p.prediction,
        probabilities: p.probabilities,
        ...named(model, p),
        ...explanationAnswer(p),
        latency_ms: performance.now() - t0,
      };
    },
  );

  app.post(
    '/v1/models/:name/outcomes',
    {
      schema: {
        summary: 'Record the true outcome of a stored prediction',
        description: '404 for an unknown id; 409 if the outcome is already set, unless `"replace": true`.',
        params: nameParams,
        body: Type.Object({
          id: idSchema,
          outcome: stringOrNumber,
          replace: Type.Optional(Type.Boolean({ default: false })),
        }),
        response: { '4xx': errorBody, '5xx': errorBody },
      },
    },
    async (req) => {
      const { name } = req.params;
      const body = req.body;
      const s = state.name(name);
      if (!s) throw new NotFoundError(`there is no published model named "${name}"`);
      if (s.status === 'ready') {
        const m = s.model;
        if (m.task === 'classification' && m.classes && !m.classes.includes(String(body.outcome))) {
          throw new BadRequestError(`outcome must be one of the classes ${m.classes.join(', ')}`, 'outcome');
        }
        if (m.task === 'regression' && (typeof body.outcome !== 'number' || !Number.isFinite(body.outcome))) {
          throw new BadRequestError('outcome must be a finite number', 'outcome');
        }
      }
      // A database failure reaches the error handler: 503, nothing stored.
      const r = await predictions.setOutcome(name, clientKey(body.id), body.outcome, body.replace ?? false);
      if (r.status === 'unknown')
        throw new NotFoundError(`there is no prediction with id ${JSON.stringify(body.id)} for "${name}"`);
      if (r.status === 'already-set') {
        const e = new HttpError(
          409,
          `the outcome of ${JSON.stringify(body.id)} is already set; send "replace": true to change it`,
          'outcome_set',
        );
        throw Object.assign(e, { body: { stored: [publicPrediction(r.prediction)] } });
      }
      return publicPrediction(r.prediction);
    },
  );
}
