import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createPool, type Pool, type RowDataPacket } from '@enchilada/core';
import { ApiKeys, hashApiKey } from '@enchilada/models';
import { servingTestDb } from './support.js';
import type { TestDb } from '@enchilada/test-support';
import { buildApp } from '../src/app.js';

// A TCP proxy in front of the database, so a test can take "the database" down and up again.
class Proxy {
  private server: Server | null = null;
  private sockets = new Set<Socket>();
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}
  async up(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }
  async down(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }
}

let db: TestDb;
let proxy: Proxy;
let pool: Pool;
let app: FastifyInstance;
let key: string;

beforeAll(async () => {
  ({ db, key } = await servingTestDb('serve_outage'));
  await new ApiKeys(db.pool).create('k2', null, null);
  const cfg = db.config('serve', { SERVE_POLL_MS: '100', SERVE_RATE_LIMIT: '1000' });
  proxy = new Proxy({ host: cfg.mysql.host, port: cfg.mysql.port });
  await proxy.up();
  const viaProxy = db.config('serve', {
    SERVE_POLL_MS: '100',
    SERVE_RATE_LIMIT: '1000',
    MYSQL_HOST: '127.0.0.1',
    MYSQL_PORT: String(proxy.port),
  });
  pool = createPool(viaProxy.mysql, { connectionLimit: 4 });
  app = await buildApp({ config: viaProxy, pool, logger: false });
  await app.ready();
}, 60000);

afterAll(async () => {
  await app?.close();
  await pool?.end().catch(() => undefined);
  await proxy?.down();
  await db?.drop();
});

const predict = (id: string, k = key) =>
  app.inject({
    method: 'POST',
    url: '/v1/models/m/predict',
    headers: { authorization: `Bearer ${k}` },
    payload: { id, observation: { a: 0.5, b: 0.1 } },
  });
const stored = async (id: string) => {
  const [r] = await db.pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM predictions WHERE client_id = ?', [id]);
  return Number(r[0].n);
};

it('answers 503 and acknowledges nothing while the database is down, and recovers when it is back', async () => {
  expect((await predict('before')).statusCode).toBe(200);
  await proxy.down();
  const down = await predict('during');
  expect(down.statusCode).toBe(503);
  expect(down.json().message).toMatch(/database is unavailable/);
  expect((await app.inject('/readyz')).statusCode).toBe(503);
  await proxy.up();
  expect(await stored('during')).toBe(0);
  let res = await predict('after');
  for (let i = 0; i < 20 && res.statusCode !== 200; i++) {
    await new Promise((r) => setTimeout(r, 100));
    res = await predict(`after-${i}`);
  }
  expect(res.statusCode).toBe(200);
  expect((await app.inject('/readyz')).statusCode).toBe(200);
});

it('answers 503, not 401 or 404, when started while the database is unreachable, until it has read its state once', async () => {
  const dead = new Proxy({ host: '127.0.0.1', port: 1 });
  await dead.up();
  const port = dead.port;
  await dead.down();
  // Nothing listens on `port` yet: serve starts with the database unreachable.
  const cfg = db.config('serve', {
    SERVE_POLL_MS: '100',
    SEED_MODEL_NAME: 'm',
    MYSQL_HOST: '127.0.0.1',
    MYSQL_PORT: String(port),
  });
  const deadPool = createPool(cfg.mysql, { connectionLimit: 2 });
  const cold = await buildApp({ config: cfg, pool: deadPool, logger: false });
  await cold.ready();
  const later = new Proxy({ host: db.config('serve').mysql.host, port: db.config('serve').mysql.port });
  try {
    for (const [url, headers, payload] of [
      ['/v1/models/m/predict', { authorization: `Bearer ${key}` }, { id: 'cold-1', observation: { a: 0.5, b: 0.1 } }],
      [
        '/v1/models/m/predict',
        { authorization: 'Bearer ek_not-a-key' },
        { id: 'cold-2', observation: { a: 0.5, b: 0.1 } },
      ],
      ['/predict', {}, { id: 'cold-3', observation: { a: 0.5, b: 0.1 } }],
    ] as const) {
      const res = await cold.inject({ method: 'POST', url, headers, payload });
      expect(res.statusCode).toBe(503);
      expect(res.json().message).toMatch(/has not yet read the published models/);
    }
    // The database comes up where serve looks for it: the first request after works.
    later.port = port;
    await later.up();
    const res = await cold.inject({
      method: 'POST',
      url: '/v1/models/m/predict',
      headers: { authorization: `Bearer ${key}` },
      payload: { id: 'cold-4', observation: { a: 0.5, b: 0.1 } },
    });
    expect(res.statusCode).toBe(200);
    expect((await stored('cold-1')) + (await stored('cold-2')) + (await stored('cold-3'))).toBe(0);
  } finally {
    await cold.close();
    await deadPool.end().catch(() => undefined);
    await later.down();
  }
}, 30000);

it('rate-limits per key: one key over its limit gets 429, another key is unaffected', async () => {
  // Fresh keys: the limit is shared through the database, so other tests' requests would count.
  const limited = (await new ApiKeys(db.pool).create('limited', null, null)).key;
  const other = (await new ApiKeys(db.pool).create('other', null, null)).key;
  const app2 = await buildApp({
    config: db.config('serve', { SERVE_RATE_LIMIT: '3', SERVE_POLL_MS: '100' }),
    pool: db.pool,
    logger: false,
  });
  await app2.ready();
  try {
    await waitForKey(app2, other);
    const call = (id: string, k: string) =>
      app2.inject({
        method: 'POST',
        url: '/v1/models/m/predict',
        headers: { authorization: `Bearer ${k}` },
        payload: { id, observation: { a: 1, b: 1 } },
      });
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await call(`rl-${i}`, limited)).statusCode);
    expect(codes).toEqual([200, 200, 200, 429]);
    expect((await call('rl-other', other)).statusCode).toBe(200);
    expect(await stored('rl-3')).toBe(0);
  } finally {
    await app2.close();
  }
});

it("holds a key's limit across serve processes: the second process counts what the first allowed", async () => {
  const k = (await new ApiKeys(db.pool).create('shared', null, null)).key;
  const config = db.config('serve', { SERVE_RATE_LIMIT: '5', SERVE_POLL_MS: '100' });
  const a = await buildApp({ config, pool: db.pool, logger: false });
  const b = await buildApp({ config, pool: db.pool, logger: false });
  await Promise.all([a.ready(), b.ready()]);
  try {
    await waitForKey(a, k);
    await waitForKey(b, k);
    const call = (app3: FastifyInstance, id: string) =>
      app3.inject({
        method: 'POST',
        url: '/v1/models/m/predict',
        headers: { authorization: `Bearer ${k}` },
        payload: { id, observation: { a: 1, b: 1 } },
      });
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) codes.push((await call(a, `sh-a-${i}`)).statusCode);
    await new Promise((r) => setTimeout(r, 700)); // both processes sync (every 250 ms)
    for (let i = 0; i < 3; i++) codes.push((await call(b, `sh-b-${i}`)).statusCode);
    // Alone, each process would allow all 3 of its own (limit 5); together only 5 of the 6 pass.
    expect(codes).toEqual([200, 200, 200, 200, 200, 429]);
  } finally {
    await a.close();
    await b.close();
  }
});

/** A new app learns keys created after it started on its next poll: wait for it. */
async function waitForKey(app3: FastifyInstance, k: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    await app3.serving.refresh();
    if (app3.serving.key(hashApiKey(k))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the app never learnt the key');
}
