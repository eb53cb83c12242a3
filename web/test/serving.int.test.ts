import type { FastifyInstance } from 'fastify';
import { migrate, type RowDataPacket } from '@enchilada/core';
import { ApiKeys, ModelRegistry, PublishedModels, TutorialMode, hashApiKey } from '@enchilada/models';
import {
  DATASETS_DIR,
  MIGRATIONS_DIR,
  TEST_PASSWORD,
  TEST_USER,
  WEB_DIR,
  createTestDb,
  type TestDb,
} from '@enchilada/test-support';
import { buildApp } from '../src/app.js';
import { Browser, PASSWORDS, createEditors, insertPlaceholderModel } from './helpers.js';

// Each sign-in hashes once with scrypt at N=2^17 (about 0.9 s on a small CI machine).
jest.setTimeout(60_000);

let db: TestDb;
let app: FastifyInstance;
let admin: Browser;
let user: Browser;
let m1: number;
let m2: number;
let othersModel: number;

async function insertModel(createdBy: number | null, features: string[] = ['a']): Promise<number> {
  return insertPlaceholderModel(db.pool, createdBy, { features });
}

async function userId(name: string): Promise<number> {
  const [rows] = await db.pool.query<RowDataPacket[]>('SELECT id FROM users WHERE username = ?', [name]);
  return Number(rows[0]?.id);
}

