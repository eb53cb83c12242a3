import type { FastifyInstance } from 'fastify';
import { migrate, secret, signVizToken, type RowDataPacket } from '@enchilada/core';
import { ToyDatasets } from '@enchilada/data';
import { ModelRegistry, Predictions, PublishedModels } from '@enchilada/models';
import { DATASETS_DIR, MIGRATIONS_DIR, createTestDb, type TestDb } from '@enchilada/test-support';
import { buildApp } from '../src/app.js';
import { DocModels } from './support/doc-models.js';

let db: TestDb;
let app: FastifyInstance;
let key: ReturnType<typeof secret>;
const FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];

beforeAll(async () => {
  db = await createTestDb('viz_monitoring');
  await migrate(db.pool, MIGRATIONS_DIR);
  const config = db.config('viz');
  key = secret(config, 'viz_secret_key');
  const iris = await new ToyDatasets(DATASETS_DIR).load(db.pool, 'iris', null);
  const id = await new ModelRegistry(db.pool).insert({
    datasetId: iris.id,
    datasetName: 'iris',
    datasetVersion: iris.version,
    modelType: 'logistic_regression',
    task: 'classification',
    target: 'species',
    features: FEATURES,
    classes: ['setosa', 'versicolor', 'virginica'],
    grid: {},
    bestParams: {},
    splitSeed: 0,
    trainFraction: 0.8,
    split: { train: Array.from({ length: 120 }, (_, i) => i + 1), test: [] },
    cvResults: [],
    cvScore: 0.9,
    trainScore: 0.9,
    testScore: 0.93,
    metrics: {},
    onnx: new Uint8Array([0]),
    inputs: null,
    preprocessing: null,
    jobId: null,
    durationMs: 1,
    createdBy: null,
  });
  await new PublishedModels(db.pool).publish('iris', id, null);
  const p = new Predictions(db.pool);
  // Ten predictions; petal_length shifted far from the training rows (drift), eight outcomes, six right.
  await p.insert(
    Array.from({ length: 10 }, (_, i) => ({
      modelName: 'iris',
      modelId: id,
      version: 1,
      clientId: `x${i}`,
      latencyMs: 1 + i,
      observation: JSON.stringify({ sepal_length: 5.8, sepal_width: 3, petal_length: 20 + i, petal_width: 1.2 }),
      output: JSON.stringify({
        prediction: 'versicolor',
        probabilities: { setosa: 0.1, versicolor: 0.8, virginica: 0.1 },
      }),
    })),
  );
  for (let i = 0; i < 8; i++) await p.setOutcome('iris', `x${i}`, i < 6 ? 'versicolor' : 'virginica', false);
  // The same model under a second name, with forty predictions: enough to test drift.
  await new PublishedModels(db.pool).publish('iris-many', id, null);
  await p.insert(
    Array.from({ length: 40 }, (_, i) => ({
      modelName: 'iris-many',
      modelId: id,
      version: 1,
      clientId: `m${i}`,
      latencyMs: 1,
      observation: JSON.stringify({
        sepal_length: 5 + (i % 10) / 5,
        sepal_width: 2.5 + (i % 7) / 5,
        petal_length: 20 + i,
        petal_width: 0.2 + (i % 12) / 5,
      }),
      output: JSON.stringify({
        prediction: 'versicolor',
        probabilities: { setosa: 0.1, versicolor: 0.8, virginica: 0.1 },
      }),
    })),
  );
  app = await buildApp({ config, pool: db.pool, logger: false });
}, 60000);
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const get = (url: string, doc: string) =>
  app.inject({ url, headers: { authorization: `Bearer ${signVizToken({ sub: 'a', doc }, key)}` } });

