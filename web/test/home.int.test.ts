// The landing page's getting-started path, per person and role: what is done, what is next.
import type { FastifyInstance } from 'fastify';
import { migrate, secret, type RowDataPacket } from '@enchilada/core';
import { ToyDatasets } from '@enchilada/data';
import { Predictions, PublishedModels } from '@enchilada/models';
import { DATASETS_DIR, MIGRATIONS_DIR, WEB_DIR, createTestDb, type TestDb } from '@enchilada/test-support';
import { buildApp } from '../src/app.js';
import { gettingStarted, type HomeFacts } from '../src/home/getting-started.js';
import { UserRepository } from '@enchilada/users';
import { Browser, insertPlaceholderModel } from './helpers.js';

jest.setTimeout(60_000);

const none: HomeFacts = {
  datasets: 0,
  current: null,
  ownModels: 0,
  anyModels: 0,
  ownNames: [],
  anyNames: 0,
  ownCalls: 0,
  anyCalls: 0,
};
const states = (f: HomeFacts, role: 'editor' | 'viewer') =>
  gettingStarted(f, role).map((s) => `${s.key}:${s.done ? 'done' : s.next ? 'next' : 'todo'}`);

describe('the getting-started steps', () => {
  it('for a newcomer on an empty workbench: loading is next, every other step still to do', () => {
    expect(states(none, 'editor')).toEqual(['load:next', 'explore:todo', 'train:todo', 'publish:todo', 'call:todo']);
  });

  it('marks the first step not done as next, even when a later one is done', () => {
    expect(states({ ...none, datasets: 3, ownModels: 1 }, 'editor')).toEqual([
      'load:done',
      'explore:next',
      'train:done',
      'publish:todo',
      'call:todo',
    ]);
  });

  it('is all done for someone whose published name has answered a call', () => {
    const f = {
      ...none,
      datasets: 1,
      current: { id: 1, title: 'Iris' },
      ownModels: 2,
      anyModels: 2,
      ownNames: ['iris'],
      anyNames: 1,
      ownCalls: 5,
      anyCalls: 5,
    };
    expect(gettingStarted(f, 'editor').every((s) => s.done && !s.next)).toBe(true);
    expect(gettingStarted(f, 'editor').find((s) => s.key === 'publish')?.text).toBe('Published as iris');
  });

  it('sends an administrator to create an API key, and an editor (who may not) to ask one and to the example requests', () => {
    const f = {
      ...none,
      datasets: 1,
      current: { id: 1, title: 'Iris' },
      ownModels: 1,
      anyModels: 1,
      ownNames: ['iris'],
      anyNames: 1,
    };
    const call = (role: 'admin' | 'editor') => gettingStarted(f, role).find((s) => s.key === 'call');
    expect(call('admin')).toMatchObject({ next: true, href: '/api-keys', action: 'Create an API key' });
    expect(call('editor')).toMatchObject({ next: true, href: '/published', action: 'See the example requests' });
    expect(call('editor')?.text).toMatch(/^Ask an administrator for an API key/);
  });

  it('gives a viewer things to look at, without loading, training or publishing', () => {
    expect(states(none, 'viewer')).toEqual([
      'pick:next',
      'explore:todo',
      'results:todo',
      'published:todo',
      'predictions:todo',
    ]);
    expect(
      gettingStarted(none, 'viewer')
        .map((s) => s.text)
        .join(' '),
    ).not.toMatch(/upload a CSV/);
  });
});

describe('the landing page', () => {
  let db: TestDb;
  let app: FastifyInstance;
  let alice: Browser;
  let viewer: Browser;

  beforeAll(async () => {
    db = await createTestDb('web_home');
    await migrate(db.pool, MIGRATIONS_DIR);
    const config = db.config('web');
    const users = new UserRepository(db.pool);
    await users.createIfMissing(config.adminUser, secret(config, 'db_user_password').reveal(), 'admin');
    await users.createIfMissing('alice', 'alice-password-123', 'editor');
    await users.createIfMissing('victor', 'victor-password-123', 'viewer');
    app = await buildApp({ config, pool: db.pool, webDir: WEB_DIR, datasetsDir: DATASETS_DIR, logger: false });
    alice = new Browser(app);
    await alice.signIn('alice', 'alice-password-123');
    viewer = new Browser(app);
    await viewer.signIn('victor', 'victor-password-123');
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const stateOf = (html: string, key: string) =>
    new RegExp(`data-testid="step-${key}" data-state="(\\w+)"`).exec(html)?.[1];

  it('shows a new editor the path with loading next, and the viewer variant to a viewer', async () => {
    const page = await alice.get('/');
    expect(page.statusCode).toBe(200);
    expect(['load', 'explore', 'train', 'publish', 'call'].map((k) => stateOf(page.body, k))).toEqual([
      'next',
      'todo',
      'todo',
      'todo',
      'todo',
    ]);
    expect(page.body).toContain('No model is trained yet');
    const v = await viewer.get('/');
    expect(stateOf(v.body, 'load')).toBeUndefined();
    expect(stateOf(v.body, 'pick')).toBe('next');
  });

  it('marks each step done as this person takes it, and lists the latest models and published names', async () => {
    const iris = await new ToyDatasets(DATASETS_DIR).load(db.pool, 'iris', null);
    const [[u]] = await db.pool.query<RowDataPacket[]>("SELECT id FROM users WHERE username = 'alice'");
    const id = await insertPlaceholderModel(db.pool, Number(u.id), {
      datasetId: iris.id,
      datasetName: 'iris',
      datasetVersion: iris.version,
      target: 'species',
      features: ['petal_width'],
      classes: ['a', 'b'],
      testScore: 0.9667,
    });
    let page = await alice.get('/');
    expect(['load', 'explore', 'train', 'publish'].map((k) => stateOf(page.body, k))).toEqual([
      'done',
      'next',
      'done',
      'todo',
    ]);
    expect(page.body).toMatch(new RegExp(`#${id} Logistic regression`));
    await new PublishedModels(db.pool).publish('iris-home', id, Number(u.id));
    await new Predictions(db.pool).insert([
      {
        modelName: 'iris-home',
        modelId: id,
        version: 1,
        clientId: 'c1',
        observation: '{"petal_width":1}',
        output: '{"prediction":"a"}',
        latencyMs: 1,
      },
    ]);
    page = await alice.get('/');
    expect(['publish', 'call'].map((k) => stateOf(page.body, k))).toEqual(['done', 'done']);
    expect(page.body).toContain('Published as iris-home');
    expect(page.body).toContain('1 prediction served under your names');
    expect(page.body).toContain('href="/published/iris-home/monitor"');
    // The viewer sees the same models and names as things to look at.
    const v = await viewer.get('/');
    expect(['results', 'published', 'predictions'].map((k) => stateOf(v.body, k))).toEqual(['done', 'done', 'done']);
  });
});
