// The signed-in pages that are not about one feature: the landing page's getting-started path.
import type { FastifyInstance } from 'fastify';
import { UnauthorizedError } from '@enchilada/core';
import type { Catalog } from '@enchilada/data';
import { MODELS } from '@enchilada/ml';
import type { ModelRegistry, Predictions, PublishedModels } from '@enchilada/models';
import { homeFor } from '../home/getting-started.js';

export interface PageRouteOptions {
  readonly catalog: Catalog;
  readonly registry: ModelRegistry;
  readonly published: PublishedModels;
  readonly predictions: Predictions;
}

const displayName = (id: string) => MODELS.find((m) => m.id === id)?.displayName ?? id;

export default async function pageRoutes(app: FastifyInstance, opts: PageRouteOptions) {
  app.get('/', async (req, reply) => {
    if (!req.user) throw new UnauthorizedError('sign in required');
    const ds = await req.currentDataset();
    const home = await homeFor(opts, { id: req.user.id, role: req.user.role }, ds && { id: ds.id, title: ds.title });
    return reply.page('home.ejs', { title: 'Overview', active: 'home', ...home, displayName });
  });
}
