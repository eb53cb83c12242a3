import jwt from 'jsonwebtoken';
import type { FastifyInstance } from 'fastify';
import { migrate, secret, signVizToken } from '@enchilada/core';
import { MIGRATIONS_DIR, createTestDb, type TestDb } from '@enchilada/test-support';
import { buildApp } from '../src/app.js';

let db: TestDb;
let app: FastifyInstance;
let key: ReturnType<typeof secret>;

beforeAll(async () => {
  db = await createTestDb('viz');
  const config = db.config('viz');
  key = secret(config, 'viz_secret_key');
  app = await buildApp({ config, pool: db.pool, logger: false });
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const get = (token?: string, url = '/documents/overview') =>
  app.inject({ url, headers: token ? { authorization: `Bearer ${token}` } : {} });

interface Rep {
  type?: string;
  name?: string;
  attributes?: Record<string, unknown>;
}
function models(item: { doc: { roots: unknown[] } }): Rep[] {
  const out: Rep[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const r = v as Rep;
      if (r.type === 'object' && r.name) out.push(r);
      Object.values(v).forEach(walk);
    }
  };
  walk(item.doc.roots);
  return out;
}

describe('viz token check', () => {
  it.each([
    ['no token', () => undefined, 'missing token'],
    [
      'an expired token',
      () =>
        jwt.sign({ doc: 'overview' }, key.reveal(), {
          algorithm: 'HS256',
          audience: 'viz',
          issuer: 'enchilada-web',
          subject: 'a',
          expiresIn: -5,
        }),
      'token expired',
    ],
    ['a tampered token', () => signVizToken({ sub: 'a', doc: 'overview' }, key).slice(0, -3) + 'abc', 'invalid token'],
    [
      'a token for another audience',
      () =>
        jwt.sign({ doc: 'overview' }, key.reveal(), {
          algorithm: 'HS256',
          audience: 'web',
          issuer: 'enchilada-web',
          subject: 'a',
          expiresIn: 60,
        }),
      'token is for another audience',
    ],
    [
      'a token for another document',
      () => signVizToken({ sub: 'a', doc: 'eda:1' }, key),
      'token does not grant overview',
    ],
  ])('answers 401 with a JSON message to %s', async (_what, make, message) => {
    const res = await get(make());
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ message });
  });

  it('serves the overview to a valid token', async () => {
    const res = await get(signVizToken({ sub: 'a', doc: 'overview' }, key));
    expect(res.statusCode).toBe(200);
  });
});

describe('readiness', () => {
  it('answers /readyz with 503 until the database holds the schema, then 200, without a token', async () => {
    const own = await createTestDb('viz_ready');
    const ready = await buildApp({ config: own.config('viz'), pool: own.pool, logger: false });
    try {
      const before = await ready.inject({ url: '/readyz' });
      expect(before.statusCode).toBe(503);
      expect(before.json()).toEqual({ status: 'waiting for the database schema' });
      await migrate(own.pool, MIGRATIONS_DIR);
      const after = await ready.inject({ url: '/readyz' });
      expect(after.statusCode).toBe(200);
      expect(after.json()).toEqual({ status: 'ready' });
    } finally {
      await ready.close();
      await own.drop();
    }
  });
});

describe('overview document', () => {
  it('says clearly that there is no dataset yet', async () => {
    await migrate(db.pool, MIGRATIONS_DIR);
    const item = (await get(signVizToken({ sub: 'a', doc: 'overview' }, key))).json();
    const divs = models(item)
      .filter((m) => m.name === 'Div')
      .map((m) => String(m.attributes?.text));
    expect(divs.join(' ')).toMatch(/holds no datasets yet/);
    // an empty frame, no bars
    expect(models(item).some((m) => m.name === 'HBar')).toBe(false);
    expect(JSON.stringify(item)).toContain('Rows per dataset (none yet)');
  });

  it("shows each dataset by name and title with its row count as bars and a table, and none of the application's own tables", async () => {
    const { ToyDatasets } = await import('@enchilada/data');
    const { DATASETS_DIR } = await import('@enchilada/test-support');
    const toys = new ToyDatasets(DATASETS_DIR);
    const wine = await toys.load(db.pool, 'wine', null);
    await toys.load(db.pool, 'iris', null);
    await db.pool.query('CREATE TABLE sample_rows (id INT PRIMARY KEY)');
    const item = (await get(signVizToken({ sub: 'a', doc: 'overview' }, key))).json();
    expect(item.root_id).toBe(item.doc.roots[0].id);
    const data = models(item).filter((m) => m.name === 'ColumnDataSource')[0].attributes?.data as {
      table: string[];
      holds: string[];
      rows: number[];
    };
    const counts = Object.fromEntries(data.table.map((t, i) => [t, data.rows[i]]));
    expect(counts).toEqual({ wine: 178, iris: 150 });
    expect(data.holds[data.table.indexOf('wine')]).toBe(`dataset wine: ${wine.title}`);
    // smallest at the bottom of the bars, so the largest reads first
    expect(data.table).toEqual(['iris', 'wine']);
    const names = new Set(models(item).map((m) => m.name));
    for (const n of ['Plot', 'HBar', 'DataTable', 'HoverTool']) expect(names.has(n)).toBe(true);
    const text = JSON.stringify(item);
    for (const own of ['schema_migrations', 'rate_windows', 'dataset_loads', 'sample_rows', wine.tableName])
      expect(text).not.toContain(`"${own}"`);
  });
});

describe('EDA document', () => {
  it('is refused to a token naming another dataset, and served to the right one', async () => {
    const { ToyDatasets } = await import('@enchilada/data');
    const { DATASETS_DIR } = await import('@enchilada/test-support');
    const ds = await new ToyDatasets(DATASETS_DIR).load(db.pool, 'iris', null);
    const wrong = await get(
      signVizToken({ sub: 'a', doc: `eda:${ds.id + 1}` }, key),
      `/documents/eda?dataset=${ds.id}`,
    );
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().message).toBe(`token does not grant eda:${ds.id}`);
    const overviewToken = await get(
      signVizToken({ sub: 'a', doc: 'overview' }, key),
      `/documents/eda?dataset=${ds.id}`,
    );
    expect(overviewToken.statusCode).toBe(401);
    const ok = await get(signVizToken({ sub: 'a', doc: `eda:${ds.id}` }, key), `/documents/eda?dataset=${ds.id}`);
    expect(ok.statusCode).toBe(200);
    const names = new Set(models(ok.json()).map((m) => m.name));
    for (const n of ['Tabs', 'TabPanel', 'AnnularWedge', 'Select', 'CustomJS', 'GridPlot', 'Quad', 'HBar'])
      expect(names.has(n)).toBe(true);
    const titles = models(ok.json())
      .filter((m) => m.name === 'TabPanel')
      .map((m) => m.attributes?.title);
    expect(titles).toEqual(['Summary', 'Feature importance', 'Crossfilter', 'Grid plot']);
  });

  it('answers 404 for a dataset that does not exist', async () => {
    const res = await get(signVizToken({ sub: 'a', doc: 'eda:999999' }, key), '/documents/eda?dataset=999999');
    expect(res.statusCode).toBe(404);
  });
});
