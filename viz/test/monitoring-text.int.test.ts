// Drift of text features in the monitoring document: a penguins model whose live island values
// include one never seen in training, and whose clients stopped sending sex.
import type { FastifyInstance } from 'fastify';
import { migrate, secret, signVizToken } from '@enchilada/core';
import { ToyDatasets } from '@enchilada/data';
import { ModelRegistry, Predictions, PublishedModels } from '@enchilada/models';
import { DATASETS_DIR, MIGRATIONS_DIR, createTestDb, type TestDb } from '@enchilada/test-support';
import { buildApp } from '../src/app.js';
import { DocModels } from './support/doc-models.js';

let db: TestDb;
let app: FastifyInstance;
let key: ReturnType<typeof secret>;
const FEATURES = ['island', 'bill_length_mm', 'sex'];

beforeAll(async () => {
  db = await createTestDb('viz_monitoring_text');
  await migrate(db.pool, MIGRATIONS_DIR);
  const config = db.config('viz');
  key = secret(config, 'viz_secret_key');
  const penguins = await new ToyDatasets(DATASETS_DIR).load(db.pool, 'penguins', null);
  const id = await new ModelRegistry(db.pool).insert({
    datasetId: penguins.id,
    datasetName: 'penguins',
    datasetVersion: penguins.version,
    modelType: 'logistic_regression',
    task: 'classification',
    target: 'species',
    features: FEATURES,
    classes: ['Adelie', 'Chinstrap', 'Gentoo'],
    grid: {},
    bestParams: {},
    splitSeed: 0,
    trainFraction: 0.8,
    split: { train: Array.from({ length: 300 }, (_, i) => i + 1), test: [] },
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
  await new PublishedModels(db.pool).publish('penguins', id, null);
  // Half the islands unseen in training ("Atlantis"); sex never sent. Forty: enough to test drift.
  await new Predictions(db.pool).insert(
    Array.from({ length: 40 }, (_, i) => ({
      modelName: 'penguins',
      modelId: id,
      version: 1,
      clientId: `x${i}`,
      latencyMs: 1,
      observation: JSON.stringify({ island: i % 2 ? 'Atlantis' : 'Biscoe', bill_length_mm: 40 + (i % 10) }),
      output: JSON.stringify({ prediction: 'Adelie', probabilities: { Adelie: 0.8, Chinstrap: 0.1, Gentoo: 0.1 } }),
    })),
  );
  app = await buildApp({ config, pool: db.pool, logger: false });
}, 60000);
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

it('draws the drift of the text features island and sex beside the numeric one, above the threshold', async () => {
  const res = await app.inject({
    url: '/documents/monitoring?name=penguins&hours=1',
    headers: { authorization: `Bearer ${signVizToken({ sub: 'a', doc: 'monitoring:name:penguins' }, key)}` },
  });
  expect(res.statusCode).toBe(200);
  const doc = new DocModels(res.json());
  const plot = doc
    .named('Plot')
    .find((p) => String(doc.ref(p.attributes.title).attributes.text).startsWith('Drift against the training rows'));
  expect(plot).toBeDefined();
  const [{ data }] = doc.glyphs(plot as NonNullable<typeof plot>);
  const byFeature = Object.fromEntries(
    data.feature.map((f, i) => [String(f), { kind: data.kind[i], red: data.color[i] === '#d62728' }]),
  );
  expect(byFeature).toEqual({
    island: { kind: 'text', red: true },
    sex: { kind: 'text', red: true },
    bill_length_mm: expect.objectContaining({ kind: 'numeric' }),
  });
});
