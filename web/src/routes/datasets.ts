// Datasets: the Load Datasets page (toy datasets, uploads), description, dataset and data pages,
// CSV export, the dataset picker, and the upload API (multipart → preview → load with progress).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import {
  BadRequestError, ForbiddenError, NotFoundError, type Pool,
} from '@enchilada/core';
import {
  type Catalog, DatasetService, type Loads, type ToyDatasets, checkClassLabels, targetClasses, type UploadStore, csvStream, readPage,
  COLUMN_ROLES, COLUMN_TYPES, MAX_COLUMNS, type ColumnSpec, type Dataset, type Task,
} from '@enchilada/data';
import { notify } from '../plugins/pages.js';
import { signedIn } from '../plugins/guard.js';
import { idParams } from './schemas.js';

export interface DatasetRouteOptions {
  readonly pool: Pool;
  readonly catalog: Catalog;
  readonly toys: ToyDatasets;
  readonly uploads: UploadStore;
  readonly loads: Loads;
}

const nameParams = { type: 'object', required: ['name'], properties: { name: { type: 'string', pattern: '^[a-z][a-z0-9_-]{0,63}$' } } } as const;
const hexParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9a-f]{32}$' } } } as const;
const PAGE = 50;

/** Who may name a dataset's classes: its owner (who uploaded or loaded it) or an administrator. */
function canEditLabels(ds: Dataset, user: { id: number; role: string }): boolean {
  return user.role === 'admin' || (user.role !== 'viewer' && ds.createdBy === user.id);
}

function canDelete(ds: Dataset, user: { id: number; role: string }): boolean {
  return ds.origin === 'upload' && (user.role === 'admin' || ds.createdBy === user.id);
}

