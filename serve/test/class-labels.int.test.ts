// Class names in the prediction API: a model trained on a dataset that names its classes answers
// the name beside the class and the probabilities keyed by name too, as fields added to the answer;
// the class values, the probabilities keyed by class and the tutorial's {proba} stay as they were.
import type { FastifyInstance } from 'fastify';
import { migrate } from '@enchilada/core';
import { LogisticRegression, Matrix, Pipeline, classificationTarget, exportPipelineToOnnx } from '@enchilada/ml';
import { ApiKeys, ModelRegistry, PublishedModels } from '@enchilada/models';
import { MIGRATIONS_DIR, createTestDb, type TestDb } from '@enchilada/test-support';
import { buildApp } from '../src/app.js';

let db: TestDb;
let app: FastifyInstance;
let key: string;
const rows = Array.from({ length: 40 }, (_, i) => [Math.sin(i), Math.cos(i)]);
const model = new Pipeline(new LogisticRegression()).fit(
  Matrix.fromRows(rows),
  classificationTarget(rows.map(([a]) => (a > 0 ? '1' : '0'))),
);

async function insert(registry: ModelRegistry, classLabels: Record<string, string> | null): Promise<number> {
  return registry.insert({
    datasetId: 1,
    datasetName: 'cancer',
    datasetVersion: 1,
    modelType: 'logistic_regression',
    task: 'classification',
    target: 'diagnosis',
    features: ['a', 'b'],
    classes: ['0', '1'],
    classLabels,
    grid: {},
    bestParams: {},
    splitSeed: 0,
    trainFraction: 0.8,
    split: { train: [], test: [] },
    cvResults: [],
    cvScore: 1,
    trainScore: 1,
    testScore: 1,
    metrics: {},
    onnx: exportPipelineToOnnx(model, 2),
    inputs: null,
    preprocessing: null,
    jobId: null,
    durationMs: 1,
    createdBy: null,
  });
}

beforeAll(async () => {
  db = await createTestDb('serve_labels');
  await migrate(db.pool, MIGRATIONS_DIR);
  const registry = new ModelRegistry(db.pool);
  const published = new PublishedModels(db.pool);
  await published.publish('named', await insert(registry, { 0: 'malignant', 1: 'benign' }), null);
  await published.publish('plain', await insert(registry, null), null);
  expect((await registry.get(1))?.classLabels).toEqual({ 0: 'malignant', 1: 'benign' });
  key = (await new ApiKeys(db.pool).create('k', null, null)).key;
  app = await buildApp({
    config: db.config('serve', { SERVE_POLL_MS: '100', SEED_MODEL_NAME: 'named' }),
    pool: db.pool,
    logger: false,
  });
  await app.ready();
}, 60000);

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const post = (url: string, body: unknown, auth = true) =>
  app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${key}` } : {}) },
    payload: JSON.stringify(body),
  });

describe('class names in the prediction API', () => {
  const x = [0.8, 0.1];
  const p1 = () => model.predictProba(Matrix.fromRows([x])).get(0, 1);

  it('adds the predicted class name and the probabilities by name beside the unchanged fields', async () => {
    const res = await post('/v1/models/named/predict', { id: 'n1', observation: { a: x[0], b: x[1] } });
    expect(res.statusCode).toBe(200);
    const out = res.json();
    const cls = p1() > 0.5 ? '1' : '0';
    expect(out.prediction).toBe(cls);
    expect(out.label).toBe(cls === '1' ? 'benign' : 'malignant');
    expect(Object.keys(out.probabilities).sort()).toEqual(['0', '1']);
    expect(out.probabilities['1']).toBeCloseTo(p1(), 5);
    expect(Object.keys(out.label_probabilities).sort()).toEqual(['benign', 'malignant']);
    expect(out.label_probabilities.benign).toBe(out.probabilities['1']);
    expect(out.label_probabilities.malignant).toBe(out.probabilities['0']);
  });

  it('names each prediction of a batch', async () => {
    const res = await post('/v1/models/named/predict', {
      instances: [
        { id: 'b1', observation: { a: 0.9, b: 0 } },
        { id: 'b2', observation: { a: -0.9, b: 0 } },
      ],
    });
    expect(res.statusCode).toBe(200);
    const preds = res.json().predictions as {
      prediction: string;
      label: string;
      label_probabilities: Record<string, number>;
    }[];
    for (const p of preds) expect(p.label).toBe({ 0: 'malignant', 1: 'benign' }[p.prediction]);
    expect(preds.every((p) => Object.keys(p.label_probabilities).length === 2)).toBe(true);
  });

  it('answers a model without names exactly as before: no label fields', async () => {
    const out = (await post('/v1/models/plain/predict', { id: 'p1', observation: { a: x[0], b: x[1] } })).json();
    expect(Object.keys(out).sort()).toEqual(['id', 'latency_ms', 'model', 'prediction', 'probabilities']);
  });

  it('keeps the tutorial route\'s exact {"proba"} shape for a named model', async () => {
    const res = await post('/predict', { id: 77, observation: { a: x[0], b: x[1] } }, false);
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json())).toEqual(['proba']);
    expect(res.json().proba).toBeCloseTo(p1(), 5);
  });
});
