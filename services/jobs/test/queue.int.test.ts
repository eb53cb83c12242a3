import { migrate } from '@enchilada/core';
import { MIGRATIONS_DIR, createTestDb, present, type TestDb } from '@enchilada/test-support';
import { JobQueue, STALE_SECONDS, SWEEP_SECONDS, stalled } from '../src/index.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb('jobs');
  await migrate(db.pool, MIGRATIONS_DIR);
});
afterAll(async () => {
  await db?.drop();
});

describe('job queue', () => {
  it('gives each queued job to exactly one of several concurrent claimers', async () => {
    const q = new JobQueue(db.pool);
    const ids = [];
    for (let i = 0; i < 20; i++)
      ids.push(await q.enqueue({ kind: 'train', spec: { i }, datasetId: null, createdBy: null, total: 5 }));
    const claimed: number[] = [];
    const replica = async (name: string) => {
      for (;;) {
        const job = await q.claim(name, ['train']);
        if (!job) return;
        claimed.push(job.id);
        await q.finish(job.id, { by: name }, null);
      }
    };
    await Promise.all([replica('viz-a'), replica('viz-b'), replica('viz-c')]);
    expect(claimed.sort((a, b) => a - b)).toEqual(ids);
    for (const id of ids) expect((await q.get(id))?.status).toBe('done');
  });

  it('records progress and passes a cancellation request to the worker', async () => {
    const q = new JobQueue(db.pool);
    const id = await q.enqueue({ kind: 'train', spec: {}, datasetId: null, createdBy: null, total: 10 });
    const job = await q.claim('viz-a', ['train']);
    expect(job?.id).toBe(id);
    expect(await q.progress(id, 3, 10, 'fitting')).toBe(false);
    expect(await q.requestCancel(id)).toBe(true);
    expect(await q.progress(id, 4, 10, 'fitting')).toBe(true);
    await q.markCancelled(id);
    const after = await q.get(id);
    expect([after?.status, after?.done]).toEqual(['cancelled', 4]);
    expect(await q.requestCancel(id)).toBe(false);
  });

  it('cancels a queued job at once, so no worker takes it', async () => {
    const q = new JobQueue(db.pool);
    const id = await q.enqueue({ kind: 'train', spec: {}, datasetId: null, createdBy: null, total: 1 });
    expect(await q.requestCancel(id)).toBe(true);
    expect(await q.claim('viz-a', ['train'])).toBeNull();
    expect((await q.get(id))?.status).toBe('cancelled');
  });

  it('fails a running job whose worker stopped beating, with the reason', async () => {
    const q = new JobQueue(db.pool);
    const id = await q.enqueue({ kind: 'train', spec: {}, datasetId: null, createdBy: null, total: 1 });
    await q.claim('viz-dead', ['train']);
    await db.pool.query('UPDATE jobs SET heartbeat_at = CURRENT_TIMESTAMP(3) - INTERVAL 5 MINUTE WHERE id = ?', [id]);
    expect(await q.failStale(30)).toBe(1);
    const job = await q.get(id);
    expect(job?.status).toBe('failed');
    expect(job?.error).toMatch(/interrupted/);
  });

  it('says a running job whose worker has been silent for 12 s is stalled, and within how many seconds the sweeper will fail it', async () => {
    const q = new JobQueue(db.pool);
    const id = await q.enqueue({ kind: 'train', spec: {}, datasetId: null, createdBy: null, total: 1 });
    const claimed = await q.claim('viz-dying', ['train']);
    expect(claimed && stalled(claimed)).toBeNull();
    await q.heartbeat(id);
    expect(stalled(present(await q.get(id), 'the job'))).toBeNull();
    await db.pool.query('UPDATE jobs SET heartbeat_at = CURRENT_TIMESTAMP(3) - INTERVAL 12 SECOND WHERE id = ?', [id]);
    const job = present(await q.get(id), 'the job');
    expect(job.silentSeconds).toBeGreaterThanOrEqual(12);
    expect(job?.silentSeconds).toBeLessThan(14);
    // not yet failed: 18 s to the threshold, plus at most one sweep interval
    expect(await q.failStale()).toBe(0);
    expect(stalled(job)).toEqual({
      silentSeconds: 12,
      failsWithinSeconds: Math.ceil(STALE_SECONDS - present(job.silentSeconds) + SWEEP_SECONDS),
    });
    expect(stalled(job)?.failsWithinSeconds).toBeGreaterThanOrEqual(26);
    expect(stalled(job)?.failsWithinSeconds).toBeLessThanOrEqual(28);
    // once failed, it is no longer stalled
    await db.pool.query('UPDATE jobs SET heartbeat_at = CURRENT_TIMESTAMP(3) - INTERVAL 31 SECOND WHERE id = ?', [id]);
    expect(await q.failStale()).toBe(1);
    const failed = await q.get(id);
    expect([failed?.status, failed?.silentSeconds, stalled(present(failed, 'the job'))]).toEqual([
      'failed',
      null,
      null,
    ]);
  });

  it('puts a job claimed by a stopping worker back in the queue, for the next claimer', async () => {
    const q = new JobQueue(db.pool);
    const id = await q.enqueue({ kind: 'train', spec: {}, datasetId: null, createdBy: null, total: 1 });
    expect((await q.claim('viz-stopping', ['train']))?.id).toBe(id);
    await q.unclaim(id);
    const back = await q.get(id);
    expect([back?.status, back?.worker, back?.startedAt, back?.message]).toEqual([
      'queued',
      null,
      null,
      'waiting for a worker',
    ]);
    expect((await q.claim('viz-b', ['train']))?.worker).toBe('viz-b');
  });
});
