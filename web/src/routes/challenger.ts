// Champion and challenger, the web side (issue 19): set a published name's challenger (the checks a
// publish makes: the name's owner or an administrator, a model one may publish, the champion's
// task, confirmation of a change of columns), promote it (a swap, published as the name's next
// version) and remove it. serve follows through serving_changes within a poll, without a restart.
// And retrain on outcomes: a training job (the champion's spec) on a new dataset of the champion's
// rows plus the logged predictions that have outcomes, whose model becomes the challenger.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ConflictError, ForbiddenError, NotFoundError, TooManyRequestsError } from '@enchilada/core';
import type { Catalog } from '@enchilada/data';
import type { JobQueue } from '@enchilada/jobs';
import {
  FOLDS,
  SchemaChangeError,
  type Challengers,
  type ModelRegistry,
  type Predictions,
  type PublishedModels,
  type TrainSpec,
} from '@enchilada/models';
import { notify } from '../plugins/pages.js';
import { signedIn } from '../plugins/guard.js';

export interface ChallengerRouteOptions {
  readonly registry: ModelRegistry;
  readonly challengers: Challengers;
  readonly published: PublishedModels;
  readonly predictions: Predictions;
  readonly catalog: Catalog;
  readonly queue: JobQueue;
  /** TRAIN_MAX_ACTIVE_JOBS: queued or running jobs one person may have. */
  readonly maxActiveJobs: number;
}

const nameParams = Type.Object({ name: Type.String({ maxLength: 64 }) });
const back = Type.Optional(Type.Enum(['monitor']));
/**
 * A form's CSRF token and where it goes back to. A JSON client may post no body at all, so the
 * handler's type says it may be absent (a raw schema, typed by hand once).
 */
const csrfOnly = Type.Unsafe<{ _csrf?: string; back?: 'monitor' } | undefined>(
  Type.Object({ _csrf: Type.Optional(Type.String()), back }),
);
const challengerBody = Type.Object({
  model: Type.Integer({ minimum: 1 }),
  confirm: Type.Optional(Type.Enum(['yes'])),
  back,
  _csrf: Type.Optional(Type.String()),
});
const wantsPage = (req: FastifyRequest) => (req.headers.accept ?? '').includes('text/html');
/** Where a form goes back to: the name's monitoring page, or the Published page. */
const backTo = (name: string, back?: string) => (back === 'monitor' ? `/published/${name}/monitor` : '/published');

