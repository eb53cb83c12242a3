// viz's Explain routes (issue 18): the Explain document of a model, and one row explained (a test
// row by index, test rows found by a value, or the what-if form's edited row). web's /viz proxy
// mints the token naming the model (explain:model:N, explain-row:model:N), as for the results
// document. A model trained before explainers existed answers 404 with NO_EXPLAINER.
import type { FastifyInstance } from 'fastify';
import { NotFoundError, modelClaim, type Pool } from '@enchilada/core';
import { readTrainingTable, type Catalog } from '@enchilada/data';
import { NO_EXPLAINER, storedExplainer, type ModelDetail, type ModelRegistry } from '@enchilada/models';
import { DocumentCache } from '../documents/cache.js';
import { explainDocument } from '../documents/explain.js';
import { ExplainSubject, explainData, rawRows, type RawRow } from './explain-data.js';
import { findRows, parseWhatIf, rowAnswer, shown } from './row.js';
import { modelQuery, positiveId } from '../routes/schemas.js';

export interface ExplainRouteOptions {
  readonly pool: Pool;
  readonly registry: ModelRegistry;
  readonly catalog: Catalog;
}

interface Loaded {
  readonly model: ModelDetail;
  readonly subject: ExplainSubject;
  readonly test: RawRow[];
}

export default async function explainRoutes(app: FastifyInstance, opts: ExplainRouteOptions) {
  const { pool, registry, catalog } = opts;
  // Loaded explainers and test rows of the models explained lately: a what-if answer then costs
  // one row's explanation (a model never changes, so nothing here goes stale).
  const loaded = new Map<number, Promise<Loaded>>();
  const load = (id: number): Promise<Loaded> => {
    const hit = loaded.get(id);
    if (hit) {
      loaded.delete(id);
      loaded.set(id, hit);
      return hit;
    }
    const p = (async (): Promise<Loaded> => {
      const model = await registry.get(id);
      if (!model) throw new NotFoundError('there is no such model (it may have been deleted)');
      const artefact = await storedExplainer(pool, id);
      if (!artefact) throw new NotFoundError(NO_EXPLAINER);
      const ds = model.datasetId === null ? null : await catalog.get(model.datasetId);
      if (!ds || ds.version !== model.datasetVersion)
        throw new NotFoundError('the dataset this model was trained on was reloaded or deleted, so its rows are gone');
      const table = await readTrainingTable(pool, ds, model.features, model.split.test);
      return {
        model,
        subject: new ExplainSubject(artefact),
        test: rawRows(
          table,
          Int32Array.from({ length: table.rowIds.length }, (_, i) => i),
        ),
      };
    })();
    loaded.set(id, p);
    p.catch(() => loaded.delete(id));
    while (loaded.size > 4) loaded.delete(loaded.keys().next().value as number);
    return p;
  };

  const docs = new DocumentCache(8);
  app.get(
    '/documents/explain',
    {
      config: { doc: (req) => modelClaim('explain', (req.query as { model?: unknown }).model) },
      schema: { querystring: modelQuery },
    },
    async (req, reply) => {
      const id = (req.query as { model: number }).model;
      const json = await docs.get(`explain:${id}`, async () => {
        const { model, subject } = await load(id);
        const ds = model.datasetId === null ? null : await catalog.get(model.datasetId);
        if (!ds) throw new NotFoundError('the dataset this model was trained on was deleted');
        const table = await readTrainingTable(pool, ds, model.features, model.split.test);
        const t0 = performance.now();
        const data = explainData(subject, table);
        const text = JSON.stringify(explainDocument(model, data));
        req.log.info(
          {
            model: id,
            ms: Math.round(performance.now() - t0),
            parts: data.ms,
            rows: data.sample.length,
            bytes: text.length,
          },
          'built Explain document',
        );
        return text;
      });
      return reply.type('application/json').send(json);
    },
  );

  app.get(
    '/documents/explain-row',
    {
      config: { doc: (req) => modelClaim('explain-row', (req.query as { model?: unknown }).model) },
      schema: {
        querystring: {
          type: 'object',
          required: ['model'],
          properties: {
            model: positiveId,
            row: { type: 'integer', minimum: 0 },
            find: { type: 'string', maxLength: 200 },
            values: { type: 'string', maxLength: 20000 },
          },
        },
      },
    },
    async (req) => {
      const q = req.query as { model: number; row?: number; find?: string; values?: string };
      const { subject, test } = await load(q.model);
      const columns = subject.columns;
      if (q.values !== undefined) return rowAnswer(subject, parseWhatIf(q.values, columns), null);
      if (q.find !== undefined) {
        const hits = findRows(test, columns, q.find);
        return {
          find: q.find,
          rows: hits.map((i) => ({
            row: i,
            preview: columns
              .slice(0, 6)
              .map((c) => `${c.name}=${shown(c, test[i][c.name] ?? null) || '(blank)'}`)
              .join(', '),
          })),
        };
      }
      const row = q.row ?? 0;
      if (row >= test.length)
        throw new NotFoundError(`row ${row} is not a test row: there are ${test.length} (0 to ${test.length - 1})`);
      const values: RawRow = Object.fromEntries(
        columns.map((c) => {
          const v = test[row][c.name] ?? null;
          // dates go to the form as ISO text, as a person types them
          return [c.name, c.kind === 'date' && typeof v === 'number' ? shown(c, v) : v];
        }),
      );
      return { ...rowAnswer(subject, values, row), testRows: test.length, columns };
    },
  );
}
