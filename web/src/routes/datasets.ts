// Datasets: the Load Datasets page (toy datasets, uploads), description, dataset and data pages,
// CSV export, the dataset picker, and the upload API (multipart → preview → load with progress).
// Each schema is also its request's type (TypeBox).
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import multipart from '@fastify/multipart';
import { BadRequestError, ForbiddenError, NotFoundError, type Pool } from '@enchilada/core';
import {
  type Catalog,
  DatasetService,
  type Loads,
  type ToyDatasets,
  checkClassLabels,
  targetClasses,
  type UploadStore,
  csvStream,
  readPage,
  COLUMN_ROLES,
  COLUMN_TYPES,
  MAX_COLUMNS,
  type Dataset,
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

const nameParams = Type.Object({ name: Type.String({ pattern: '^[a-z][a-z0-9_-]{0,63}$' }) });
const hexParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{32}$' }) });
const csrf = Type.Optional(Type.String());
/**
 * The names of the target's classes: {labels: {<class>: name}} as JSON, or one form field
 * "label:<class>" per class. A raw schema (patternProperties, propertyNames), typed by hand once.
 */
const labelsBody = Type.Unsafe<Record<string, unknown> & { labels?: Record<string, string> }>({
  type: 'object',
  additionalProperties: false,
  maxProperties: 1001,
  properties: {
    _csrf: { type: 'string' },
    labels: {
      type: 'object',
      maxProperties: 1000,
      propertyNames: { maxLength: 255 },
      additionalProperties: { type: 'string', maxLength: 200 },
    },
  },
  patternProperties: { '^label:': { type: 'string', maxLength: 200 } },
});
const dataQuery = Type.Object({
  offset: Type.Integer({ minimum: 0, default: 0 }),
  sort: Type.Optional(Type.String({ maxLength: 64 })),
  desc: Type.Boolean({ default: false }),
});
const currentBody = Type.Object({
  dataset: Type.Integer({ minimum: 0 }),
  back: Type.Optional(Type.String({ maxLength: 300 })),
  _csrf: csrf,
});
const commitBody = Type.Object(
  {
    name: Type.String({ maxLength: 64 }),
    title: Type.String({ maxLength: 200 }),
    task: Type.Optional(Type.Union([Type.Enum(['classification', 'regression'] as const), Type.Null()])),
    columns: Type.Array(
      Type.Object(
        { name: Type.String({ maxLength: 200 }), type: Type.Enum(COLUMN_TYPES), role: Type.Enum(COLUMN_ROLES) },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: MAX_COLUMNS },
    ),
  },
  { additionalProperties: false },
);
const PAGE = 50;

/** Who may name a dataset's classes: its owner (who uploaded or loaded it) or an administrator. */
function canEditLabels(ds: Dataset, user: { id: number; role: string }): boolean {
  return user.role === 'admin' || (user.role !== 'viewer' && ds.createdBy === user.id);
}

function canDelete(ds: Dataset, user: { id: number; role: string }): boolean {
  return ds.origin === 'upload' && (user.role === 'admin' || ds.createdBy === user.id);
}

export default async function datasetRoutes(instance: FastifyInstance, opts: DatasetRouteOptions) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
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
    return reply.page('datasets.ejs', {
      title: 'Load datasets',
      active: 'datasets',
      toyRows,
      uploaded,
      canDelete,
      maxMb: Math.round(uploads.maxBytes / 1e6),
    });
  });

  app.get('/datasets/toy/:name', { schema: { params: nameParams } }, async (req, reply) => {
    const toy = await toys.get(req.params.name);
    const loaded = await catalog.byName(toy.name);
    return reply.page('toy-description.ejs', { title: toy.title, active: 'datasets', toy, loaded });
  });

  app.post('/datasets/toy/:name/load', { schema: { params: nameParams } }, async (req, reply) => {
    const before = await catalog.byName(req.params.name);
    const ds = await toys.load(pool, req.params.name, req.user?.id ?? null);
    req.session.set('dataset', ds.id);
    notify(
      reply,
      'success',
      `${before ? 'Reloaded' : 'Loaded'} ${ds.title}: ${ds.rowCount.toLocaleString('en-US')} rows (version ${ds.version}).`,
    );
    return reply.redirect('/datasets', 303);
  });

  app.get('/datasets/:id', { schema: { params: idParams } }, async (req, reply) => {
    const ds = await dataset(req.params.id);
    const toy = ds.origin === 'toy' ? await toys.get(ds.name).catch(() => null) : null;
    return reply.page('dataset.ejs', {
      title: ds.title,
      active: 'datasets',
      ds,
      toy,
      deletable: canDelete(ds, signedIn(req)),
      labelsEditable:
        canEditLabels(ds, signedIn(req)) && targetClasses(ds.stats) !== null && ds.task === 'classification',
    });
  });

  // The names of the target's classes: as JSON {labels: {<class>: name}}, or from the dataset page's
  // form, one field "label:<class>" per class (a urlencoded form has no nested objects).
  app.post(
    '/datasets/:id/labels',
    {
      schema: { params: idParams, body: labelsBody },
    },
    async (req, reply) => {
      const ds = await dataset(req.params.id);
      if (!canEditLabels(ds, signedIn(req)))
        throw new ForbiddenError('only the owner of this dataset or an administrator can name its classes');
      const given: Record<string, unknown> = { ...req.body.labels };
      for (const [k, v] of Object.entries(req.body)) if (k.startsWith('label:')) given[k.slice(6)] = v;
      const labels = checkClassLabels(ds.task === 'classification' ? targetClasses(ds.stats) : null, given);
      await catalog.setClassLabels(ds.id, labels);
      if ((req.headers.accept ?? '').includes('application/json')) return reply.send({ labels });
      notify(
        reply,
        'success',
        labels
          ? `Saved the names of the classes of ${ds.target}.`
          : `Removed the names of the classes of ${ds.target}.`,
      );
      return reply.redirect(`/datasets/${ds.id}`, 303);
    },
  );

  app.get(
    '/datasets/:id/data',
    {
      schema: { params: idParams, querystring: dataQuery },
    },
    async (req, reply) => {
      const ds = await dataset(req.params.id);
      const q = req.query;
      const page = await readPage(pool, ds, { offset: q.offset, limit: PAGE, sort: q.sort || undefined, desc: q.desc });
      return reply.page('data.ejs', {
        title: `${ds.title}: data`,
        active: 'datasets',
        ds,
        page,
        pageSize: PAGE,
        sort: q.sort ?? '',
        desc: q.desc,
      });
    },
  );

  app.get('/datasets/:id/csv', { schema: { params: idParams } }, async (req, reply) => {
    const ds = await dataset(req.params.id);
    reply.header('content-type', 'text/csv; charset=utf-8');
    reply.header('content-disposition', `attachment; filename="${ds.name}.csv"`);
    return reply.send(csvStream(pool, ds));
  });

  app.post('/datasets/:id/delete', { schema: { params: idParams } }, async (req, reply) => {
    const ds = await dataset(req.params.id);
    if (!canDelete(ds, signedIn(req)))
      throw new ForbiddenError(
        ds.origin === 'toy'
          ? 'toy datasets are reloaded, not deleted'
          : 'only the owner or an administrator can delete this dataset',
      );
    await datasets.delete(ds.id);
    if (req.session.get('dataset') === ds.id) req.session.set('dataset', undefined);
    notify(reply, 'success', `Deleted ${ds.title}.`);
    return reply.redirect('/datasets', 303);
  });

  app.post(
    '/datasets/current',
    {
      // Choosing the dataset to look at changes only the viewer's own session.
      config: { anyRole: true },
      schema: { body: currentBody },
    },
    async (req, reply) => {
      if (req.body.dataset === 0) req.session.set('dataset', undefined);
      else req.session.set('dataset', (await dataset(req.body.dataset)).id);
      const back = req.body.back && /^\/(?![/\\])[\x21-\x7e]*$/.test(req.body.back) ? req.body.back : '/datasets';
      return reply.redirect(back, 303);
    },
  );

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

  app.delete('/api/uploads/:id', { schema: { params: hexParams } }, async (req, reply) => {
    await uploads.meta(req.params.id, signedIn(req));
    await uploads.remove(req.params.id);
    return reply.code(204).send();
  });

  app.post(
    '/api/uploads/:id/commit',
    {
      schema: { params: hexParams, body: commitBody },
    },
    async (req, reply) => {
      const meta = await uploads.meta(req.params.id, signedIn(req));
      const spec = {
        name: req.body.name,
        title: req.body.title,
        origin: 'upload' as const,
        columns: req.body.columns,
        task: req.body.task ?? null,
        createdBy: signedIn(req).id,
      };
      // The load runs on after this answer; the page follows it through GET /api/loads/:id.
      const loadId = await datasets.startUploadLoad(req.params.id, meta.bytes, spec, req.log);
      return reply.code(202).send({ load: loadId });
    },
  );

  app.get('/api/loads/:id', { schema: { params: hexParams } }, async (req, reply) => {
    const state = await loads.get(req.params.id);
    if (!state || (state.createdBy !== signedIn(req).id && signedIn(req).role !== 'admin'))
      throw new NotFoundError('no such load');
    return reply.send(state);
  });
}
