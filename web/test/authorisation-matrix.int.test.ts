// The authorisation matrix: every route the app registers × {no session, viewer, editor (their own
// resources), another editor (someone else's), administrator}, against the expectation below. A
// route missing from the table fails the test, so a new route cannot escape it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { migrate, type RowDataPacket } from '@enchilada/core';
import { Loads, loadDataset, openCsv } from '@enchilada/data';
import { JobQueue } from '@enchilada/jobs';
import { AlertStore, PublishedModels } from '@enchilada/models';
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
import { UserRepository, UserService } from '@enchilada/users';
import { Browser, insertPlaceholderModel } from './helpers.js';

// Each sign-in hashes once with scrypt at N=2^17; the matrix makes about 250 requests.
jest.setTimeout(180_000);

// Another editor comes before the owner, who may delete the resource the row is about.
const CONTEXTS = ['anonymous', 'viewer', 'other editor', 'editor', 'admin'] as const;
type Context = (typeof CONTEXTS)[number];

/**
 * What each kind of route lets each context do. `ok`: past authorisation (any answer but 401, 403
 * or a redirect to sign-in); `login`: 401, or a page's redirect to sign-in; a number: that refusal.
 */
type Outcome = 'ok' | 'login' | 403 | 404;
const RULES = {
  /** No session needed. */
  public: { anonymous: 'ok', viewer: 'ok', editor: 'ok', 'other editor': 'ok', admin: 'ok' },
  /** Anyone signed in: reading, choosing a dataset to look at, one's own password. */
  signedIn: { anonymous: 'login', viewer: 'ok', editor: 'ok', 'other editor': 'ok', admin: 'ok' },
  /** A change open to editors: loading toy datasets, uploading, training. */
  editor: { anonymous: 'login', viewer: 403, editor: 'ok', 'other editor': 'ok', admin: 'ok' },
  /** A change to someone's own work: only they or an administrator. */
  owner: { anonymous: 'login', viewer: 403, editor: 'ok', 'other editor': 403, admin: 'ok' },
  /** Someone's own progress, hidden from others as if it did not exist. */
  ownerHidden: { anonymous: 'login', viewer: 404, editor: 'ok', 'other editor': 404, admin: 'ok' },
  /** Administrators only: people, API keys. */
  admin: { anonymous: 'login', viewer: 403, editor: 403, 'other editor': 403, admin: 'ok' },
} as const satisfies Record<string, Record<Context, Outcome>>;
type Rule = keyof typeof RULES;

/** The editor's work; deleting routes give the administrator a copy of their own to delete. */
interface Resources {
  alertRules: number[];
  dataset: number;
  doomed: number;
  doomedForAdmin: number;
  model: number;
  job: number;
  comparison: number;
  load: string;
  uploads: string[];
  target: number;
  invitation: string;
}
interface Case {
  readonly rule: Rule;
  request(r: Resources, ctx: Context): Omit<InjectOptions, 'headers'> & { json?: boolean };
}

const form = (url: string, fields: Record<string, string> = {}) => ({ method: 'POST' as const, url, payload: fields });
const get = (url: string) => ({ method: 'GET' as const, url });

