// The tutorial's clients, unchanged: its model (StandardScaler + LogisticRegression on Breast
// Cancer, classes 0/1) published under SEED_MODEL_NAME, called with the tutorial's requests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { migrate, type RowDataPacket } from '@enchilada/core';
import {
  LogisticRegression,
  Matrix,
  Pipeline,
  classificationTarget,
  exportPipelineToOnnx,
  type PipelineModel,
  type Model,
} from '@enchilada/ml';
import { ModelRegistry, PublishedModels } from '@enchilada/models';
import { DATASETS_DIR, MIGRATIONS_DIR, createTestDb, type TestDb } from '@enchilada/test-support';
import { buildApp } from '../src/app.js';

let db: TestDb;
let app: FastifyInstance;
let model: PipelineModel<Model>;
const [header, ...lines] = readFileSync(join(DATASETS_DIR, 'breast-cancer.csv'), 'utf8').trim().split('\n');
const names = header.split(',');
const features = names.slice(0, -1);
const X = lines.map((l) => l.split(',').slice(0, -1).map(Number));
const y = lines.map((l) => l.split(',').at(-1) ?? '');
const observation = (i: number) => Object.fromEntries(features.map((f, j) => [f, X[i][j]]));

beforeAll(async () => {
  db = await createTestDb('serve_seed');
  await migrate(db.pool, MIGRATIONS_DIR);
  model = new Pipeline(new LogisticRegression({ max_iter: 1000 })).fit(Matrix.fromRows(X), classificationTarget(y));
  const id = await new ModelRegistry(db.pool).insert({
    datasetId: 1,
    datasetName: 'breast-cancer',
    datasetVersion: 1,
    modelType: 'logistic_regression',
    task: 'classification',
    target: 'diagnosis',
    features,
    classes: ['0', '1'],
    grid: {},
    bestParams: {},
    splitSeed: 0,
    trainFraction: 1,
    split: { train: [], test: [] },
    cvResults: [],
    cvScore: 1,
    trainScore: 1,
    testScore: 1,
    metrics: {},
    onnx: exportPipelineToOnnx(model, features.length),
    inputs: null,
    preprocessing: null,
    jobId: null,
    durationMs: 1,
    createdBy: null,
  });
  await new PublishedModels(db.pool).publish('breast-cancer', id, null);
  app = await buildApp({
    config: db.config('serve', { SEED_MODEL_NAME: 'breast-cancer' }),
    pool: db.pool,
    logger: false,
  });
  await app.ready();
}, 60000);
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const post = (url: string, body: unknown) =>
  app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });

it('answers the tutorial\'s predict request with {"proba"} of class 1 (benign), as its pipeline\'s predict_proba[:, 1]', async () => {
  for (const i of [0, 19, 568]) {
    const res = await post('/predict', { id: i, observation: observation(i) });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json())).toEqual(['proba']);
    expect(res.json().proba).toBeCloseTo(model.predictProba(Matrix.fromRows([X[i]])).get(0, 1), 5);
  }
  const [r] = await db.pool.query<RowDataPacket[]>(
    "SELECT COUNT(*) AS n FROM predictions WHERE model_name = 'breast-cancer'",
  );
  expect(Number(r[0].n)).toBe(3);
});

it("answers the tutorial's update request with the stored row, and the tutorial's error for an unknown id", async () => {
  const res = await post('/update', { id: 0, true_class: 0 });
  expect(res.statusCode).toBe(200);
  const row = res.json();
  expect(row).toMatchObject({ observation_id: 0, true_class: 0, proba: expect.any(Number), id: expect.any(Number) });
  expect(JSON.parse(row.observation)).toEqual({ id: 0, observation: observation(0) });
  expect((await post('/update', { id: 999999, true_class: 1 })).json()).toEqual({
    error: 'Observation ID: "999999" does not exist',
  });
});

it('answers a repeated id like the tutorial: 200 with the proba and its exact "ERROR: …" text', async () => {
  const res = await post('/predict', { id: 19, observation: observation(19) });
  expect(res.statusCode).toBe(200);
  expect(res.json()).toEqual({ proba: expect.any(Number), error: "ERROR: Observation ID: '19' already exists" });
});

it('refuses a tutorial request with a missing feature with a 400 naming it', async () => {
  const { ['mean radius']: _gone, ...rest } = observation(1);
  const res = await post('/predict', { id: 1, observation: rest });
  expect(res.statusCode).toBe(400);
  expect(res.json().field).toBe('mean radius');
});

const outcomeOf = async (id: string) => {
  const [r] = await db.pool.query<RowDataPacket[]>(
    "SELECT outcome FROM predictions WHERE model_name = 'breast-cancer' AND client_id = ?",
    [id],
  );
  return r[0]?.outcome ?? null;
};

it("refuses a true_class that is not one of the model's classes with a 400 naming it, storing nothing", async () => {
  const res = await post('/update', { id: 568, true_class: 'maybe' });
  expect(res.statusCode).toBe(400);
  expect(res.json()).toMatchObject({ field: 'true_class' });
  expect(res.json().message).toMatch(/true_class must be one of the model's classes 0, 1; got "maybe"/);
  expect(await outcomeOf('568')).toBeNull();
});

it('never overwrites an outcome silently: another true_class answers an error and keeps the first; the same one again answers the row', async () => {
  expect((await post('/update', { id: 568, true_class: 1 })).json()).toMatchObject({
    observation_id: 568,
    true_class: 1,
  });
  const other = await post('/update', { id: 568, true_class: 0 });
  expect(other.json()).toEqual({ error: 'Observation ID: "568" already has true_class 1; it was not changed' });
  expect(String(await outcomeOf('568'))).toBe('1');
  expect((await post('/update', { id: 568, true_class: 1 })).json()).toMatchObject({
    observation_id: 568,
    true_class: 1,
  });
});

it('rate-limits the keyless tutorial routes per client address', async () => {
  const limited = await buildApp({
    config: db.config('serve', { SEED_MODEL_NAME: 'breast-cancer', SERVE_SEED_RATE_LIMIT: '3' }),
    pool: db.pool,
    logger: false,
  });
  await limited.ready();
  try {
    const call = (remoteAddress: string) =>
      limited.inject({
        method: 'POST',
        url: '/update',
        remoteAddress,
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ id: 999999, true_class: 1 }),
      });
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await call('10.8.0.1')).statusCode);
    expect(codes).toEqual([200, 200, 200, 429]);
    expect((await call('10.8.0.1')).json().message).toMatch(/at most 3 requests .* from this address/);
    expect((await call('10.8.0.2')).statusCode).toBe(200);
  } finally {
    await limited.close();
  }
});
