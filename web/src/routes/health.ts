// Liveness (process up) and readiness (database reachable), for orchestrators; public and cheap.
import type { FastifyInstance } from 'fastify';
import type { Pool } from '@enchilada/core';

const response = { 200: { type: 'object', properties: { status: { type: 'string' } } } } as const;

export default async function healthRoutes(app: FastifyInstance, opts: { pool: Pool }) {
  app.get('/healthz', { config: { public: true }, schema: { response } }, async () => ({ status: 'ok' }));
  app.get(
    '/readyz',
    { config: { public: true }, schema: { response: { ...response, 503: response[200] } } },
    async (req, reply) => {
      try {
        await opts.pool.query('SELECT 1');
        return { status: 'ready' };
      } catch (err) {
        req.log.warn({ err }, 'database not reachable');
        return reply.code(503).send({ status: 'database unreachable' });
      }
    },
  );
}
