// The signed-in pages that are not about one feature.
import type { FastifyInstance } from 'fastify';

export default async function pageRoutes(app: FastifyInstance) {
  app.get('/', async (_req, reply) => reply.page('home.ejs', { title: 'Overview', active: 'home' }));
}