export default async function datasetRoutes(app: FastifyInstance, opts: DatasetRouteOptions) {
  const { pool, catalog, toys, uploads, loads } = opts;
  const datasets = new DatasetService(pool, catalog, uploads, loads);
  await app.register(multipart, { limits: { fileSize: uploads.maxBytes, files: 1, fields: 5, parts: 6 } });

  async function dataset(id: number): Promise<Dataset> {
    const ds = await catalog.get(id);
    if (!ds) throw new NotFoundError('there is no such dataset (it may have been deleted)');
    return ds;
  }

  app.get('/datasets', async (_req, reply) => {
    const loaded = new Map((await catalog.list()).filter((d) => d.origin === 'toy').map((d) => [d.name, d]));
    const toyRows = (await toys.list()).map((t) => ({ toy: t, loaded: loaded.get(t.name) ?? null }));
    const uploaded = (await catalog.list()).filter((d) => d.origin === 'upload');
    return reply.page('datasets.ejs', { title: 'Load datasets', active: 'datasets', toyRows, uploaded, canDelete, maxMb: Math.round(uploads.maxBytes / 1e6) });
  });

  app.get('/datasets/toy/:name', { schema: { params: nameParams } }, async (req: FastifyRequest<{ Params: { name: string } }>, reply) => {
    const toy = await toys.get(req.params.name);
    const loaded = await catalog.byName(toy.name);
    return reply.page('toy-description.ejs', { title: toy.title, active: 'datasets', toy, loaded });
  });

  app.post('/datasets/toy/:name/load', { schema: { params: nameParams } }, async (req: FastifyRequest<{ Params: { name: string } }>, reply) => {
    const before = await catalog.byName(req.params.name);
    const ds = await toys.load(pool, req.params.name, req.user?.id ?? null);
    req.session.set('dataset', ds.id);
    notify(reply, 'success', `${before ? 'Reloaded' : 'Loaded'} ${ds.title}: ${ds.rowCount.toLocaleString('en-US')} rows (version ${ds.version}).`);
    return reply.redirect('/datasets', 303);
  });

  app.get('/datasets/:id', { schema: { params: idParams } }, async (req: FastifyRequest<{ Params: { id: number } }>, reply) => {
    const ds = await dataset(req.params.id);
    const toy = ds.origin === 'toy' ? await toys.get(ds.name).catch(() => null) : null;
    return reply.page('dataset.ejs', {
      title: ds.title, active: 'datasets', ds, toy, deletable: canDelete(ds, signedIn(req)),
      labelsEditable: canEditLabels(ds, signedIn(req)) && targetClasses(ds.stats) !== null && ds.task === 'classification',
    });
  });

  // The names of the target's classes: as JSON {labels: {<class>: name}}, or from the dataset page's
  // form, one field "label:<class>" per class (a urlencoded form has no nested objects).
  app.post('/datasets/:id/labels', {
    schema: {
      params: idParams,
      body: {
        type: 'object', additionalProperties: false, maxProperties: 1001,
        properties: {
          _csrf: { type: 'string' },
          labels: { type: 'object', maxProperties: 1000, propertyNames: { maxLength: 255 }, additionalProperties: { type: 'string', maxLength: 200 } },
        },
        patternProperties: { '^label:': { type: 'string', maxLength: 200 } },
      },
    },
  }, async (req: FastifyRequest<{ Params: { id: number }; Body: Record<string, unknown> & { labels?: Record<string, string> } }>, reply) => {
    const ds = await dataset(req.params.id);
    if (!canEditLabels(ds, signedIn(req))) throw new ForbiddenError('only the owner of this dataset or an administrator can name its classes');
    const given: Record<string, unknown> = { ...req.body.labels };
    for (const [k, v] of Object.entries(req.body)) if (k.startsWith('label:')) given[k.slice(6)] = v;
    const labels = checkClassLabels(ds.task === 'classification' ? targetClasses(ds.stats) : null, given);
    await catalog.setClassLabels(ds.id, labels);
    if ((req.headers.accept ?? '').includes('application/json')) return reply.send({ labels });
    notify(reply, 'success', labels ? `Saved the names of the classes of ${ds.target}.` : `Removed the names of the classes of ${ds.target}.`);
    return reply.redirect(`/datasets/${ds.id}`, 303);
  });

  app.get('/datasets/:id/data', {
    schema: {
      params: idParams,
      querystring: { type: 'object', properties: { offset: { type: 'integer', minimum: 0, default: 0 }, sort: { type: 'string', maxLength: 64 }, desc: { type: 'boolean', default: false } } },
    },
  }, async (req: FastifyRequest<{ Params: { id: number }; Querystring: { offset: number; sort?: string; desc: boolean } }>, reply) => {
    const ds = await dataset(req.params.id);
    const q = req.query;
    const page = await readPage(pool, ds, { offset: q.offset, limit: PAGE, sort: q.sort || undefined, desc: q.desc });
    return reply.page('data.ejs', { title: `${ds.title}: data`, active: 'datasets', ds, page, pageSize: PAGE, sort: q.sort ?? '', desc: q.desc });
  });

  app.get('/datasets/:id/csv', { schema: { params: idParams } }, async (req: FastifyRequest<{ Params: { id: number } }>, reply) => {
    const ds = await dataset(req.params.id);
    reply.header('content-type', 'text/csv; charset=utf-8');
    reply.header('content-disposition', `attachment; filename="${ds.name}.csv"`);
    return reply.send(csvStream(pool, ds));
  });

  app.post('/datasets/:id/delete', { schema: { params: idParams } }, async (req: FastifyRequest<{ Params: { id: number } }>, reply) => {
    const ds = await dataset(req.params.id);
    if (!canDelete(ds, signedIn(req))) throw new ForbiddenError(ds.origin === 'toy' ? 'toy datasets are reloaded, not deleted' : 'only the owner or an administrator can delete this dataset');
    await datasets.delete(ds.id);
    if (req.session.get('dataset') === ds.id) req.session.set('dataset', undefined);
    notify(reply, 'success', `Deleted ${ds.title}.`);
    return reply.redirect('/datasets', 303);
  });

  app.post('/datasets/current', {
    // Choosing the dataset to look at changes only the viewer's own session.
    config: { anyRole: true },
    schema: { body: { type: 'object', required: ['dataset'], properties: { dataset: { type: 'integer', minimum: 0 }, back: { type: 'string', maxLength: 300 }, _csrf: { type: 'string' } } } },
  }, async (req: FastifyRequest<{ Body: { dataset: number; back?: string } }>, reply) => {
    if (req.body.dataset === 0) req.session.set('dataset', undefined);
    else req.session.set('dataset', (await dataset(req.body.dataset)).id);
    const back = req.body.back && /^\/(?![/\\])[\x21-\x7e]*$/.test(req.body.back) ? req.body.back : '/datasets';
    return reply.redirect(back, 303);
  });

  // ---- upload API (JSON) ----
  app.post('/api/uploads', async (req, reply) => {
    const file = await req.file();
    if (!file) throw new BadRequestError('attach a CSV file in the field "file"', 'file');
    if (!/\.(csv|txt)$/i.test(file.filename)) throw new BadRequestError('the file must be a .csv file', 'file');
    const id = await uploads.save(file.file, file.filename, signedIn(req).id, () => file.file.truncated);
    try {
      return reply.code(201).send(await uploads.preview(id, signedIn(req)));
    } catch (err) {
      await uploads.remove(id);
      throw err;
    }
  });

  app.delete('/api/uploads/:id', { schema: { params: hexParams } }, async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    await uploads.meta(req.params.id, signedIn(req));
    await uploads.remove(req.params.id);
    return reply.code(204).send();
  });

  app.post('/api/uploads/:id/commit', {
    schema: {
      params: hexParams,
      body: {
        type: 'object', required: ['name', 'title', 'columns'], additionalProperties: false,
        properties: {
          name: { type: 'string', maxLength: 64 }, title: { type: 'string', maxLength: 200 },
          task: { type: ['string', 'null'], enum: ['classification', 'regression', null] },
          columns: {
            type: 'array', minItems: 1, maxItems: MAX_COLUMNS,
            items: {
              type: 'object', required: ['name', 'type', 'role'], additionalProperties: false,
              properties: { name: { type: 'string', maxLength: 200 }, type: { type: 'string', enum: [...COLUMN_TYPES] }, role: { type: 'string', enum: [...COLUMN_ROLES] } },
            },
          },
        },
      },
    },
  }, async (req: FastifyRequest<{ Params: { id: string }; Body: { name: string; title: string; task?: Task | null; columns: ColumnSpec[] } }>, reply) => {
    const meta = await uploads.meta(req.params.id, signedIn(req));
    const spec = { name: req.body.name, title: req.body.title, origin: 'upload' as const, columns: req.body.columns, task: req.body.task ?? null, createdBy: signedIn(req).id };
    // The load runs on after this answer; the page follows it through GET /api/loads/:id.
    const loadId = await datasets.startUploadLoad(req.params.id, meta.bytes, spec, req.log);
    return reply.code(202).send({ load: loadId });
  });

  app.get('/api/loads/:id', { schema: { params: hexParams } }, async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
    const state = await loads.get(req.params.id);
    if (!state || (state.createdBy !== signedIn(req).id && signedIn(req).role !== 'admin')) throw new NotFoundError('no such load');
    return reply.send(state);
  });
}