export default async function challengerRoutes(instance: FastifyInstance, opts: ChallengerRouteOptions) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { registry, challengers, published, predictions, catalog, queue } = opts;

  app.post(
    '/published/:name/challenger',
    {
      schema: { params: nameParams, body: challengerBody },
    },
    async (req, reply) => {
      const { name } = req.params;
      const user = signedIn(req);
      const m = await registry.get(req.body.model);
      if (!m) throw new NotFoundError(`there is no model ${req.body.model} (it may have been deleted)`);
      if (m.createdBy !== user.id && user.role !== 'admin')
        throw new ForbiddenError('only the owner of a model or an administrator can make it a challenger');
      try {
        await challengers.set(name, m.id, { actor: user, confirm: req.body.confirm === 'yes' });
      } catch (err) {
        if (err instanceof SchemaChangeError && wantsPage(req)) {
          return reply.code(409).page('publish-confirm.ejs', {
            title: `Change "${name}"?`,
            active: 'published',
            name,
            changes: err.changes,
            action: `/published/${name}/challenger`,
            fields: { model: String(m.id), ...(req.body.back ? { back: req.body.back } : {}) },
          });
        }
        throw err;
      }
      if (!wantsPage(req)) return { name, challenger: m.id };
      notify(
        reply,
        'success',
        `Model ${m.id} is now the challenger of "${name}": serve scores every request with it too (logged, not answered) within a few seconds.`,
      );
      return reply.redirect(backTo(name, req.body.back), 303);
    },
  );

  app.post('/published/:name/promote', { schema: { params: nameParams, body: csrfOnly } }, async (req, reply) => {
    const { name } = req.params;
    const r = await challengers.promote(name, signedIn(req));
    if (!wantsPage(req)) return { name, version: r.version, champion: r.modelId };
    notify(
      reply,
      'success',
      `Promoted: "${name}" version ${r.version} serves model ${r.modelId}; the former champion is now the challenger. serve switches within a few seconds.`,
    );
    return reply.redirect(backTo(name, req.body?.back), 303);
  });

  app.post(
    '/published/:name/challenger/remove',
    { schema: { params: nameParams, body: csrfOnly } },
    async (req, reply) => {
      const { name } = req.params;
      const removed = await challengers.remove(name, signedIn(req));
      if (!wantsPage(req)) return { name, removed };
      notify(
        reply,
        removed ? 'success' : 'info',
        removed ? `"${name}" has no challenger any more.` : `"${name}" had no challenger.`,
      );
      return reply.redirect(backTo(name, req.body?.back), 303);
    },
  );

  app.post('/published/:name/retrain', { schema: { params: nameParams, body: csrfOnly } }, async (req, reply) => {
    const { name } = req.params;
    const user = signedIn(req);
    const p = (await published.list()).find((n) => n.name === name);
    if (!p) throw new NotFoundError(`nothing is published under the name "${name}"`);
    if (p.ownerId !== user.id && user.role !== 'admin') {
      throw new ForbiddenError(
        `the name "${name}" belongs to the person who first published it: only they or an administrator can retrain it`,
      );
    }
    const champion = await registry.get(p.modelId);
    if (!champion) throw new NotFoundError('the champion model was deleted');
    const ds = champion.datasetId === null ? null : await catalog.get(champion.datasetId);
    if (!ds)
      throw new ConflictError(
        `the dataset model ${champion.id} was trained on was deleted: there are no original rows to retrain on`,
      );
    const outcomes = await predictions.countWhere({ modelName: name, withOutcome: true });
    if (outcomes === 0)
      throw new ConflictError(
        `no prediction of "${name}" has an outcome yet: record outcomes (POST /v1/models/${name}/outcomes) first`,
      );
    // The champion's own spec when its job is kept, else what the model records of it.
    const job = champion.jobId === null ? null : await queue.get<TrainSpec>(champion.jobId);
    const base: Omit<TrainSpec, 'datasetId' | 'datasetVersion'> =
      job?.kind === 'train' && job.spec.model === champion.modelType
        ? job.spec
        : {
            model: champion.modelType,
            features: champion.features,
            trainFraction: champion.trainFraction,
            grid: champion.grid,
            // A champion trained before its job was kept: the Train page's folds.
            folds: FOLDS,
            seed: champion.splitSeed,
          };
    const { retrain: _previous, ...kept } = base;
    const spec: TrainSpec = {
      ...kept,
      datasetId: ds.id,
      datasetVersion: ds.version,
      retrain: { name, championModelId: champion.id, actor: { id: user.id, role: user.role } },
    };
    const fits =
      job?.kind === 'train'
        ? job.total
        : Object.values(spec.grid).reduce((n, v) => n * Math.max(1, v.length), 1) * spec.folds;
    const id = await queue.enqueueWithin(
      { kind: 'train', spec, datasetId: ds.id, createdBy: user.id, total: fits },
      opts.maxActiveJobs,
    );
    if (id === null) {
      throw new TooManyRequestsError(
        `you have ${opts.maxActiveJobs} training jobs queued or running, the most one person may have (TRAIN_MAX_ACTIVE_JOBS): wait for one to finish or cancel one`,
      );
    }
    req.log.info({ job: id, name, champion: champion.id, outcomes }, 'retrain queued');
    if (!wantsPage(req)) return reply.code(202).send({ job: id, fits, outcomes });
    // The Train page of the champion's dataset follows the job's progress, as any training's.
    req.session.set('dataset', ds.id);
    notify(
      reply,
      'success',
      `Retraining "${name}" on ${ds.title} plus ${outcomes} logged outcome${outcomes === 1 ? '' : 's'} (job ${id}); the model becomes the challenger when it is done.`,
    );
    return reply.redirect('/train', 303);
  });
}
