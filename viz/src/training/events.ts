// Server-Sent Events of one job's progress: the row is re-read every half second and sent when it
// changed, until the job is over or the browser goes away.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FINAL, stalled, type JobQueue, type Job } from '@enchilada/jobs';

export function jobView(j: Job) {
  return {
    id: j.id,
    status: j.status,
    done: j.done,
    total: j.total,
    message: j.message,
    error: j.error,
    result: j.result,
    modelId: j.modelId,
    startedAt: j.startedAt,
    finishedAt: j.finishedAt,
    createdAt: j.createdAt,
    elapsedMs: j.startedAt ? (j.finishedAt ?? new Date()).getTime() - j.startedAt.getTime() : 0,
    stalled: stalled(j),
  };
}

export async function streamJob(
  queue: JobQueue,
  id: number,
  req: FastifyRequest,
  reply: FastifyReply,
  intervalMs = 500,
): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let open = true;
  req.raw.on('close', () => {
    open = false;
  });
  let last = '';
  let idle = 0;
  while (open) {
    const job = await queue.get(id);
    if (!job) {
      res.write(`event: gone\ndata: {}\n\n`);
      break;
    }
    const text = JSON.stringify(jobView(job));
    if (text !== last) {
      res.write(`data: ${text}\n\n`);
      last = text;
      idle = 0;
    } else if (++idle % 30 === 0) res.write(': keep-alive\n\n');
    if (FINAL.includes(job.status)) break;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  res.end();
}
