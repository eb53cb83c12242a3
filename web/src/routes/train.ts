// Training: the Train page and its JSON API (queue a grid-search job, follow it, cancel it, retry it), the
// Results page, and the Models pages (leaderboard, one model, ONNX download, delete). Each schema is
// also its request's type (TypeBox).
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ConflictError, ForbiddenError, NotFoundError, TooManyRequestsError, type Config } from '@enchilada/core';
import type { Catalog } from '@enchilada/data';
import { FINAL, stalled, type JobQueue } from '@enchilada/jobs';
import type { ModelRegistry, TrainSpec } from '@enchilada/models';
import { MODELS } from '@enchilada/ml';
import { notify } from '../plugins/pages.js';
import { validateTrainRequest } from '../training/train-spec.js';
import { signedIn } from '../plugins/guard.js';
import { idParams } from './schemas.js';

export interface TrainRouteOptions {
  readonly catalog: Catalog;
  readonly queue: JobQueue;
  readonly registry: ModelRegistry;
  readonly config: Config;
}

/** A nullable number or integer as JSON Schema writes it (`type: [..., 'null']`), typed. */
const nullable = <T extends number>(schema: Record<string, unknown>) => Type.Unsafe<T | null>(schema);

const trainBody = Type.Object(
  {
    dataset: Type.Integer({ minimum: 1 }),
    model: Type.String({ maxLength: 64 }),
    features: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 1000 }),
    trainFraction: Type.Number(),
    ranges: Type.Optional(
      Type.Record(
        Type.String(),
        Type.Object(
          {
            min: Type.Number(),
            max: Type.Number(),
            scale: Type.Optional(Type.Enum(['linear', 'log'])),
            perDecade: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
          },
          { additionalProperties: false },
        ),
        { maxProperties: 10 },
      ),
    ),
    search: Type.Optional(
      Type.Object(
        { kind: Type.Enum(['grid', 'random']), candidates: Type.Optional(Type.Integer()) },
        { additionalProperties: false },
      ),
    ),
    preprocessing: Type.Optional(
      Type.Object(
        {
          numericStrategy: Type.Optional(Type.Enum(['mean', 'median', 'most_frequent', 'constant'])),
          addIndicator: Type.Optional(Type.Boolean()),
          categoricalStrategy: Type.Optional(Type.Enum(['most_frequent', 'constant'])),
          encoding: Type.Optional(Type.Enum(['onehot', 'ordinal'])),
          minFrequency: Type.Optional(nullable({ type: ['number', 'null'], exclusiveMinimum: 0 })),
          maxCategories: Type.Optional(nullable({ type: ['integer', 'null'], minimum: 2, maximum: 1000 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
const jobsQuery = Type.Object({
  dataset: Type.Optional(Type.Integer({ minimum: 1 })),
  active: Type.Boolean({ default: false }),
});
const modelQuery = Type.Object({ model: Type.Optional(Type.Integer({ minimum: 1 })) });
const datasetQuery = Type.Object({ dataset: Type.Optional(Type.Integer({ minimum: 1 })) });

const displayName = (id: string) => MODELS.find((m) => m.id === id)?.displayName ?? id;

export default async function trainRoutes(instance: FastifyInstance, opts: TrainRouteOptions) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { catalog, queue, registry, config } = opts;

  app.get('/train', async (req, reply) => {
    const ds = await req.currentDataset();
    return reply.page('train.ejs', {
      title: ds ? `Train on ${ds.title}` : 'Train',
      active: 'train',
      ds,
      back: '/train',
      maxFits: config.maxFits,
    });
  });

  app.post(
    '/api/train',
    {
      schema: { body: trainBody },
    },
    async (req, reply) => {
      const ds = await catalog.get(req.body.dataset);
      if (!ds) throw new NotFoundError('there is no such dataset (it may have been deleted)');
      const { spec, fits } = validateTrainRequest(ds, req.body, { maxFits: config.maxFits, ...config.training });
      const max = config.training.maxActiveJobs;
      const job = await queue.enqueueWithin(
        { kind: 'train', spec, datasetId: ds.id, createdBy: signedIn(req).id, total: fits },
        max,
      );
      if (job === null) {
        throw new TooManyRequestsError(
          `you have ${max} training job${max === 1 ? '' : 's'} queued or running, the most one person may have (TRAIN_MAX_ACTIVE_JOBS): wait for one to finish or cancel one`,
        );
      }
      req.log.info({ job, model: spec.model, dataset: ds.name, fits }, 'training queued');
      return reply.code(202).send({ job, fits });
    },
  );

  app.get(
    '/api/jobs',
    {
      schema: { querystring: jobsQuery },
    },
    async (req) => {
      const jobs = await queue.recent({ datasetId: req.query.dataset, limit: 20 });
      const list = req.query.active ? jobs.filter((j) => !FINAL.includes(j.status)) : jobs;
      return {
        jobs: list.map((j) => ({
          id: j.id,
          status: j.status,
          done: j.done,
          total: j.total,
          message: j.message,
          error: j.error,
          modelId: j.modelId,
          result: j.result,
          model: (j.spec as { model?: string }).model ?? null,
          createdAt: j.createdAt,
          stalled: stalled(j),
        })),
      };
    },
  );

  app.get('/api/jobs/:id', { schema: { params: idParams } }, async (req) => {
    const j = await queue.get(req.params.id);
    if (!j) throw new NotFoundError('no such job');
    return {
      id: j.id,
      status: j.status,
      done: j.done,
      total: j.total,
      message: j.message,
      error: j.error,
      modelId: j.modelId,
      result: j.result,
      spec: j.spec,
      stalled: stalled(j),
    };
  });

  app.post('/api/jobs/:id/cancel', { schema: { params: idParams } }, async (req) => {
    const j = await queue.get(req.params.id);
    if (!j) throw new NotFoundError('no such job');
    if (j.createdBy !== signedIn(req).id && signedIn(req).role !== 'admin')
      throw new ForbiddenError('only the person who started a job, or an administrator, can cancel it');
    return { cancelling: await queue.requestCancel(j.id) };
  });

  // A failed or cancelled job runs again as a new job with the same spec (the old one stays as it ended).
  app.post('/api/jobs/:id/retry', { schema: { params: idParams } }, async (req, reply) => {
    const j = await queue.get<TrainSpec>(req.params.id);
    if (!j || j.kind !== 'train') throw new NotFoundError('no such training job');
    if (j.createdBy !== signedIn(req).id && signedIn(req).role !== 'admin')
      throw new ForbiddenError('only the person who started a job, or an administrator, can retry it');
    if (j.status !== 'failed' && j.status !== 'cancelled')
      throw new ConflictError(`job ${j.id} is ${j.status}: only a failed or cancelled job can be retried`);
    const ds = await catalog.get(j.spec.datasetId);
    if (!ds) throw new NotFoundError(`the dataset job ${j.id} trained on was deleted: it cannot be retried`);
    if (ds.version !== j.spec.datasetVersion) {
      throw new ConflictError(
        `${ds.title} changed since job ${j.id} was started (version ${j.spec.datasetVersion}, now ${ds.version}): start a new job from the Train page`,
      );
    }
    const max = config.training.maxActiveJobs;
    const job = await queue.enqueueWithin(
      { kind: 'train', spec: j.spec, datasetId: ds.id, createdBy: signedIn(req).id, total: j.total },
      max,
    );
    if (job === null) {
      throw new TooManyRequestsError(
        `you have ${max} training job${max === 1 ? '' : 's'} queued or running, the most one person may have (TRAIN_MAX_ACTIVE_JOBS): wait for one to finish or cancel one`,
      );
    }
    req.log.info({ job, retryOf: j.id }, 'training retried');
    return reply.code(202).send({ job, fits: j.total, retryOf: j.id });
  });

  app.get(
    '/results',
    {
      schema: { querystring: modelQuery },
    },
    async (req, reply) => {
      const ds = await req.currentDataset();
      const model = req.query.model ? await registry.get(req.query.model) : ds ? await registry.newest(ds.id) : null;
      if (req.query.model && !model) throw new NotFoundError('there is no such model (it may have been deleted)');
      return reply.page('results.ejs', {
        title: model ? `Results of model ${model.id}` : 'Results',
        active: 'results',
        ds,
        model,
        displayName,
        back: '/results',
      });
    },
  );

  app.get(
    '/models',
    {
      schema: { querystring: datasetQuery },
    },
    async (req, reply) => {
      const models = await registry.list({ datasetId: req.query.dataset });
      const datasets = await catalog.list();
      return reply.page('models.ejs', {
        title: 'Models',
        active: 'models',
        models,
        filter: req.query.dataset ?? null,
        datasetsList: datasets,
        displayName,
        back: '/models',
      });
    },
  );

  app.get('/models/:id', { schema: { params: idParams } }, async (req, reply) => {
    const m = await registry.get(req.params.id);
    if (!m) throw new NotFoundError('there is no such model (it may have been deleted)');
    const deletable = m.createdBy === signedIn(req).id || signedIn(req).role === 'admin';
    const liveAs = await registry.liveNames(m.id);
    return reply.page('model.ejs', { title: `Model ${m.id}`, active: 'models', m, displayName, deletable, liveAs });
  });

  app.get('/models/:id/onnx', { schema: { params: idParams } }, async (req, reply) => {
    const bytes = await registry.onnx(req.params.id);
    if (!bytes) throw new NotFoundError('there is no such model');
    return reply
      .header('content-type', 'application/octet-stream')
      .header('content-disposition', `attachment; filename="enchilada-model-${req.params.id}.onnx"`)
      .send(bytes);
  });

  app.post('/models/:id/delete', { schema: { params: idParams } }, async (req, reply) => {
    const m = await registry.get(req.params.id);
    if (!m) throw new NotFoundError('there is no such model');
    if (m.createdBy !== signedIn(req).id && signedIn(req).role !== 'admin')
      throw new ForbiddenError('only the owner or an administrator can delete this model');
    const removed = await registry.remove(m.id);
    if (removed === 'missing') throw new NotFoundError('there is no such model');
    if (removed === 'live') {
      const names = await registry.liveNames(m.id);
      throw new ConflictError(
        `model ${m.id} is live as ${names.map((n) => `"${n}"`).join(', ') || 'a published name'}: publish another model under ${names.length > 1 ? 'those names' : 'that name'} first, then delete this one`,
      );
    }
    notify(reply, 'success', `Deleted model ${m.id} (${displayName(m.modelType)} on ${m.datasetName}).`);
    return reply.redirect('/models', 303);
  });
}
