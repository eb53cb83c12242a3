// Builds the viz Fastify app: the error handler and token check, then the routes (./routes), whose
// work is done by ./services.
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { type HttpError, httpStatus, loggerOptions, secret, type Config, type Pool } from '@enchilada/core';
import { Catalog } from '@enchilada/data';
import { JobQueue } from '@enchilada/jobs';
import { ModelRegistry } from '@enchilada/models';
import vizAuth from './plugins/auth.js';
import { documentRoutes } from './routes/documents.js';
import { healthRoutes } from './routes/health.js';
import { jobRoutes } from './routes/jobs.js';
import explainRoutes from './explain/routes.js';

export interface VizDeps {
  readonly config: Config;
  readonly pool: Pool;
  readonly logger?: boolean;
  readonly sampleRows?: number;
}

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

  healthRoutes(app, pool);
  const catalog = new Catalog(pool);
  const registry = new ModelRegistry(pool);
  documentRoutes(app, { config, pool, catalog, registry, sampleRows: deps.sampleRows });
  await app.register(explainRoutes, { pool, registry, catalog });
  jobRoutes(app, new JobQueue(pool));

  return app;
}