beforeAll(async () => {
  db = await createTestDb('web_serving');
  await migrate(db.pool, MIGRATIONS_DIR);
  const config = db.config('web');
  const id = await createEditors(db, config);
  m1 = await insertModel(id('alice'));
  m2 = await insertModel(id('alice'));
  othersModel = await insertModel(id(config.adminUser));
  app = await buildApp({ config, pool: db.pool, webDir: WEB_DIR, datasetsDir: DATASETS_DIR, logger: false });
  admin = new Browser(app);
  await admin.signIn(TEST_USER, TEST_PASSWORD);
  user = new Browser(app);
  await user.signIn('alice', PASSWORDS.alice);
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

describe('publishing', () => {
  it('lets the owner publish a model under a name from its page, then publish another version and roll back', async () => {
    const page = await user.get(`/models/${m1}`);
    expect(page.body).toMatch(/data-testid="publish-form"/);
    const csrf = await user.csrf(`/models/${m1}`);
    const res = await user.post(`/models/${m1}/publish`, { name: 'churn', _csrf: csrf });
    expect(res.statusCode).toBe(303);
    expect((await user.post(`/models/${m2}/publish`, { name: 'churn', _csrf: csrf })).statusCode).toBe(303);
    const list = await user.get('/published');
    expect(list.body).toMatch(/version 2/);
    expect(list.body).toMatch(/Roll back to this/);
    expect((await user.post('/published/churn/rollback', { version: '1', _csrf: csrf })).statusCode).toBe(303);
    const now = await new PublishedModels(db.pool).list();
    expect(now).toEqual([expect.objectContaining({ name: 'churn', modelId: m1, version: 3 })]);
  });

  it("refuses a bad name (400 naming the field), someone else's model (403) and a missing CSRF token", async () => {
    const csrf = await user.csrf(`/models/${m1}`);
    const bad = await app.inject({
      method: 'POST',
      url: `/models/${m1}/publish`,
      payload: { name: 'Bad Name!', _csrf: csrf },
      headers: { cookie: user.cookieHeader, accept: 'application/json' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe('name');
    expect((await user.post(`/models/${othersModel}/publish`, { name: 'x', _csrf: csrf })).statusCode).toBe(403);
    expect((await user.post(`/models/${m1}/publish`, { name: 'nocsrf' })).statusCode).toBe(403);
    expect((await new PublishedModels(db.pool).list()).map((n) => n.name)).toEqual(['churn']);
  });
});

describe('published names are owned', () => {
  it('refuses a second editor publishing their own model under an administrator\'s name (the "bc" hijack)', async () => {
    const csrf = await admin.csrf(`/models/${othersModel}`);
    expect((await admin.post(`/models/${othersModel}/publish`, { name: 'bc', _csrf: csrf })).statusCode).toBe(303);
    const token = await user.csrf(`/models/${m1}`);
    const res = await user.post(`/models/${m1}/publish`, { name: 'bc', _csrf: token }, { accept: 'application/json' });
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toMatch(/belongs to the person who first published it/);
    expect((await new PublishedModels(db.pool).list()).find((n) => n.name === 'bc')).toEqual(
      expect.objectContaining({ modelId: othersModel, version: 1 }),
    );
  });

  it("lets only the name's owner or an administrator roll it back", async () => {
    const bob = new Browser(app);
    await bob.signIn('bob', 'bob-password-1234');
    const bobs = await insertModel(await userId('bob'));
    const bobs2 = await insertModel(await userId('bob'));
    const token = await bob.csrf(`/models/${bobs}`);
    await bob.post(`/models/${bobs}/publish`, { name: 'bobs', _csrf: token });
    await bob.post(`/models/${bobs2}/publish`, { name: 'bobs', _csrf: token });
    const csrf = await user.csrf('/published');
    expect(
      (await user.post('/published/bobs/rollback', { version: '1', _csrf: csrf }, { accept: 'application/json' }))
        .statusCode,
    ).toBe(403);
    expect((await user.get('/published')).body).not.toContain('action="/published/bobs/rollback"');
    expect(
      (await admin.post('/published/bobs/rollback', { version: '1', _csrf: await admin.csrf('/published') }))
        .statusCode,
    ).toBe(303);
    expect((await new PublishedModels(db.pool).list()).find((n) => n.name === 'bobs')).toEqual(
      expect.objectContaining({ modelId: bobs, version: 3, ownerId: await userId('bob') }),
    );
  });

  it('asks before a model with other columns takes over a name (409 saying what changes) and publishes once confirmed', async () => {
    const wider = await insertModel(await userId('alice'), ['a', 'b']);
    const csrf = await user.csrf(`/models/${wider}`);
    const json = await user.post(
      `/models/${wider}/publish`,
      { name: 'churn', _csrf: csrf },
      { accept: 'application/json' },
    );
    expect(json.statusCode).toBe(409);
    expect(json.json().message).toContain('new column clients must send: "b"');
    const page = await user.post(`/models/${wider}/publish`, { name: 'churn', _csrf: csrf });
    expect(page.statusCode).toBe(409);
    expect(page.body).toContain('data-testid="confirm-publish"');
    expect(page.body).toContain('name="confirm" value="yes"');
    expect((await new PublishedModels(db.pool).list()).find((n) => n.name === 'churn')?.modelId).toBe(m1);
    expect(
      (await user.post(`/models/${wider}/publish`, { name: 'churn', confirm: 'yes', _csrf: csrf })).statusCode,
    ).toBe(303);
    expect((await new PublishedModels(db.pool).list()).find((n) => n.name === 'churn')?.modelId).toBe(wider);
  });
});

describe('deleting a model', () => {
  it('refuses a model a name serves now (409, nothing deleted) and deletes it once another is published there', async () => {
    const [u] = await db.pool.query<RowDataPacket[]>("SELECT id FROM users WHERE username = 'alice'");
    const m3 = await insertModel(Number(u[0].id));
    const csrf = await user.csrf(`/models/${m3}`);
    expect((await user.post(`/models/${m3}/publish`, { name: 'live-one', _csrf: csrf })).statusCode).toBe(303);
    const page = await user.get(`/models/${m3}`);
    expect(page.body).toMatch(/data-testid="live-as"/);
    expect(page.body).not.toContain(`action="/models/${m3}/delete"`);
    const refused = await app.inject({
      method: 'POST',
      url: `/models/${m3}/delete`,
      payload: { _csrf: csrf },
      headers: { cookie: user.cookieHeader, accept: 'application/json' },
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toMatch(/live as "live-one"/);
    expect(await new ModelRegistry(db.pool).get(m3)).not.toBeNull();
    // Another model takes the name; m3 stays in its history and can now go.
    expect((await user.post(`/models/${m1}/publish`, { name: 'live-one', _csrf: csrf })).statusCode).toBe(303);
    expect((await user.get(`/models/${m3}`)).body).toContain(`action="/models/${m3}/delete"`);
    expect((await user.post(`/models/${m3}/delete`, { _csrf: csrf })).statusCode).toBe(303);
    expect(await new ModelRegistry(db.pool).get(m3)).toBeNull();
    // Rolling back to the deleted version says so.
    const back = await app.inject({
      method: 'POST',
      url: '/published/live-one/rollback',
      payload: { version: 1, _csrf: csrf },
      headers: { cookie: user.cookieHeader, accept: 'application/json' },
    });
    expect(back.statusCode).toBe(404);
    expect(back.json().message).toMatch(/was deleted/);
    expect((await user.post(`/models/${m3}/delete`, { _csrf: csrf })).statusCode).toBe(404);
    expect((await user.post(`/models/${othersModel}/delete`, { _csrf: csrf })).statusCode).toBe(403);
  });
});

describe('API keys page', () => {
  it('is for administrators only', async () => {
    expect((await user.get('/api-keys')).statusCode).toBe(403);
  });

  it('creates a key shown once and stored as its hash, scoped to a name, and revokes it', async () => {
    const csrf = await admin.csrf('/api-keys');
    const res = await admin.post('/api-keys', { label: 'crm', scope: 'churn', _csrf: csrf });
    expect(res.statusCode).toBe(200);
    const key = /data-testid="new-key-value">([^<]+)</.exec(res.body)?.[1] ?? '';
    expect(key).toMatch(/^ek_[A-Za-z0-9_-]{43}$/);
    const keys = await new ApiKeys(db.pool).all();
    expect(keys).toEqual([
      expect.objectContaining({ label: 'crm', scope: 'churn', hash: hashApiKey(key), revokedAt: null }),
    ]);
    expect((await admin.get('/api-keys')).body).not.toContain(key);
    expect((await admin.post(`/api-keys/${keys[0].id}/revoke`, { _csrf: csrf })).statusCode).toBe(303);
    expect((await new ApiKeys(db.pool).all())[0].revokedAt).not.toBeNull();
  });
});

/** The text of the element with this data-testid, entities decoded (what the person sees and copies). */
function shown(html: string, testid: string): string {
  const m = new RegExp(`data-testid="${testid}"[^>]*>([^<]*)<`).exec(html);
  return (m?.[1] ?? '')
    .replace(/&#34;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

describe('tutorial mode on the Published page', () => {
  it("lets an administrator choose the name, shows the tutorial's exact curl lines for it, and turn it off", async () => {
    const csrf = await admin.csrf('/published');
    expect((await admin.get('/published')).body).toMatch(/data-testid="tutorial-form"/);
    expect((await admin.post('/published/tutorial', { name: 'churn', _csrf: csrf })).statusCode).toBe(303);
    expect(await new TutorialMode(db.pool).get()).toMatchObject({ chosen: true, name: 'churn' });
    const page = (await admin.get('/published')).body;
    expect(shown(page, 'tutorial-name')).toBe('churn');
    // inject's host is localhost; serve's port is SERVE_PORT (8000 by default). "churn" now serves a model of columns a and b (above) trained before input contracts: zeros.
    expect(shown(page, 'tutorial-predict')).toBe(
      'curl -X POST -H "Content-Type: application/json" -d \'{"id": 0, "observation": {"a": 0, "b": 0}}\' http://localhost:8000/predict',
    );
    expect(shown(page, 'tutorial-update')).toBe(
      'curl -X POST -H "Content-Type: application/json" -d \'{"id": 0, "true_class": 1}\' http://localhost:8000/update',
    );
    expect(page).toContain('href="http://localhost:8000/docs"');

    expect((await admin.post('/published/tutorial', { name: '', _csrf: csrf })).statusCode).toBe(303);
    expect(await new TutorialMode(db.pool).get()).toMatchObject({ chosen: true, name: null });
    const off = (await admin.get('/published')).body;
    expect(shown(off, 'tutorial-name')).toBe('off');
    expect(off).not.toMatch(/data-testid="tutorial-predict"/);
  });

  it('refuses a name nothing is published under (400 naming the field, nothing stored) and anyone but an administrator', async () => {
    const csrf = await admin.csrf('/published');
    const before = await new TutorialMode(db.pool).get();
    const bad = await app.inject({
      method: 'POST',
      url: '/published/tutorial',
      payload: { name: 'nobody', _csrf: csrf },
      headers: { cookie: admin.cookieHeader, accept: 'application/json' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      field: 'name',
      message: expect.stringMatching(/nothing is published under the name "nobody"/),
    });
    const ucsrf = await user.csrf('/published');
    expect((await user.get('/published')).body).not.toMatch(/data-testid="tutorial-form"/);
    expect((await user.post('/published/tutorial', { name: 'churn', _csrf: ucsrf })).statusCode).toBe(403);
    expect(await new TutorialMode(db.pool).get()).toEqual(before);
  });

  it("shows a new API key with a ready curl line for its name and the link to serve's /docs", async () => {
    const csrf = await admin.csrf('/api-keys');
    const res = await admin.post('/api-keys', { label: 'tutorial', scope: 'churn', _csrf: csrf });
    const key = shown(res.body, 'new-key-value');
    expect(key).toMatch(/^ek_/);
    expect(shown(res.body, 'new-key-curl')).toBe(
      `curl -X POST -H "Authorization: Bearer ${key}" -H "Content-Type: application/json" -d '{"id": "example-1", "observation": {"a": 0, "b": 0}}' http://localhost:8000/v1/models/churn/predict`,
    );
    expect(res.body).toMatch(/data-copy="new-key-curl"/);
    expect(res.body).toContain('href="http://localhost:8000/docs"');
  });
});

describe("POST /predict and /update on the web app's port", () => {
  it("tell a tutorial client, signed in or not and without a CSRF token, that the prediction API is on serve's port", async () => {
    for (const [path, payload] of [
      ['/predict', { id: 0, observation: { a: 1 } }],
      ['/update', { id: 0, true_class: 1 }],
    ] as const) {
      for (const cookie of [undefined, user.cookieHeader]) {
        const res = await app.inject({
          method: 'POST',
          url: path,
          payload,
          headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
        });
        expect(res.statusCode).toBe(421);
        expect(res.json()).toEqual({
          message: expect.stringMatching(
            new RegExp(
              `^this is the web app; the prediction API is serve, on port 8000: POST http://localhost:8000${path} .* Its documentation: http://localhost:8000/docs$`,
            ),
          ),
          code: 'wrong_port',
          predictionApi: 'http://localhost:8000',
          docs: 'http://localhost:8000/docs',
        });
      }
    }
  });
});

describe('Predictions page', () => {
  beforeAll(async () => {
    const p = new (await import('@enchilada/models')).Predictions(db.pool);
    await p.insert([
      {
        modelName: 'churn',
        modelId: m1,
        version: 1,
        clientId: 'a-1',
        observation: '{"a":1}',
        output: '{"prediction":"1","probabilities":{"0":0.2,"1":0.8}}',
        latencyMs: 0.5,
      },
      {
        modelName: 'churn',
        modelId: m1,
        version: 1,
        clientId: '=cmd()',
        observation: '{"a":2}',
        output: '{"prediction":"0","probabilities":{"0":0.9,"1":0.1}}',
        latencyMs: 0.7,
      },
      {
        modelName: 'other',
        modelId: m2,
        version: 1,
        clientId: 'b-1',
        observation: '{"a":3}',
        output: '{"prediction":"0"}',
        latencyMs: 0.4,
      },
    ]);
    await p.setOutcome('churn', 'a-1', '1', false);
  });

  it('lists and filters predictions by name and outcome', async () => {
    const all = await user.get('/predictions');
    expect(all.statusCode).toBe(200);
    expect(all.body).toContain('a-1');
    expect(all.body).toContain('b-1');
    const filtered = await user.get('/predictions?name=churn&outcome=with');
    expect(filtered.body).toContain('a-1');
    expect(filtered.body).not.toContain('b-1');
    expect(filtered.body).not.toContain('=cmd()');
    expect((await user.get('/predictions?outcome=nonsense', 'application/json')).statusCode).toBe(400);
    // The filter form as a browser submits it: blank dates are sent empty and mean no bound.
    const form = await user.get('/predictions?name=churn&from=&to=&outcome=with');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('a-1');
    expect(form.body).not.toContain('b-1');
    const today = new Date().toISOString().slice(0, 10);
    expect((await user.get(`/predictions?from=${today}&to=`)).body).toContain('b-1');
    expect((await user.get('/predictions?from=2001-01-01&to=2001-01-31')).body).toContain('No predictions match');
    expect((await user.get('/predictions?from=yesterday', 'application/json')).statusCode).toBe(400);
    expect((await user.get('/predictions.csv?name=&from=&to=&outcome=any', 'text/csv')).statusCode).toBe(200);
  });

  it('exports the filtered predictions as CSV, defusing formula-like text', async () => {
    const res = await user.get('/predictions.csv?name=churn', 'text/csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    const lines = res.body.trim().split('\n');
    expect(lines[0]).toBe(
      'row_id,model_name,version,model_id,id,created_at,prediction,probabilities,outcome,outcome_at,latency_ms,observation',
    );
    expect(lines).toHaveLength(3);
    expect(res.body).toContain(",'=cmd(),");
    expect(res.body).not.toContain('b-1');
  });

  it('shows each observation as a row with one column per feature, a page of the chosen size at a time', async () => {
    const p = new (await import('@enchilada/models')).Predictions(db.pool);
    await p.insert(
      Array.from({ length: 30 }, (_, i) => ({
        modelName: 'paged',
        modelId: m1,
        version: 1,
        clientId: `pg-${i}`,
        observation: JSON.stringify({ width: i + 0.5, colour: i % 2 ? 'red' : 'blue', note: null }),
        output: '{"prediction":"1"}',
        latencyMs: 0.3,
      })),
    );
    const first = await user.get('/predictions?name=paged&size=25');
    expect(first.statusCode).toBe(200);
    for (const f of ['width', 'colour', 'note']) expect(first.body).toContain(`data-feature="${f}"`);
    const rowsOf = (html: string) => (html.split('<tbody>')[1]?.split('</tbody>')[0]?.match(/<tr>/g) ?? []).length;
    expect(rowsOf(first.body)).toBe(25);
    expect(first.body).toMatch(/rows 1–25 of 30 · page 1 of 2/);
    // values in their columns, not a JSON blob; the newest first
    expect(first.body).toMatch(/<td class="text-end">29\.5<\/td><td class="">red<\/td><td class="">—<\/td>/);
    expect(first.body).not.toContain('{&#34;width&#34;');
    // the paging links keep the filter and the page size
    expect(first.body).toContain('href="/predictions?name=paged&amp;size=25&amp;page=2"');
    const second = await user.get('/predictions?name=paged&size=25&page=2');
    expect(rowsOf(second.body)).toBe(5);
    expect(second.body).toContain('pg-0<');
    expect(second.body).toMatch(/rows 26–30 of 30 · page 2 of 2/);
    expect((await user.get('/predictions?size=7', 'application/json')).statusCode).toBe(400);
  });

  it("names the predicted and observed classes as the model's dataset names them, with their values; unnamed classes stay values", async () => {
    const p = new (await import('@enchilada/models')).Predictions(db.pool);
    const named = await insertPlaceholderModel(db.pool, null, { classLabels: { 0: 'malignant', 1: 'benign' } });
    await p.insert([
      {
        modelName: 'labelled',
        modelId: named,
        version: 1,
        clientId: 'lb-1',
        observation: '{"a":1}',
        output: '{"prediction":"1","probabilities":{"0":0.25,"1":0.75}}',
        latencyMs: 0.5,
      },
      {
        modelName: 'labelled',
        modelId: m1,
        version: 2,
        clientId: 'lb-2',
        observation: '{"a":2}',
        output: '{"prediction":"0","probabilities":{"0":0.6,"1":0.4}}',
        latencyMs: 0.5,
      },
    ]);
    await p.setOutcome('labelled', 'lb-1', '0', false);
    const page = await user.get('/predictions?name=labelled');
    expect(page.statusCode).toBe(200);
    const cells = (testid: string) =>
      [...page.body.matchAll(new RegExp(`data-testid="${testid}">([^<]*)`, 'g'))].map((m) => m[1]?.trim());
    // newest first: m1 (no names) answered lb-2, the named model lb-1
    expect(cells('prediction-class')).toEqual(['0', 'benign (1)']);
    expect(cells('prediction-outcome')).toEqual(['—', 'malignant (0)']);
    expect(page.body).toContain('title="probabilities: malignant (0) 0.250, benign (1) 0.750">· 0.750</span>');
  });
});

describe('GET filter forms', () => {
  it('treat a blank field as not given, as a browser submits "all" (was 400 from the schema)', async () => {
    const all = await user.get('/models?dataset=');
    expect(all.statusCode).toBe(200);
    expect(all.body).toContain(`/models/${m1}`);
    expect((await user.get('/models?dataset=1')).statusCode).toBe(200);
    expect((await user.get('/models?dataset=abc', 'application/json')).statusCode).toBe(400);
    expect((await user.get('/published/churn/monitor?hours=')).statusCode).toBe(200);
  });
});

describe('Monitoring page', () => {
  it('embeds the monitoring document of a published name with the chosen window', async () => {
    const res = await user.get('/published/churn/monitor?hours=24');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('data-bokeh-src="/viz/documents/monitoring?name=churn&hours=24"');
    expect((await user.get('/published/nope/monitor')).statusCode).toBe(404);
    const { documentClaim } = await import('../src/plugins/viz-proxy.js');
    expect(documentClaim('/documents/monitoring', { name: 'churn', hours: '24' })).toBe('monitoring:name:churn');
  });
});
