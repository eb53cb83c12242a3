// A training job's progress as server-sent events, for the token that names the job.
import type { FastifyInstance } from 'fastify';
import { jobClaim } from '@enchilada/core';
import type { JobQueue } from '@enchilada/jobs';
import { streamJob } from '../training/events.js';
import { idParams } from './schemas.js';

export function jobRoutes(app: FastifyInstance, queue: JobQueue): void {
  app.get(
    '/jobs/:id/events',
    {
      config: { doc: (req) => jobClaim((req.params as { id?: unknown }).id) },
      schema: { params: idParams },
    },
    async (req, reply) => streamJob(queue, (req.params as { id: number }).id, req, reply),
  );
}