/** The expectation, one row per route as Fastify registers it (method and URL pattern). */
const EXPECTED: Record<string, Case> = {
  'GET /static/app/*': { rule: 'public', request: () => get('/static/app/app.css') },
  'GET /static/bootstrap/*': { rule: 'public', request: () => get('/static/bootstrap/css/bootstrap.min.css') },
  'GET /static/bokeh/*': { rule: 'public', request: () => get('/static/bokeh/bokeh.min.js') },
  'GET /healthz': { rule: 'public', request: () => get('/healthz') },
  'GET /readyz': { rule: 'public', request: () => get('/readyz') },
  'GET /login': { rule: 'public', request: () => get('/login') },
  'POST /login': { rule: 'public', request: () => form('/login') },
  'POST /logout': { rule: 'public', request: () => form('/logout') },
  'GET /': { rule: 'signedIn', request: () => get('/') },
  'GET /users': { rule: 'admin', request: () => get('/users') },
  'POST /users': { rule: 'admin', request: () => form('/users', { username: 'matrix_new', role: 'viewer' }) },
  'POST /users/invitations': {
    rule: 'admin',
    request: () => form('/users/invitations', { username: 'matrix_invitee', role: 'viewer' }),
  },
  // The administrator's row above made invitation 2 (beforeAll made 1, whose link the public rows use).
  'POST /users/invitations/:id/revoke': { rule: 'admin', request: () => form('/users/invitations/2/revoke') },
  // An invitation link needs no sign-in; the password posted is too short, so the link stays usable for every row.
  'GET /invitations/:token': { rule: 'public', request: (r) => get(`/invitations/${r.invitation}`) },
  'POST /invitations/:token': {
    rule: 'public',
    request: (r) => form(`/invitations/${r.invitation}`, { password: 'short', repeat: 'short' }),
  },
  'POST /users/:id/role': { rule: 'admin', request: (r) => form(`/users/${r.target}/role`, { role: 'viewer' }) },
  'POST /users/:id/deactivate': { rule: 'admin', request: (r) => form(`/users/${r.target}/deactivate`) },
  'POST /users/:id/reactivate': { rule: 'admin', request: (r) => form(`/users/${r.target}/reactivate`) },
  'POST /users/:id/reset': { rule: 'admin', request: (r) => form(`/users/${r.target}/reset`) },
  'GET /account': { rule: 'signedIn', request: () => get('/account') },
  'POST /account/password': {
    rule: 'signedIn',
    request: () => form('/account/password', { current: 'not it', password: 'x'.repeat(12), repeat: 'x'.repeat(12) }),
  },
  'GET /datasets': { rule: 'signedIn', request: () => get('/datasets') },
  'GET /datasets/toy/:name': { rule: 'signedIn', request: () => get('/datasets/toy/iris') },
  'POST /datasets/toy/:name/load': { rule: 'editor', request: () => form('/datasets/toy/iris/load') },
  'GET /datasets/:id': { rule: 'signedIn', request: (r) => get(`/datasets/${r.dataset}`) },
  'GET /datasets/:id/data': { rule: 'signedIn', request: (r) => get(`/datasets/${r.dataset}/data`) },
  'GET /datasets/:id/csv': { rule: 'signedIn', request: (r) => get(`/datasets/${r.dataset}/csv`) },
  'POST /datasets/:id/delete': {
    rule: 'owner',
    request: (r, ctx) => form(`/datasets/${ctx === 'admin' ? r.doomedForAdmin : r.doomed}/delete`),
  },
  'POST /datasets/:id/labels': {
    rule: 'owner',
    request: (r) => form(`/datasets/${r.dataset}/labels`, { 'label:0': 'no', 'label:1': 'yes' }),
  },
  'POST /datasets/current': { rule: 'signedIn', request: () => form('/datasets/current', { dataset: '0' }) },
  'POST /api/uploads': {
    rule: 'editor',
    request: () => ({ method: 'POST', url: '/api/uploads', payload: {}, json: true }),
  },
  'DELETE /api/uploads/:id': {
    rule: 'owner',
    request: (r, ctx) => ({ method: 'DELETE', url: `/api/uploads/${r.uploads[ctx === 'admin' ? 2 : 0]}` }),
  },
  'POST /api/uploads/:id/commit': {
    rule: 'owner',
    request: (r, ctx) => ({
      method: 'POST',
      url: `/api/uploads/${r.uploads[ctx === 'admin' ? 3 : 1]}/commit`,
      json: true,
      payload: {
        name: `matrix_upload_${ctx === 'admin' ? 'a' : 'e'}`,
        title: 'Matrix',
        task: 'classification',
        columns: [
          { name: 'a', type: 'integer', role: 'feature' },
          { name: 'y', type: 'integer', role: 'target' },
        ],
      },
    }),
  },
  'GET /api/loads/:id': { rule: 'ownerHidden', request: (r) => get(`/api/loads/${r.load}`) },
  'GET /explore': { rule: 'signedIn', request: () => get('/explore') },
  'GET /train': { rule: 'signedIn', request: () => get('/train') },
  'POST /api/train': {
    rule: 'editor',
    request: (r) => ({
      method: 'POST',
      url: '/api/train',
      json: true,
      payload: { dataset: r.dataset, model: 'no_such_model', features: ['a'], trainFraction: 0.8 },
    }),
  },
  'GET /api/jobs': { rule: 'signedIn', request: () => get('/api/jobs') },
  'POST /api/compare': {
    rule: 'editor',
    request: (r) => ({
      method: 'POST',
      url: '/api/compare',
      json: true,
      payload: { dataset: r.dataset, budgetMinutes: 0 },
    }),
  },
  'GET /compare/:id': { rule: 'signedIn', request: (r) => get(`/compare/${r.comparison}`) },
  'GET /api/jobs/:id': { rule: 'signedIn', request: (r) => get(`/api/jobs/${r.job}`) },
  'POST /api/jobs/:id/cancel': { rule: 'owner', request: (r) => form(`/api/jobs/${r.job}/cancel`) },
  // the row above cancels the job, which its owner and an administrator then queue again (a queued job would answer 409)
  'POST /api/jobs/:id/retry': { rule: 'owner', request: (r) => form(`/api/jobs/${r.job}/retry`) },
  'GET /results': { rule: 'signedIn', request: () => get('/results') },
  'GET /models': { rule: 'signedIn', request: () => get('/models') },
  'GET /models/:id': { rule: 'signedIn', request: (r) => get(`/models/${r.model}`) },
  'GET /models/:id/onnx': { rule: 'signedIn', request: (r) => get(`/models/${r.model}/onnx`) },
  // the Explain page reads like the results page; its document and the what-if answers come through GET /viz/*
  'GET /explain': { rule: 'signedIn', request: (r) => get(`/explain?model=${r.model}`) },
  'POST /models/:id/delete': { rule: 'owner', request: (r) => form(`/models/${r.model}/delete`) },
  'GET /predictions': { rule: 'signedIn', request: () => get('/predictions') },
  'GET /predictions.csv': { rule: 'signedIn', request: () => get('/predictions.csv') },
  'GET /published': { rule: 'signedIn', request: () => get('/published') },
  'POST /models/:id/publish': { rule: 'owner', request: (r) => form(`/models/${r.model}/publish`, { name: 'edname' }) },
  'GET /published/:name/monitor': { rule: 'signedIn', request: () => get('/published/edname/monitor') },
  'POST /published/:name/rollback': {
    rule: 'owner',
    request: () => form('/published/edname/rollback', { version: '1' }),
  },
  'GET /api/published/:name/alerts': { rule: 'signedIn', request: () => get('/api/published/edname/alerts') },
  'POST /published/:name/alert-rules': {
    rule: 'owner',
    request: () =>
      form('/published/edname/alert-rules', { metric: 'volume', comparison: 'below', threshold: '1', window: '60' }),
  },
  'POST /published/:name/alert-rules/:id': {
    rule: 'owner',
    request: (r) =>
      form(`/published/edname/alert-rules/${r.alertRules[0]}`, {
        metric: 'volume',
        comparison: 'below',
        threshold: '2',
        window: '60',
        enabled: 'true',
      }),
  },
  'POST /published/:name/alert-rules/:id/delete': {
    rule: 'owner',
    request: (r, ctx) => form(`/published/edname/alert-rules/${r.alertRules[ctx === 'admin' ? 2 : 1]}/delete`),
  },
  'POST /published/:name/challenger': {
    rule: 'owner',
    request: (r) => form('/published/edname/challenger', { model: String(r.model) }),
  },
  'POST /published/:name/promote': { rule: 'owner', request: () => form('/published/edname/promote') },
  'POST /published/:name/challenger/remove': {
    rule: 'owner',
    request: () => form('/published/edname/challenger/remove'),
  },
  'POST /published/:name/retrain': { rule: 'owner', request: () => form('/published/edname/retrain') },
  // Batch scoring: the name's owner (or the model's, or an administrator). serve is not running here
  // (SERVE_URL below): past the checks, the scoring answers 502 and removes the upload it was given.
  'POST /published/:name/batch/uploads': {
    rule: 'owner',
    request: () => ({ method: 'POST', url: '/published/edname/batch/uploads', payload: {}, json: true }),
  },
  'POST /published/:name/batch/:upload': {
    rule: 'owner',
    request: (r, ctx) => form(`/published/edname/batch/${r.uploads[ctx === 'admin' ? 5 : 4]}`),
  },
  'POST /published/tutorial': { rule: 'admin', request: () => form('/published/tutorial', { name: 'edname' }) },
  // A tutorial client on the wrong port, whoever it is: told where serve is (421), never a sign-in.
  'POST /predict': {
    rule: 'public',
    request: () => ({ method: 'POST', url: '/predict', payload: { id: 0, observation: { a: 1 } }, json: true }),
  },
  'POST /update': {
    rule: 'public',
    request: () => ({ method: 'POST', url: '/update', payload: { id: 0, true_class: 1 }, json: true }),
  },
  'GET /api-keys': { rule: 'admin', request: () => get('/api-keys') },
  'POST /api-keys': { rule: 'admin', request: () => form('/api-keys', { label: 'matrix' }) },
  'POST /api-keys/:id/revoke': { rule: 'admin', request: () => form('/api-keys/1/revoke') },
  'GET /viz/*': { rule: 'signedIn', request: () => get('/viz/documents/overview') },
};

