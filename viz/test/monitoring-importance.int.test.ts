// The monitoring document's live importance (issue 18): a random forest trained by viz's job on
// five Breast Cancer columns is published; predictions explained by its stored explainer are logged
// as serve logs them (with others that must not count: unexplained, another model's, a
// challenger's). The document's live bars are the mean |contribution| of exactly those rows, its
// training-time bars the Explain document's global importance (two classes: the same figure), and
// the read is bounded to the newest rows. A name with no explained prediction says how to get them.
import type { FastifyInstance } from 'fastify';
import { migrate, secret, signVizToken } from '@enchilada/core';
import { ToyDatasets, readTrainingTable, type Dataset } from '@enchilada/data';
import { JobQueue } from '@enchilada/jobs';
import {
  LIVE_IMPORTANCE_ROWS,
  ModelRegistry,
  Predictions,
  PublishedModels,
  explainRows,
  liveImportance,
  storedExplainer,
  type ModelDetail,
  type TrainSpec,
} from '@enchilada/models';
import { DATASETS_DIR, MIGRATIONS_DIR, createTestDb, present, type TestDb } from '@enchilada/test-support';
import { buildApp } from '../src/app.js';
import { runTrainJob } from '../src/training/train-job.js';
import { rawRows } from '../src/explain/explain-data.js';
import { DocModels } from './support/doc-models.js';

let db: TestDb;
let app: FastifyInstance;
let key: ReturnType<typeof secret>;
let ds: Dataset;
let model: ModelDetail;
/** The contributions logged with the explained predictions of `bc`, oldest first. */
let logged: Record<string, number>[] = [];
const FEATURES = ['mean radius', 'mean texture', 'mean smoothness', 'worst area', 'worst concave points'];

beforeAll(async () => {
  db = await createTestDb('viz_mon_importance');
  await migrate(db.pool, MIGRATIONS_DIR);
  const config = db.config('viz');
  key = secret(config, 'viz_secret_key');
  ds = await new ToyDatasets(DATASETS_DIR).load(db.pool, 'breast-cancer', null);
  const spec: TrainSpec = {
    datasetId: ds.id,
    datasetVersion: ds.version,
    model: 'random_forest_classifier',
    features: FEATURES,
    trainFraction: 0.8,
    grid: { n_estimators: [20], max_depth: [4] },
    folds: 2,
    seed: 5,
  };
  const queue = new JobQueue(db.pool);
  const jobId = await queue.enqueue({ kind: 'train', spec, datasetId: ds.id, createdBy: null, total: 2 });
  const job = await queue.claim('test', ['train']);
  if (!job || job.id !== jobId) throw new Error('the job was not claimed');
  const { modelId } = await runTrainJob(
    { pool: db.pool, queue },
    job as typeof job & { spec: TrainSpec },
    new AbortController().signal,
  );
  model = present(await new ModelRegistry(db.pool).get(modelId));
  const published = new PublishedModels(db.pool);
  await published.publish('bc', modelId, null);
  await published.publish('bc-plain', modelId, null);

  // twelve test rows explained by the stored artefact, logged as serve logs an explained prediction
  const table = await readTrainingTable(db.pool, ds, FEATURES, model.split.test);
  const observations = rawRows(
    table,
    Int32Array.from({ length: 12 }, (_, i) => i * 3),
  );
  const explained = explainRows(present(await storedExplainer(db.pool, modelId)), observations);
  logged = explained.map((e) => e.contributions);
  const row = (
    name: string,
    clientId: string,
    i: number,
    extra: Partial<Parameters<Predictions['insert']>[0][number]> = {},
  ) => ({
    modelName: name,
    modelId,
    version: 1,
    clientId,
    latencyMs: 1,
    observation: JSON.stringify(observations[i]),
    output: JSON.stringify({ prediction: String(explained[i].prediction), probabilities: explained[i].probabilities }),
    ...extra,
  });
  const p = new Predictions(db.pool);
  for (const [i, e] of explained.entries()) {
    const stored = {
      base_value: e.base_value,
      contributions: e.contributions,
      explanation: { output: e.output, units: e.units, value: e.value, method: e.method },
    };
    await p.insert([row('bc', `e${i}`, i, { contributions: JSON.stringify(stored) })]);
  }
  // not counted: unexplained predictions, a challenger's explained one, another model's under the same name
  await p.insert([row('bc', 'plain-1', 0), row('bc', 'plain-2', 1)]);
  await p.insert([
    row('bc', 'e0', 0, {
      role: 'challenger',
      contributions: JSON.stringify({
        base_value: 0,
        contributions: Object.fromEntries(FEATURES.map((f) => [f, 100])),
      }),
    }),
  ]);
  await p.insert([
    row('bc', 'other', 0, {
      modelId: modelId + 1000,
      version: 2,
      contributions: JSON.stringify({
        base_value: 0,
        contributions: Object.fromEntries(FEATURES.map((f) => [f, 100])),
      }),
    }),
  ]);
  await p.insert([row('bc-plain', 'p1', 0), row('bc-plain', 'p2', 1)]);
  app = await buildApp({ config, pool: db.pool, logger: false });
}, 120_000);
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

