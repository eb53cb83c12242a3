// Builds the viz Fastify app: token check, documents, health.
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { HttpError, loggerOptions, secret, type Config, type Pool } from '@enchilada/core';
import vizAuth from './plugins/auth.js';
import { overviewDocument, tableCounts } from './documents/overview.js';

export interface VizDeps { readonly config: Config; readonly pool: Pool; readonly logger?: boolean }

export async function buildApp(deps: VizDeps): Promise<FastifyInstance> {
  const { config, pool } = deps;
  const app = Fastify({ logger: deps.logger === false ? false : loggerOptions(config) });
  await app.register(vizAuth, { key: secret(config, 'viz_secret_key') });

  // Token-free on purpose: the container healthcheck calls it, and it reveals nothing.
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/documents/overview', { config: { doc: () => 'overview' } }, async () =>
    overviewDocument(config.mysql.database, await tableCounts(pool)));

  app.setNotFoundHandler(async (_req, reply) => reply.code(404).send({ message: 'not found' }));
  app.setErrorHandler(async (err: FastifyError | HttpError, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err }, 'request failed');
    return reply.code(status).send({ message: status >= 500 ? 'The document could not be built.' : err.message });
  });
  return app;
}
