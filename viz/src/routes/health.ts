// Liveness and readiness: token-free on purpose (the container healthcheck and the orchestrator call
// them), and they reveal nothing.
import type { FastifyInstance } from 'fastify';
import { SCHEMA_VERSION, type Pool, type RowDataPacket } from '@enchilada/core';

export function healthRoutes(app: FastifyInstance, pool: Pool): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  // Readiness: the database answers and holds the schema this build expects (web migrates it), so
  // an orchestrator sends no document request to a replica that would fail it.
  app.get('/readyz', async (req, reply) => {
    try {
      const [rows] = await pool.query<RowDataPacket[]>('SELECT MAX(version) AS v FROM schema_migrations');
      if (Number(rows[0]?.v ?? 0) >= SCHEMA_VERSION) return { status: 'ready' };
      return await reply.code(503).send({ status: 'waiting for the database schema' });
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ER_NO_SUCH_TABLE')
        return reply.code(503).send({ status: 'waiting for the database schema' });
      req.log.warn({ err }, 'database not reachable');
      return reply.code(503).send({ status: 'database unreachable' });
    }
  });
}
