// Builds the viz Fastify app: token check, documents, health.
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { type HttpError, SCHEMA_VERSION, httpStatus, loggerOptions, secret, type Config, type Pool, type RowDataPacket } from '@enchilada/core';
import vizAuth from './plugins/auth.js';
import { overviewDocument, tableCounts } from './documents/overview.js';
import { edaDocument } from './documents/eda.js';
import { DocumentCache } from './documents/cache.js';
import { Catalog, readSample } from '@enchilada/data';
import { NotFoundError, datasetClaim, jobClaim, modelClaim, nameClaim } from '@enchilada/core';
import { JobQueue } from '@enchilada/jobs';
import { streamJob } from './training/events.js';
import { trainDocument } from './documents/train.js';
import { resultsDocument } from './documents/results.js';
import { OnnxModel } from './scoring/onnx-model.js';
import { MODEL_NAME, ModelRegistry, Predictions, PublishedModels, bucketMinutesFor, monitoringFigures, type PsiReference } from '@enchilada/models';
import { monitoringDocument } from './documents/monitoring.js';
import { driftReference } from './documents/drift-reference.js';
import { MODELS } from '@enchilada/ml';
import { readTrainingTable } from '@enchilada/data';

export interface VizDeps { readonly config: Config; readonly pool: Pool; readonly logger?: boolean; readonly sampleRows?: number }

