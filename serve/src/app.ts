// Builds the serve Fastify app: prediction API, seed-compatible routes, health and metrics.
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { loggerOptions, type Config, type Pool } from '@enchilada/core';
import { PredictionBatches, Predictions } from '@enchilada/models';
import { errorHandler } from './errors.js';
import { ServeMetrics } from './metrics.js';
import { clusterMetricsSource } from './cluster-metrics.js';
import { PredictionErrorCounts, isPredictionError } from './error-counts.js';
import { PredictionLog } from './prediction-log.js';
import { PredictionService } from './prediction-service.js';
import { Explanations } from './explain.js';
import { ServingState } from './serving-state.js';
import { sharedRateStore } from './rate-store.js';
import v1Routes from './routes/v1.js';
import seedRoutes from './routes/seed.js';
import { registerDocsUi, registerOpenApi } from './docs.js';

declare module 'fastify' {
  interface FastifyInstance {
    serving: ServingState;
    predictionLog: PredictionLog;
  }
}

export interface ServeDeps {
  readonly config: Config;
  readonly pool: Pool;
  readonly logger?: boolean;
}

export async function buildApp(deps: ServeDeps): Promise<FastifyInstance> {
  const { config, pool } = deps;
  const app = Fastify({
    logger: deps.logger === false ? false : loggerOptions(config),
    // One log line per request would cost more than the prediction; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.serve.bodyLimitBytes,
    return503OnClosing: true,
    // ids are string or integer, predictions string or number: union types are intended.
    ajv: { customOptions: { allowUnionTypes: true } },
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(async (req, reply) =>
    reply.code(404).send({ message: `there is no route ${req.method} ${req.url}`, code: 'not_found' }),
  );

  const metrics = new ServeMetrics();
  const state = new ServingState(pool, app.log, metrics, config.serve.seedModelName);
  const predictions = new Predictions(pool);
  const log = new PredictionLog(predictions, metrics);
  const explanations = new Explanations(pool, state, config.serve.explainThreads);
  const service = new PredictionService(state, log, predictions, metrics, explanations);
  app.decorate('serving', state);
  app.decorate('predictionLog', log);

  // Before the routes, so it sees every route's schema.
  await registerOpenApi(app);

  // Failed prediction requests of published names, for the error-rate alert rule.
  const errorCounts = new PredictionErrorCounts(pool, app.log);
  errorCounts.start();
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ route, code: String(reply.statusCode) });
    metrics.latency.observe({ route }, reply.elapsedTime / 1000);
    if (route === '/v1/models/:name/predict' && isPredictionError(reply.statusCode)) {
      const name = (req.params as { name?: unknown }).name;
      if (typeof name === 'string' && state.name(name)) errorCounts.add(name);
    }
  });

  // Health and metrics need no key (probes and Prometheus): `security: []` says so in the API documentation.
  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Liveness: the process answers',
        security: [],
        response: { 200: { type: 'object', properties: { status: { type: 'string' } } } },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Readiness: the database answers and every published model is loaded',
        security: [],
        response: {
          '2xx': { type: 'object', additionalProperties: true },
          '5xx': { type: 'object', additionalProperties: true },
        },
      },
    },
    async (_req, reply) => {
      await state.refresh();
      const models = [...state.allNames()].map(([name, s]) =>
        s.status === 'ready'
          ? { name, version: s.model.version, status: 'ready' }
          : { name, version: s.version, status: 'failed', reason: s.reason },
      );
      const ready = state.databaseReachable && state.loaded && models.every((m) => m.status === 'ready');
      return reply
        .code(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'not ready', database: state.databaseReachable, models });
    },
  );

  // In a cluster worker, the sum over every worker (cluster-metrics.ts); else this process's own.
  const clusterMetrics = clusterMetricsSource(metrics.registry);
  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics (text format 0.0.4), summed over every worker under SERVE_WORKERS > 1',
        security: [],
        response: { 200: { type: 'string' } },
      },
    },
    async (_req, reply) =>
      reply.type(metrics.registry.contentType).send(await (clusterMetrics ?? (() => metrics.render()))()),
  );

  const rate = sharedRateStore(pool);
  await app.register(v1Routes, {
    state,
    service,
    predictions,
    serve: config.serve,
    rateStore: rate.Store,
    batch: { batches: new PredictionBatches(pool), metrics, limits: config.serve.batch },
  });
  // Always there: whether they answer, and for which name, is the tutorial-mode choice serve polls.
  await app.register(seedRoutes, {
    state,
    service,
    predictions,
    rateLimit: { max: config.serve.seedRateLimit, windowMs: config.serve.rateLimit.windowMs, store: rate.Store },
  });

  await registerDocsUi(app, state);

  app.addHook('onReady', async () => {
    await state.refresh(true);
    state.start(config.serve.pollMs);
  });
  app.addHook('onClose', async () => {
    rate.handle.stop();
    await log.drain();
    await errorCounts.stop();
    await state.stop();
    await explanations.close();
  });
  return app;
}
