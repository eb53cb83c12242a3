// SERVE_WORKERS=2: a scrape of /metrics reaches one worker at random, and answers the sum over both
// (prom-client's AggregatorRegistry in the primary), not that worker's own half of the counts.
import type { ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import type { TestDb } from '@enchilada/test-support';
import { servingTestDb, spawnServe } from './support.js';

const PORT = 5633;
let db: TestDb;
let proc: ChildProcess | null = null;
let key: string;

/** One request on a connection of its own (no keep-alive), so the cluster hands each to a worker in turn. */
function call(method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: PORT,
        path,
        method,
        agent: false,
        headers: body === undefined ? {} : { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  ({ db, key } = await servingTestDb('serve_cluster_metrics'));
}, 150000);

afterAll(async () => {
  const p = proc;
  if (p && p.exitCode === null) {
    // SIGTERM: the primary stops its workers before it exits (SIGKILL would leave them running).
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10000))]);
    if (p.exitCode === null) p.kill('SIGKILL');
  }
  await db?.drop();
}, 30000);

it('answers every scrape with the predictions of both workers summed', async () => {
  proc = spawnServe(db, PORT, { SERVE_WORKERS: '2' });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  // Both workers answer once each has loaded the published model: wait for several readies in a row.
  let ready = 0;
  for (let i = 0; ready < 6; i++) {
    if (proc.exitCode !== null) throw new Error(`serve exited with ${proc.exitCode}: ${stderr}`);
    try {
      ready = (await call('GET', '/readyz')).status === 200 ? ready + 1 : 0;
    } catch {
      ready = 0;
    }
    if (i > 450) throw new Error(`serve did not become ready within 90 s: ${stderr}`);
    if (ready === 0) await new Promise((r) => setTimeout(r, 200));
  }

  const n = 40;
  for (let i = 0; i < n; i++) {
    const res = await call(
      'POST',
      '/v1/models/m/predict',
      JSON.stringify({ id: `c-${i}`, observation: { a: 0.3, b: -0.2 } }),
    );
    expect(res.status).toBe(200);
  }
  // Each worker answered about half of them; every scrape, whichever worker takes it, says 40.
  for (let i = 0; i < 6; i++) {
    const res = await call('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(new RegExp(`^enchilada_serve_predictions_total\\{model="m",version="1"\\} ${n}$`, 'm'));
    expect(res.text).toMatch(/^# TYPE enchilada_serve_request_duration_seconds histogram$/m);
  }
}, 150000);