export async function buildApp(deps: VizDeps): Promise<FastifyInstance> {
  const { config, pool } = deps;
  const app = Fastify({ logger: deps.logger === false ? false : loggerOptions(config) });
  app.setNotFoundHandler(async (_req, reply) => reply.code(404).send({ message: 'not found' }));
  app.setErrorHandler(async (err: FastifyError | HttpError, req, reply) => {
    const status = httpStatus(err);
    if (status >= 500) req.log.error({ err }, 'request failed');
    return reply.code(status).send({ message: status >= 500 ? 'The document could not be built.' : err.message });
  });
  await app.register(vizAuth, { key: secret(config, 'viz_secret_key') });

  // Token-free on purpose: the container healthcheck calls it, and it reveals nothing.
  app.get('/healthz', async () => ({ status: 'ok' }));
  // Readiness: the database answers and holds the schema this build expects (web migrates it), so
  // an orchestrator sends no document request to a replica that would fail it.
  app.get('/readyz', async (req, reply) => {
    try {
      const [rows] = await pool.query<RowDataPacket[]>('SELECT MAX(version) AS v FROM schema_migrations');
      if (Number(rows[0]?.v ?? 0) >= SCHEMA_VERSION) return { status: 'ready' };
      return await reply.code(503).send({ status: 'waiting for the database schema' });
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ER_NO_SUCH_TABLE') return reply.code(503).send({ status: 'waiting for the database schema' });
      req.log.warn({ err }, 'database not reachable');
      return reply.code(503).send({ status: 'database unreachable' });
    }
  });

  app.get('/documents/overview', { config: { doc: () => 'overview' } }, async () =>
    overviewDocument(config.mysql.database, await tableCounts(catalog)));

  const catalog = new Catalog(pool);
  const cache = new DocumentCache(16);
  const datasetQuery = { type: 'object', required: ['dataset'], properties: { dataset: { type: 'integer', minimum: 1 } } } as const;
  app.get('/documents/eda', {
    // The claim names the dataset: a token for one dataset cannot read another's document.
    config: { doc: (req) => datasetClaim('eda', (req.query as { dataset?: unknown }).dataset) },
    schema: { querystring: datasetQuery },
  }, async (req, reply) => {
    const { dataset } = req.query as { dataset: number };
    const ds = await catalog.get(dataset);
    if (!ds) throw new NotFoundError('there is no such dataset (it may have been deleted)');
    const json = await cache.get(`eda:${ds.id}:${ds.version}`, async () => {
      const t0 = performance.now();
      const sample = await readSample(pool, ds, deps.sampleRows ?? 20000);
      const text = JSON.stringify(edaDocument({ ds, sample }));
      req.log.info({ dataset: ds.name, version: ds.version, ms: Math.round(performance.now() - t0), bytes: text.length }, 'built EDA document');
      return text;
    });
    return reply.type('application/json').send(json);
  });

  app.get('/documents/train', {
    config: { doc: (req) => datasetClaim('train', (req.query as { dataset?: unknown }).dataset) },
    schema: { querystring: datasetQuery },
  }, async (req) => {
    const ds = await catalog.get((req.query as { dataset: number }).dataset);
    if (!ds) throw new NotFoundError('there is no such dataset (it may have been deleted)');
    return trainDocument(ds, config.maxFits);
  });

  const registry = new ModelRegistry(pool);
  const resultsCache = new DocumentCache(8);
  app.get('/documents/results', {
    config: { doc: (req) => modelClaim('results', (req.query as { model?: unknown }).model) },
    schema: { querystring: { type: 'object', required: ['model'], properties: { model: { type: 'integer', minimum: 1 } } } },
  }, async (req, reply) => {
    const id = (req.query as { model: number }).model;
    const model = await registry.get(id);
    if (!model) throw new NotFoundError('there is no such model (it may have been deleted)');
    const others = model.datasetId === null ? [] : await registry.list({ datasetId: model.datasetId, limit: 50 });
    // A model never changes; the picker's list does, so the key includes the newest model id.
    const json = await resultsCache.get(`results:${id}:${others.map((o) => o.id).join(',')}`, async () => {
      const ds = model.datasetId === null ? null : await catalog.get(model.datasetId);
      if (!ds || ds.version !== model.datasetVersion) throw new NotFoundError('the dataset this model was trained on was reloaded or deleted, so its rows are gone');
      const bytes = await registry.onnx(id);
      if (!bytes) throw new NotFoundError('the model has no ONNX bytes');
      const onnx = await OnnxModel.load(bytes);
      try {
        const [train, test] = [await readTrainingTable(pool, ds, model.features, model.split.train), await readTrainingTable(pool, ds, model.features, model.split.test)];
        const displayName = (m: string) => MODELS.find((x) => x.id === m)?.displayName ?? m;
        return JSON.stringify(await resultsDocument({ model, others: others.some((o) => o.id === id) ? others : [model, ...others], displayName, train, test, onnx }));
      } finally {
        await onnx.release();
      }
    });
    return reply.type('application/json').send(json);
  });

  const published = new PublishedModels(pool);
  const predictions = new Predictions(pool);
  const driftReferences = new Map<string, Record<string, PsiReference | null>>();
  app.get('/documents/monitoring', {
    config: { doc: (req) => nameClaim('monitoring', (req.query as { name?: unknown }).name) },
    schema: {
      querystring: {
        type: 'object', required: ['name'],
        properties: { name: { type: 'string', pattern: MODEL_NAME.source }, hours: { type: 'integer', enum: [1, 6, 24, 168], default: 1 } },
      },
    },
  }, async (req) => {
    const { name, hours } = req.query as { name: string; hours: number };
    const p = (await published.list()).find((n) => n.name === name);
    if (!p) throw new NotFoundError(`nothing is published under the name "${name}"`);
    const model = await registry.get(p.modelId);
    if (!model) throw new NotFoundError('the published model was deleted');
    const now = new Date();
    const from = new Date(now.getTime() - hours * 3_600_000);
    const to = new Date(now.getTime() + 60_000);
    const bucketMinutes = bucketMinutesFor(hours);
    // Counts of the whole window in SQL; the other figures from its newest rows (at most 100,000).
    const [rows, counts] = await Promise.all([predictions.window(name, from, to), predictions.windowCounts(name, from, to, bucketMinutes)]);
    // Drift compares with the model's training rows, if its dataset still holds them. Their PSI
    // references never change for a model, so they are read once and kept (a few numbers a feature).
    const ds = model.datasetId === null ? null : await catalog.get(model.datasetId);
    let training: Record<string, PsiReference | null> = {};
    let driftNote: string | null = null;
    if (!ds || ds.version !== model.datasetVersion || model.split.train.length === 0) driftNote = 'the training rows of this model are no longer stored (its dataset was reloaded or deleted)';
    else {
      const key = `${model.id}:${ds.version}`;
      let refs = driftReferences.get(key);
      if (!refs) {
        const data = await readTrainingTable(pool, ds, model.features, model.split.train);
        refs = Object.fromEntries(data.columns.map((c) => [c.name, driftReference(c)]));
        driftReferences.set(key, refs);
        if (driftReferences.size > 256) driftReferences.delete(driftReferences.keys().next().value as string);
      }
      training = refs;
    }
    const figures = monitoringFigures(rows, model, training, { bucketMinutes, counts });
    return monitoringDocument({ name, version: p.version, model, hours, now, figures, driftNote });
  });

  const queue = new JobQueue(pool);
  app.get('/jobs/:id/events', {
    config: { doc: (req) => jobClaim((req.params as { id?: unknown }).id) },
    schema: { params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } },
  }, async (req, reply) => streamJob(queue, (req.params as { id: number }).id, req, reply));

  return app;
}
