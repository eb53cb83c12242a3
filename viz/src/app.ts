// Builds the viz Fastify app: token check, documents, health.
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { HttpError, loggerOptions, secret, type Config, type Pool } from '@enchilada/core';
import vizAuth from './plugins/auth.js';
import { overviewDocument, tableCounts } from './documents/overview.js';
import { edaDocument } from './documents/eda.js';
import { DocumentCache } from './documents/cache.js';
import { Catalog, readSample } from '@enchilada/data';
import { NotFoundError } from '@enchilada/core';

export interface VizDeps { readonly config: Config; readonly pool: Pool; readonly logger?: boolean; readonly sampleRows?: number }

export async function buildApp(deps: VizDeps): Promise<FastifyInstance> {
  const { config, pool } = deps;
  const app = Fastify({ logger: deps.logger === false ? false : loggerOptions(config) });
  await app.register(vizAuth, { key: secret(config, 'viz_secret_key') });

  // Token-free on purpose: the container healthcheck calls it, and it reveals nothing.
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/documents/overview', { config: { doc: () => 'overview' } }, async () =>
    overviewDocument(config.mysql.database, await tableCounts(pool)));

  const catalog = new Catalog(pool);
  const cache = new DocumentCache(16);
  const datasetQuery = { type: 'object', required: ['dataset'], properties: { dataset: { type: 'integer', minimum: 1 } } } as const;
  app.get('/documents/eda', {
    // The claim names the dataset: a token for one dataset cannot read another's document.
    config: { doc: (req) => `eda:${String((req.query as { dataset?: unknown }).dataset ?? '')}` },
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

  app.setNotFoundHandler(async (_req, reply) => reply.code(404).send({ message: 'not found' }));
  app.setErrorHandler(async (err: FastifyError | HttpError, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err }, 'request failed');
    return reply.code(status).send({ message: status >= 500 ? 'The document could not be built.' : err.message });
  });
  return app;
}
