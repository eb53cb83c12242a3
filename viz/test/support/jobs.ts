// Shared by viz's tests of queued jobs: a logger that says nothing, and waiting for a job to end.
import type { FastifyBaseLogger } from 'fastify';
import type { Job, JobQueue } from '@enchilada/jobs';

export const quiet = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
} as unknown as FastifyBaseLogger;

/** The job once it is done, failed or cancelled; throws (with where it stands) after `ms`. */
export async function waitFinal(q: JobQueue, id: number, ms = 90_000): Promise<Job> {
  const end = Date.now() + ms;
  for (;;) {
    const j = await q.get(id);
    if (j && ['done', 'failed', 'cancelled'].includes(j.status)) return j;
    if (Date.now() > end)
      throw new Error(`job ${id} still ${j?.status} (${j?.message}, ${j?.done} of ${j?.total}) after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