let db: TestDb;
let app: FastifyInstance;
const browsers = new Map<Context, Browser>();
let resources: Resources;

async function upload(b: Browser, token: string): Promise<string> {
  const body =
    '--matrix\r\nContent-Disposition: form-data; name="file"; filename="m.csv"\r\nContent-Type: text/csv\r\n\r\na,y\n1,0\n2,1\n3,0\n\r\n--matrix--\r\n';
  const res = await app.inject({
    method: 'POST',
    url: '/api/uploads',
    payload: body,
    headers: {
      'content-type': 'multipart/form-data; boundary=matrix',
      'x-csrf-token': token,
      cookie: b.cookieHeader,
      accept: 'application/json',
    },
  });
  if (res.statusCode !== 201) throw new Error(`upload: ${res.statusCode} ${res.body}`);
  return String(res.json().id);
}

beforeAll(async () => {
  db = await createTestDb('web_matrix');
  await migrate(db.pool, MIGRATIONS_DIR);
  const config = db.config('web', {
    LOGIN_RATE_LIMIT: '1000',
    VIZ_URL: 'http://127.0.0.1:9',
    SERVE_URL: 'http://127.0.0.1:9',
    UPLOAD_MAX_PENDING: '10',
  });
  const users = new UserRepository(db.pool);
  await users.createIfMissing(config.adminUser, TEST_PASSWORD, 'admin');
  for (const [name, role] of [
    ['matrix_viewer', 'viewer'],
    ['matrix_editor', 'editor'],
    ['matrix_other', 'editor'],
    ['matrix_target', 'editor'],
  ] as const) {
    await users.createIfMissing(name, `${name}-password`, role);
  }
  const [rows] = await db.pool.query<RowDataPacket[]>('SELECT id, username FROM users');
  const id = (n: string) => Number(rows.find((r) => r.username === n)?.id);
  app = await buildApp({ config, pool: db.pool, webDir: WEB_DIR, datasetsDir: DATASETS_DIR, logger: false });
  await app.ready();

  const anonymous = new Browser(app);
  await anonymous.csrf('/login');
  browsers.set('anonymous', anonymous);
  for (const [ctx, name, password] of [
    ['viewer', 'matrix_viewer', 'matrix_viewer-password'],
    ['editor', 'matrix_editor', 'matrix_editor-password'],
    ['other editor', 'matrix_other', 'matrix_other-password'],
    ['admin', TEST_USER, TEST_PASSWORD],
  ] as const) {
    const b = new Browser(app);
    if ((await b.signIn(name, password)).statusCode !== 303) throw new Error(`${name} cannot sign in`);
    browsers.set(ctx, b);
  }

  // The editor's own work: an uploaded dataset, a model published under a name they own, a job, a
  // load in progress and two uploads waiting for their preview.
  const editor = id('matrix_editor');
  const dataset = async (name: string) =>
    loadDataset(
      db.pool,
      {
        name,
        title: name,
        origin: 'upload',
        task: 'classification',
        createdBy: editor,
        columns: [
          { name: 'a', type: 'integer', role: 'feature' },
          { name: 'y', type: 'integer', role: 'target' },
        ],
      },
      await openCsv(Readable.from([Buffer.from('a,y\n1,0\n2,1\n3,0\n4,1\n')])),
    );
  const ds = await dataset('matrix_ds');
  const model = await insertPlaceholderModel(db.pool, editor, {
    datasetId: ds.id,
    datasetName: ds.name,
    datasetVersion: ds.version,
  });
  await new PublishedModels(db.pool).publish('edname', model, editor);
  // Alert rules on the editor's name: one to change, one for the editor to delete, one for the administrator.
  const alertRules: number[] = [];
  for (let i = 0; i < 3; i++)
    alertRules.push(
      await new AlertStore(db.pool).create(
        'edname',
        { metric: 'volume', comparison: 'below', threshold: 1, window: 60, webhookUrl: null, enabled: true },
        editor,
      ),
    );
  const job = await new JobQueue(db.pool).enqueue({
    kind: 'train',
    spec: { model: 'logistic_regression', datasetId: ds.id, datasetVersion: ds.version },
    datasetId: ds.id,
    createdBy: editor,
    total: 1,
  });
  const comparison = await new JobQueue(db.pool).enqueue({
    kind: 'compare',
    spec: {
      datasetId: ds.id,
      datasetVersion: 1,
      models: ['logistic_regression'],
      features: ['a'],
      trainFraction: 0.8,
      folds: 5,
      seed: 1,
      budgetSeconds: 60,
    },
    datasetId: ds.id,
    createdBy: editor,
    total: 60,
  });
  const load = await new Loads(db.pool).start('matrix_load', 10, editor);
  const eb = browsers.get('editor');
  if (!eb) throw new Error('no editor');
  const token = await eb.csrf('/account');
  const uploads: string[] = [];
  for (let i = 0; i < 6; i++) uploads.push(await upload(eb, token));
  resources = {
    alertRules,
    dataset: ds.id,
    doomed: (await dataset('matrix_doomed')).id,
    doomedForAdmin: (await dataset('matrix_doomed_a')).id,
    model,
    job,
    comparison,
    load,
    uploads,
    target: id('matrix_target'),
    invitation: (await new UserService(users).invite('matrix_invited', 'viewer')).token,
  };
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

function outcome(status: number, location: unknown): Outcome {
  if (status === 401 || (status === 302 && typeof location === 'string' && location.startsWith('/login')))
    return 'login';
  if (status === 403 || status === 404) return status;
  return 'ok';
}

it('answers every route for every kind of person as the table expects, and the table names every route', async () => {
  const routes = app.registeredRoutes
    .filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS')
    .map((r) => `${r.method} ${r.url}`);
  expect(routes.filter((r) => !(r in EXPECTED))).toEqual([]);
  expect(Object.keys(EXPECTED).filter((r) => !routes.includes(r))).toEqual([]);
  // Sign-out ends the sessions the other rows need: it goes last.
  const ordered = [...routes.filter((r) => r !== 'POST /logout'), 'POST /logout'];
  const actual: Record<string, Record<Context, string>> = {};
  const wanted: Record<string, Record<Context, string>> = {};
  const seen: Record<string, Record<Context, number>> = {};
  for (const route of ordered) {
    const c = EXPECTED[route];
    actual[route] = {} as Record<Context, string>;
    seen[route] = {} as Record<Context, number>;
    wanted[route] = {} as Record<Context, string>;
    for (const ctx of CONTEXTS) {
      const b = browsers.get(ctx);
      if (!b) throw new Error(ctx);
      const { json, ...req } = c.request(resources, ctx);
      const token = req.method === 'GET' ? '' : await b.csrf(ctx === 'anonymous' ? '/login' : '/account');
      const isApi = String(req.url).startsWith('/api/') || String(req.url).startsWith('/viz/');
      const res = await app.inject({
        ...req,
        ...(req.method !== 'GET' && !json
          ? { payload: new URLSearchParams({ ...(req.payload as Record<string, string>), _csrf: token }).toString() }
          : {}),
        headers: {
          cookie: b.cookieHeader,
          accept: isApi ? 'application/json' : 'text/html',
          ...(req.method !== 'GET'
            ? { 'x-csrf-token': token, 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded' }
            : {}),
        },
      } as InjectOptions);
      actual[route][ctx] = String(outcome(res.statusCode, res.headers.location));
      wanted[route][ctx] = String(RULES[c.rule][ctx]);
      seen[route][ctx] = res.statusCode;
    }
  }
  // The matrix as answered, for the closing note of issue 15 (reports/ is not committed).
  mkdirSync(join(WEB_DIR, '..', 'reports'), { recursive: true });
  writeFileSync(
    join(WEB_DIR, '..', 'reports', 'authorisation-matrix.md'),
    [
      `| route | rule | ${CONTEXTS.join(' | ')} |`,
      `|---|---|${CONTEXTS.map(() => '---').join('|')}|`,
      ...ordered.map((r) => `| \`${r}\` | ${EXPECTED[r].rule} | ${CONTEXTS.map((c) => seen[r][c]).join(' | ')} |`),
    ].join('\n') + '\n',
  );
  expect(actual).toEqual(wanted);
});
