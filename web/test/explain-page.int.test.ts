// The Explain page (issue 18): any signed-in person reads it, like the results page; a model trained
// before explainers existed says so (NO_EXPLAINER) with a Retrain link instead of embedding the
// document; one with an artefact embeds the Explain document and the what-if form, both read through
// the /viz proxy, whose token names the model.
import type { FastifyInstance } from 'fastify';
import { migrate } from '@enchilada/core';
import { ToyDatasets } from '@enchilada/data';
import { ModelRegistry, NO_EXPLAINER } from '@enchilada/models';
import { DATASETS_DIR, MIGRATIONS_DIR, WEB_DIR, createTestDb, type TestDb } from '@enchilada/test-support';
import { buildApp } from '../src/app.js';
import { documentClaim } from '../src/plugins/viz-proxy.js';
import { UserRepository } from '@enchilada/users';
import { Browser } from './helpers.js';

jest.setTimeout(120_000);

let db: TestDb;
let app: FastifyInstance;
let viewer: Browser;
let id: number;

beforeAll(async () => {
  db = await createTestDb('web_explain');
  await migrate(db.pool, MIGRATIONS_DIR);
  const config = db.config('web', { LOGIN_RATE_LIMIT: '1000', VIZ_URL: 'http://127.0.0.1:9' });
  await new UserRepository(db.pool).createIfMissing('ex_viewer', 'ex_viewer-password', 'viewer');
  const iris = await new ToyDatasets(DATASETS_DIR).load(db.pool, 'iris', null);
  id = await new ModelRegistry(db.pool).insert({
    datasetId: iris.id,
    datasetName: 'iris',
    datasetVersion: iris.version,
    modelType: 'logistic_regression',
    task: 'classification',
    target: 'species',
    features: ['sepal_length'],
    classes: ['setosa', 'versicolor', 'virginica'],
    grid: {},
    bestParams: {},
    splitSeed: 0,
    trainFraction: 0.8,
    split: { train: [1, 2, 3], test: [4] },
    cvResults: [],
    cvScore: 0.9,
    trainScore: 0.9,
    testScore: 0.9,
    metrics: {},
    onnx: new Uint8Array([0]),
    jobId: null,
    durationMs: 1,
    createdBy: null,
    inputs: null,
    preprocessing: null,
  });
  app = await buildApp({ config, pool: db.pool, webDir: WEB_DIR, datasetsDir: DATASETS_DIR, logger: false });
  await app.ready();
  viewer = new Browser(app);
  if ((await viewer.signIn('ex_viewer', 'ex_viewer-password')).statusCode !== 303)
    throw new Error('the viewer cannot sign in');
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

describe('Explain page', () => {
  it('says NO_EXPLAINER with a Retrain link for a model without an artefact', async () => {
    const res = await viewer.get(`/explain?model=${id}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('data-testid="no-explainer"');
    expect(res.body).toContain(NO_EXPLAINER);
    expect(res.body).toContain('href="/train" data-testid="retrain-link"');
    expect(res.body).not.toContain('data-bokeh-src');
  });

  it('embeds the Explain document and the what-if form for a model with one, linked from its results and model pages', async () => {
    await db.pool.query("UPDATE models SET explainer = 'gz1:' WHERE id = ?", [id]);
    const res = await viewer.get(`/explain?model=${id}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`data-bokeh-src="/viz/documents/explain?model=${id}"`);
    expect(res.body).toContain(`id="whatif" data-model="${id}"`);
    expect(res.body).toContain('/static/app/explain.js');
    for (const page of [`/results?model=${id}`, `/models/${id}`])
      expect((await viewer.get(page)).body).toContain(`href="/explain?model=${id}"`);
    // the proxy's token for the document and the row route names this model only
    expect(documentClaim('/documents/explain', { model: String(id) })).toBe(`explain:model:${id}`);
    expect(documentClaim('/documents/explain-row', { model: String(id), values: '{}' })).toBe(
      `explain-row:model:${id}`,
    );
  });

  it('answers 404 for a model that does not exist and 400 without a model', async () => {
    expect((await viewer.get('/explain?model=999999')).statusCode).toBe(404);
    expect((await viewer.get('/explain')).statusCode).toBe(400);
  });
});
