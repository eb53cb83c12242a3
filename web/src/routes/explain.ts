// The Explain page of one model (issue 18): the Explain document built by viz (importance, summary,
// dependence, partial dependence) and the per-row waterfall and what-if form (public/explain.js),
// both read through the /viz proxy. Like the results page, any signed-in user may read it.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NotFoundError, type Pool } from '@enchilada/core';
import { MODELS } from '@enchilada/ml';
import { NO_EXPLAINER, hasExplainer, type ModelRegistry } from '@enchilada/models';

export interface ExplainRouteOptions { readonly pool: Pool; readonly registry: ModelRegistry }

const displayName = (id: string) => MODELS.find((m) => m.id === id)?.displayName ?? id;

export default async function explainRoutes(app: FastifyInstance, opts: ExplainRouteOptions) {
  app.get('/explain', {
    schema: { querystring: { type: 'object', required: ['model'], properties: { model: { type: 'integer', minimum: 1 } } } },
  }, async (req: FastifyRequest<{ Querystring: { model: number } }>, reply) => {
    const model = await opts.registry.get(req.query.model);
    if (!model) throw new NotFoundError('there is no such model (it may have been deleted)');
    const explainable = await hasExplainer(opts.pool, model.id);
    return reply.page('explain.ejs', { title: `Explain model ${model.id}`, active: 'results', model, explainable, noExplainer: NO_EXPLAINER, displayName, back: `/explain?model=${model.id}` });
  });
}
