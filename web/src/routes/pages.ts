// The signed-in pages.
import type { FastifyInstance } from 'fastify';

export default async function pageRoutes(app: FastifyInstance) {
  app.get('/', async (req, reply) => reply.view('home.ejs', {
    title: 'Overview', active: 'home', user: req.user, csrfToken: reply.generateCsrf(),
  }));
}
