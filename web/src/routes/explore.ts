// The Explore page: the EDA document of the session's current dataset, built by viz.
import type { FastifyInstance } from 'fastify';

export default async function exploreRoutes(app: FastifyInstance) {
  app.get('/explore', async (req, reply) => {
    const ds = await req.currentDataset();
    return reply.page('explore.ejs', {
      title: ds ? `Explore ${ds.title}` : 'Explore',
      active: 'explore',
      ds,
      back: '/explore',
    });
  });
}
