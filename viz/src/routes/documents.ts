// The document routes: each names the claim its token must carry (built by @enchilada/core's
// document-claims, as web's proxy builds it) and validates its query; the work is in ../services.
import type { FastifyInstance } from 'fastify';
import { NotFoundError, datasetClaim, modelClaim, nameClaim, type Config, type Pool } from '@enchilada/core';
import type { Catalog } from '@enchilada/data';
import { MODEL_NAME, type ModelRegistry } from '@enchilada/models';
import { overviewDocument, tableCounts } from '../documents/overview.js';
import { trainDocument } from '../documents/train.js';
import { EdaDocuments, MonitoringDocuments, ResultsDocuments } from '../services/documents.js';
import { datasetQuery, modelQuery } from './schemas.js';

export interface DocumentRouteDeps {
  readonly config: Config;
  readonly pool: Pool;
  readonly catalog: Catalog;
  readonly registry: ModelRegistry;
  readonly sampleRows?: number;
}

export function documentRoutes(app: FastifyInstance, deps: DocumentRouteDeps): void {
  const { config, pool, catalog, registry } = deps;

  app.get('/documents/overview', { config: { doc: () => 'overview' } }, async () =>
    overviewDocument(config.mysql.database, await tableCounts(catalog)),
  );

  const eda = new EdaDocuments(pool, catalog, deps.sampleRows);
  app.get(
    '/documents/eda',
    {
      // The claim names the dataset: a token for one dataset cannot read another's document.
      config: { doc: (req) => datasetClaim('eda', (req.query as { dataset?: unknown }).dataset) },
      schema: { querystring: datasetQuery },
    },
    async (req, reply) => {
      const { dataset } = req.query as { dataset: number };
      return reply.type('application/json').send(await eda.json(dataset, req.log));
    },
  );

  app.get(
    '/documents/train',
    {
      config: { doc: (req) => datasetClaim('train', (req.query as { dataset?: unknown }).dataset) },
      schema: { querystring: datasetQuery },
    },
    async (req) => {
      const ds = await catalog.get((req.query as { dataset: number }).dataset);
      if (!ds) throw new NotFoundError('there is no such dataset (it may have been deleted)');
      return trainDocument(ds, config.maxFits);
    },
  );

  const results = new ResultsDocuments(pool, catalog, registry);
  app.get(
    '/documents/results',
    {
      config: { doc: (req) => modelClaim('results', (req.query as { model?: unknown }).model) },
      schema: {
        querystring: modelQuery,
      },
    },
    async (req, reply) =>
      reply.type('application/json').send(await results.json((req.query as { model: number }).model)),
  );

  const monitoring = new MonitoringDocuments(pool, catalog, registry);
  app.get(
    '/documents/monitoring',
    {
      config: { doc: (req) => nameClaim('monitoring', (req.query as { name?: unknown }).name) },
      schema: {
        querystring: {
          type: 'object',
          required: ['name'],
          properties: {
            name: { type: 'string', pattern: MODEL_NAME.source },
            hours: { type: 'integer', enum: [1, 6, 24, 168], default: 1 },
          },
        },
      },
    },
    async (req) => {
      const { name, hours } = req.query as { name: string; hours: number };
      return monitoring.document(name, hours);
    },
  );
}