/** The plot whose title starts with `start`. */
const plotStarting = (doc: DocModels, start: string) =>
  doc.plot(
    present(
      doc
        .named('Title')
        .map((t) => String(t.attributes.text))
        .find((t) => t.startsWith(start)),
    ),
  );
const get = (url: string, doc: string) =>
  app.inject({ url, headers: { authorization: `Bearer ${signVizToken({ sub: 'a', doc }, key)}` } });
const meanAbs = (rows: readonly Record<string, number>[], f: string) =>
  rows.reduce((s, r) => s + Math.abs(r[f]), 0) / rows.length;

describe('live importance in the monitoring document', () => {
  it('draws the mean |contribution| of the explained predictions beside the Explain page’s global importance', async () => {
    const res = await get('/documents/monitoring?name=bc&hours=1', 'monitoring:name:bc');
    expect(res.statusCode).toBe(200);
    const doc = new DocModels(res.json());
    const plot = plotStarting(doc, 'Global importance: training-time (grey, ');
    const bars = doc.glyphs(plot);
    expect(bars).toHaveLength(2);
    const data = bars[0].data;
    expect([...data.column].sort()).toEqual([...FEATURES].sort());
    // live: the twelve explained champion rows, nothing else
    (data.column as string[]).forEach((f, k) =>
      expect(Math.abs((data.live[k] as number) - meanAbs(logged, f))).toBeLessThanOrEqual(1e-12),
    );
    expect(res.body).toContain('the 12 explained predictions in this window');
    expect(res.body).toContain('in probability');

    // training-time: the Explain document's global importance (two classes: the same figure)
    const explain = new DocModels(
      (await get(`/documents/explain?model=${model.id}`, `explain:model:${model.id}`)).json(),
    );
    const imp = explain.glyphs(plotStarting(explain, 'Global importance'))[0].data;
    (data.column as string[]).forEach((f, k) => {
      const v = imp.v[(imp.f as string[]).indexOf(f)] as number;
      expect(v).toBeGreaterThan(0);
      expect(Math.abs((data.training[k] as number) - v)).toBeLessThanOrEqual(1e-12);
    });
    expect(res.body).toContain(`over ${model.split.test.length} of the model's ${model.split.test.length} test rows`);
  });

  it('reads only the newest explained predictions, at most the limit', async () => {
    expect(LIVE_IMPORTANCE_ROWS).toBe(5000);
    const now = Date.now();
    const r = await liveImportance(db.pool, 'bc', model.id, new Date(now - 3_600_000), new Date(now + 60_000), 5);
    expect(r.rows).toBe(5);
    expect(r.units).toBe('probability');
    const newest = logged.slice(-5);
    for (const c of r.columns) expect(Math.abs(c.meanAbs - meanAbs(newest, c.column))).toBeLessThanOrEqual(1e-12);
    // a window before them: none
    expect(
      (await liveImportance(db.pool, 'bc', model.id, new Date(now - 7_200_000), new Date(now - 3_600_000))).rows,
    ).toBe(0);
  });

  it('says how to get live importance when no prediction in the window was explained', async () => {
    const res = await get('/documents/monitoring?name=bc-plain&hours=1', 'monitoring:name:bc-plain');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('importance-none');
    expect(res.body).toContain('call the API with <code>\\"explain\\": true</code>');
    expect(JSON.stringify(res.json())).not.toContain('Global importance: training-time');
  });
});
