// Champion and challenger from the web side (issue 19): who may set, promote and remove a
// challenger, and the checks a publish makes (task, columns with confirmation) applied to it.
import type { FastifyInstance } from 'fastify';
import { migrate, type RowDataPacket } from '@enchilada/core';
import { ToyDatasets } from '@enchilada/data';
import { ModelRegistry, Predictions, PublishedModels, type TrainSpec } from '@enchilada/models';
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

jest.setTimeout(180_000);

let db: TestDb;
let app: FastifyInstance;
let admin: Browser;
let alice: Browser;
let bob: Browser;
let champion: number;
let challenger: number;
let otherColumns: number;
let regressor: number;
let bobsModel: number;

async function insertModel(
  createdBy: number,
  features: string[] = ['a'],
  task: 'classification' | 'regression' = 'classification',
): Promise<number> {
  return insertPlaceholderModel(db.pool, createdBy, { features, task });
}

const state = async () => (await new PublishedModels(db.pool).list()).find((n) => n.name === 'churn');
const counter = async () => {
  const [r] = await db.pool.query<RowDataPacket[]>('SELECT counter FROM serving_changes');
  return Number(r[0].counter);
};

beforeAll(async () => {
  db = await createTestDb('web_challenger');
  await migrate(db.pool, MIGRATIONS_DIR);
  const config = db.config('web');
  const id = await createEditors(db, config);
  champion = await insertModel(id('alice'));
  challenger = await insertModel(id('alice'));
  otherColumns = await insertModel(id('alice'), ['a', 'z']);
  regressor = await insertModel(id('alice'), ['a'], 'regression');
  bobsModel = await insertModel(id('bob'));
  await new PublishedModels(db.pool).publish('churn', champion, id('alice'));
  app = await buildApp({ config, pool: db.pool, webDir: WEB_DIR, datasetsDir: DATASETS_DIR, logger: false });
  admin = new Browser(app);
  await admin.signIn(TEST_USER, TEST_PASSWORD);
  alice = new Browser(app);
  await alice.signIn('alice', PASSWORDS.alice);
  bob = new Browser(app);
  await bob.signIn('bob', PASSWORDS.bob);
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

describe('challenger', () => {
  it('lets the owner set a challenger from the Published page; the page then offers Promote and Remove', async () => {
    const csrf = await alice.csrf('/published');
    const before = await counter();
    const res = await alice.post('/published/churn/challenger', { model: String(challenger), _csrf: csrf });
    expect(res.statusCode).toBe(303);
    expect(await counter()).toBe(before + 1);
    expect(await state()).toEqual(
      expect.objectContaining({ modelId: champion, version: 1, challengerModelId: challenger }),
    );
    const page = await alice.get('/published');
    expect(page.body).toMatch(/data-testid="challenger-model">model #\d+/);
    expect(page.body).toMatch(/data-testid="promote"/);
    const monitor = await alice.get('/published/churn/monitor');
    expect(monitor.body).toMatch(/data-testid="challenger-bar"/);
  });

  it('refuses another editor (their model, or the name of someone else), a bad model id (400 naming the field), another task, and columns unconfirmed', async () => {
    const csrf = await bob.csrf('/published');
    expect((await bob.post('/published/churn/challenger', { model: String(bobsModel), _csrf: csrf })).statusCode).toBe(
      403,
    );
    expect((await bob.post('/published/churn/challenger', { model: String(challenger), _csrf: csrf })).statusCode).toBe(
      403,
    );
    expect((await bob.post('/published/churn/promote', { _csrf: csrf })).statusCode).toBe(403);
    expect((await bob.post('/published/churn/challenger/remove', { _csrf: csrf })).statusCode).toBe(403);
    const a = await alice.csrf('/published');
    const bad = await app.inject({
      method: 'POST',
      url: '/published/churn/challenger',
      payload: { model: 'x', _csrf: a },
      headers: { cookie: alice.cookieHeader, accept: 'application/json' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/model/);
    const task = await alice.post('/published/churn/challenger', { model: String(regressor), _csrf: a });
    expect(task.statusCode).toBe(409);
    expect(task.body).toMatch(/champion&#39;s task|champion's task/);
    expect((await alice.post('/published/churn/challenger', { model: String(champion), _csrf: a })).statusCode).toBe(
      400,
    );
    const cols = await alice.post('/published/churn/challenger', { model: String(otherColumns), _csrf: a });
    expect(cols.statusCode).toBe(409);
    expect(cols.body).toMatch(/data-testid="schema-changes"/);
    expect(cols.body).toMatch(/new column clients must send: &#34;z&#34;|new column clients must send: "z"/);
    expect(cols.body).toMatch(/action="\/published\/churn\/challenger"/);
    // Unchanged by any of these.
    expect((await state())?.challengerModelId).toBe(challenger);
  });

  it('promotes: the challenger becomes the champion as the next version, the champion the challenger', async () => {
    const a = await alice.csrf('/published');
    const res = await alice.post('/published/churn/promote', { back: 'monitor', _csrf: a });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/published/churn/monitor');
    expect(await state()).toEqual(
      expect.objectContaining({ modelId: challenger, version: 2, challengerModelId: champion }),
    );
    const history = await new PublishedModels(db.pool).history('churn');
    expect(history.map((h) => [h.version, h.modelId, h.action])).toEqual([
      [2, challenger, 'promote'],
      [1, champion, 'publish'],
    ]);
    // The models a name serves, champion or challenger, cannot be deleted.
    expect(await new ModelRegistry(db.pool).remove(champion)).toBe('live');
  });

  it('lets an administrator set a confirmed change of columns and remove the challenger; promoting with none is a 409', async () => {
    const c = await admin.csrf('/published');
    expect(
      (await admin.post('/published/churn/challenger', { model: String(otherColumns), confirm: 'yes', _csrf: c }))
        .statusCode,
    ).toBe(303);
    expect((await state())?.challengerModelId).toBe(otherColumns);
    expect((await admin.post('/published/churn/challenger/remove', { _csrf: c })).statusCode).toBe(303);
    expect((await state())?.challengerModelId).toBeNull();
    expect((await admin.post('/published/churn/promote', { _csrf: c })).statusCode).toBe(409);
    expect((await state())?.version).toBe(2);
  });

  it("retrains: refused without outcomes or without the original dataset, else queued as a training job with the champion's spec", async () => {
    const c = await alice.csrf('/published');
    // The toy models of this file were trained on no stored dataset.
    const noData = await alice.post('/published/churn/retrain', { _csrf: c });
    expect(noData.statusCode).toBe(409);
    expect(noData.body).toMatch(/no original rows/);
    const iris = await new ToyDatasets(DATASETS_DIR).load(db.pool, 'iris', null);
    const [u] = await db.pool.query<RowDataPacket[]>("SELECT id FROM users WHERE username = 'alice'");
    const features = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
    const m = await insertPlaceholderModel(db.pool, Number(u[0].id), {
      datasetId: iris.id,
      datasetName: 'iris',
      datasetVersion: iris.version,
      target: 'species',
      features,
      classes: ['setosa', 'versicolor', 'virginica'],
      grid: { C: [1, 10] },
      bestParams: { C: 1 },
      splitSeed: 3,
    });
    await new PublishedModels(db.pool).publish('iris-live', m, Number(u[0].id));
    expect((await bob.post('/published/iris-live/retrain', { _csrf: await bob.csrf('/published') })).statusCode).toBe(
      403,
    );
    const none = await alice.post('/published/iris-live/retrain', { _csrf: c });
    expect(none.statusCode).toBe(409);
    expect(none.body).toMatch(/no prediction of .*iris-live.* has an outcome yet/);
    const predictions = new Predictions(db.pool);
    await predictions.insert([
      { modelName: 'iris-live', modelId: m, version: 1, clientId: 'a', observation: '{}', output: '{}', latencyMs: 1 },
    ]);
    await predictions.setOutcome('iris-live', 'a', 'setosa', false);
    const res = await alice.post('/published/iris-live/retrain', { _csrf: c });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/train');
    const [jobs] = await db.pool.query<RowDataPacket[]>(
      'SELECT kind, spec, dataset_id, progress_total AS total FROM jobs ORDER BY id DESC LIMIT 1',
    );
    const spec = JSON.parse(String(jobs[0].spec)) as TrainSpec;
    expect([jobs[0].kind, Number(jobs[0].dataset_id), Number(jobs[0].total)]).toEqual(['train', iris.id, 10]);
    expect(spec).toEqual({
      datasetId: iris.id,
      datasetVersion: iris.version,
      model: 'logistic_regression',
      features,
      trainFraction: 0.8,
      grid: { C: [1, 10] },
      folds: 5,
      seed: 3,
      retrain: { name: 'iris-live', championModelId: m, actor: { id: Number(u[0].id), role: 'editor' } },
    });
    // The Train page of the dataset (now the session's) follows the job like any training.
    expect((await alice.get('/train')).body).toMatch(/Iris/);
  });
});