it('builds the monitoring document: counts, outcome share, live accuracy beside the test score; ten predictions are not enough for drift', async () => {
  const res = await get('/documents/monitoring?name=iris&hours=1', 'monitoring:name:iris');
  expect(res.statusCode).toBe(200);
  const text = res.body;
  expect(text).toContain('data-testid=\\"prediction-count\\">10<');
  expect(text).toContain('8 with outcomes (80.0 %)');
  expect(text).toContain('data-testid=\\"live-accuracy\\">0.7500<');
  expect(text).toContain('test score of the model: 0.9300');
  const json = JSON.stringify(res.json());
  expect(json).toContain('Predictions per minute');
  // Ten predictions: below the minimum, no drift figure (one prediction had PSI 4–8.5 on every feature).
  expect(text).toContain('drift-not-enough');
  expect(text).toContain('10 of the 30 needed');
  expect(json).not.toContain('Drift against the training rows');
});

it('tests drift on forty predictions: petal_length, moved far outside the training rows, is red (KS), and the share is reported', async () => {
  const res = await get('/documents/monitoring?name=iris-many&hours=1', 'monitoring:name:iris-many');
  expect(res.statusCode).toBe(200);
  const doc = new DocModels(res.json());
  const plot = doc
    .named('Plot')
    .find((p) =>
      String(doc.ref(p.attributes.title).attributes.text).startsWith('Drift against the training rows: −log10 p'),
    );
  expect(plot).toBeDefined();
  const [{ data }] = doc.glyphs(plot as NonNullable<typeof plot>);
  const red = data.feature.filter((_, i) => data.color[i] === '#d62728').map(String);
  expect(red).toContain('petal_length');
  expect(data.test).toEqual(['Kolmogorov–Smirnov', 'Kolmogorov–Smirnov', 'Kolmogorov–Smirnov', 'Kolmogorov–Smirnov']);
  expect(res.body).toMatch(
    new RegExp(`Drift: ${red.length} of 4 features \\(${(red.length * 25).toFixed(1)} %\\) drifting`),
  );
});

it('draws the top-label calibration of a three-class model and the latency of each minute', async () => {
  const json = JSON.stringify((await get('/documents/monitoring?name=iris&hours=1', 'monitoring:name:iris')).json());
  expect(json).toContain('Calibration (top label): P(predicted class) vs share right');
  expect(json).toContain('Latency per minute');
  expect(json).toContain('minutes from now');
});

it('counts the window in SQL per bucket, with the session in UTC (as mysql2 reads dates), and a day is drawn in 30-minute buckets', async () => {
  const [[tz]] = await db.pool.query<RowDataPacket[]>('SELECT @@session.time_zone AS tz');
  expect(tz.tz).toBe('+00:00');
  const now = Date.now();
  const counts = await new Predictions(db.pool).windowCounts(
    'iris',
    new Date(now - 3_600_000),
    new Date(now + 60_000),
    1,
  );
  expect(counts.reduce((n, c) => n + c.count, 0)).toBe(10);
  expect(counts.reduce((n, c) => n + c.withOutcome, 0)).toBe(8);
  // The buckets are the minutes the rows were written in (a minute ago at most).
  for (const c of counts) expect(Math.abs(c.start.getTime() - now)).toBeLessThan(5 * 60_000);
  expect(
    await new Predictions(db.pool).windowCounts('iris', new Date(now - 7_200_000), new Date(now - 3_600_000), 1),
  ).toEqual([]);
  const json = JSON.stringify((await get('/documents/monitoring?name=iris&hours=24', 'monitoring:name:iris')).json());
  expect(json).toContain('Predictions per 30 minutes');
  // Still ten predictions in the day: not enough for drift.
  expect(json).toContain('drift-not-enough');
  // Drift of the other name, from the training references kept since its first document.
  expect(
    JSON.stringify((await get('/documents/monitoring?name=iris-many&hours=24', 'monitoring:name:iris-many')).json()),
  ).toMatch(/"color":\[[^\]]*"#d62728"/);
  expect(json).toContain('hours from now');
  expect(json).not.toContain('minutes from now');
  expect(json).toContain('data-testid=\\"prediction-count\\">10<');
});

it('refuses a token for another name and answers 404 for an unknown name', async () => {
  expect((await get('/documents/monitoring?name=iris', 'monitoring:name:other')).statusCode).toBe(401);
  expect((await get('/documents/monitoring?name=nope', 'monitoring:name:nope')).statusCode).toBe(404);
});
