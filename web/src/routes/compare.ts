// Compare all models: queue a budgeted comparison of every model for the dataset's task
// (POST /api/compare), and its page (/compare/:id) with the leaderboard filling as candidates finish.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NotFoundError, TooManyRequestsError, UnauthorizedError, type Config } from '@enchilada/core';
import type { Catalog, Dataset } from '@enchilada/data';
import type { JobQueue } from '@enchilada/jobs';
import { MODELS } from '@enchilada/ml';
import type { CompareSpec } from '@enchilada/models';
import { DEFAULT_BUDGET_MINUTES, validateCompareRequest, type CompareRequest } from '../training/compare-spec.js';
import { idParams } from './schemas.js';

export interface CompareRouteOptions {
  readonly catalog: Catalog;
  readonly queue: JobQueue;
  readonly config: Config;
}

/** The Train page's default choice: every column loaded as a feature that does not look like an identifier. */
export function defaultFeatures(ds: Dataset): string[] {
  const idLike = new Set((ds.stats?.categorical ?? []).filter((c) => c.identifierLike).map((c) => c.name));
  return ds.columns
    .filter((c) => c.role === 'feature' && c.name !== ds.target && !idLike.has(c.name))
    .map((c) => c.name);
}

const compareBody = Type.Object(
  {
    dataset: Type.Integer({ minimum: 1 }),
    features: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 1000 })),
    trainFraction: Type.Optional(Type.Number()),
    budgetMinutes: Type.Optional(Type.Number()),
  },
  { additionalProperties: false },
);

export default async function compareRoutes(instance: FastifyInstance, opts: CompareRouteOptions) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { catalog, queue, config } = opts;

  app.post(
    '/api/compare',
    {
      schema: { body: compareBody },
    },
    async (req, reply) => {
      const ds = await catalog.get(req.body.dataset);
      if (!ds) throw new NotFoundError('there is no such dataset (it may have been deleted)');
      const request: CompareRequest = {
        features: req.body.features ?? defaultFeatures(ds),
        trainFraction: req.body.trainFraction ?? 0.8,
        budgetMinutes: req.body.budgetMinutes ?? DEFAULT_BUDGET_MINUTES,
      };
      const { spec, skipped } = validateCompareRequest(ds, request, config.training);
      const user = req.user;
      if (!user) throw new UnauthorizedError('sign in required');
      const max = config.training.maxActiveJobs;
      // progress counts seconds of the budget
      const job = await queue.enqueueWithin(
        { kind: 'compare', spec, datasetId: ds.id, createdBy: user.id, total: spec.budgetSeconds },
        max,
      );
      if (job === null) {
        throw new TooManyRequestsError(
          `you have ${max} comparison${max === 1 ? '' : 's'} queued or running, the most one person may have (TRAIN_MAX_ACTIVE_JOBS): wait for one to finish or cancel one`,
        );
      }
      req.log.info(
        { job, dataset: ds.name, models: spec.models.length, budget: spec.budgetSeconds },
        'comparison queued',
      );
      return reply
        .code(202)
        .send({ job, models: spec.models, skipped, budgetSeconds: spec.budgetSeconds, page: `/compare/${job}` });
    },
  );

  app.get('/compare/:id', { schema: { params: idParams } }, async (req, reply) => {
    const job = await queue.get(req.params.id);
    if (!job || job.kind !== 'compare') throw new NotFoundError('there is no such comparison');
    const spec = job.spec as CompareSpec;
    const ds = await catalog.get(spec.datasetId);
    const names = Object.fromEntries(MODELS.map((m) => [m.id, m.displayName]));
    return reply.page('compare.ejs', {
      title: `Compare all models${ds ? ` on ${ds.title}` : ''}`,
      active: 'train',
      ds,
      job,
      spec,
      names,
    });
  });
}
