// The Explain page of one model (issue 18): the Explain document built by viz (importance, summary,
// dependence, partial dependence) and the per-row waterfall and what-if form (public/explain.js),
// both read through the /viz proxy. Like the results page, any signed-in user may read it.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NotFoundError, type Pool } from '@enchilada/core';
import { MODELS } from '@enchilada/ml';
import { NO_EXPLAINER, hasExplainer, type ModelRegistry } from '@enchilada/models';

export interface ExplainRouteOptions {
  readonly pool: Pool;
  readonly registry: ModelRegistry;
}

const displayName = (id: string) => MODELS.find((m) => m.id === id)?.displayName ?? id;

export default async function explainRoutes(instance: FastifyInstance, opts: ExplainRouteOptions) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/explain',
    {
      schema: { querystring: Type.Object({ model: Type.Integer({ minimum: 1 }) }) },
    },
    async (req, reply) => {
      const model = await opts.registry.get(req.query.model);
      if (!model) throw new NotFoundError('there is no such model (it may have been deleted)');
      const explainable = await hasExplainer(opts.pool, model.id);
      return reply.page('explain.ejs', {
        title: `Explain model ${model.id}`,
        active: 'results',
        model,
        explainable,
        noExplainer: NO_EXPLAINER,
        displayName,
        back: `/explain?model=${model.id}`,
      });
    },
  );
}
