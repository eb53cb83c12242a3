// Retraining on logged outcomes (issue 19): the job builds a new dataset from the champion's rows
// plus the name's predictions that have outcomes (counted: each request once, the challenger's rows
// and other names' left out, those without an outcome left out), trains the champion's spec on it
// and sets the model as the name's challenger.
import { migrate, quoteIdent, type RowDataPacket } from '@enchilada/core';
import { Catalog, ToyDatasets, type Dataset } from '@enchilada/data';
import { JobQueue } from '@enchilada/jobs';
import {
  ModelRegistry,
  Predictions,
  PublishedModels,
  type NewPrediction,
  type TrainResult,
  type TrainSpec,
} from '@enchilada/models';
import { DATASETS_DIR, MIGRATIONS_DIR, createTestDb, present, type TestDb } from '@enchilada/test-support';
import { startJobLoop, type JobLoop } from '../src/training/job-loop.js';
import { retrainDatasetName } from '../src/training/retrain-data.js';
import { quiet, waitFinal } from './support/jobs.js';

let db: TestDb;
let iris: Dataset;
let loop: JobLoop;
let queue: JobQueue;
let champion: number;
jest.setTimeout(120_000);
const FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
const admin = { id: 1, role: 'admin' };

const spec = (over: Partial<TrainSpec> = {}): TrainSpec => ({
  datasetId: iris.id,
  datasetVersion: iris.version,
  model: 'logistic_regression',
  features: FEATURES,
  trainFraction: 0.8,
  grid: { C: [1, 10] },
  folds: 3,
  seed: 7,
  ...over,
});

beforeAll(async () => {
  db = await createTestDb('viz_retrain');
  await migrate(db.pool, MIGRATIONS_DIR);
  iris = await new ToyDatasets(DATASETS_DIR).load(db.pool, 'iris', null);
  queue = new JobQueue(db.pool);
  loop = startJobLoop(db.pool, quiet, { pollMs: 100 });
  const trained = await waitFinal(
    queue,
    await queue.enqueue({ kind: 'train', spec: spec(), datasetId: iris.id, createdBy: null, total: 6 }),
  );
  expect(trained.error).toBeNull();
  champion = (trained.result as TrainResult).modelId;
  await new PublishedModels(db.pool).publish('iris-live', champion, null);
}, 180_000);
afterAll(async () => {
  await loop?.stop();
  await db?.drop();
});

const row = (
  name: string,
  clientId: string,
  observation: Record<string, unknown>,
  role: 'champion' | 'challenger' = 'champion',
): NewPrediction => ({
  modelName: name,
  modelId: champion,
  version: 1,
  clientId,
  observation: JSON.stringify(observation),
  output: JSON.stringify({ prediction: 'setosa' }),
  latencyMs: 1,
  role,
});

describe('retrain on outcomes', () => {
  it('refuses to train when no prediction has an outcome (the job fails saying so)', async () => {
    const j = await waitFinal(
      queue,
      await queue.enqueue({
        kind: 'train',
        spec: spec({ retrain: { name: 'iris-live', championModelId: champion, actor: admin } }),
        datasetId: iris.id,
        createdBy: null,
        total: 6,
      }),
    );
    expect(j.status).toBe('failed');
    expect(j.error).toMatch(/no prediction of "iris-live" has an outcome/);
  });

  it("builds the champion's rows plus each request with an outcome once, trains the champion's spec and sets the challenger", async () => {
    const predictions = new Predictions(db.pool);
    const obs = (i: number) => ({
      sepal_length: 7 + i / 10,
      sepal_width: 3,
      petal_length: 6,
      petal_width: 2.1,
      extra: 'ignored',
    });
    const rows: NewPrediction[] = [];
    for (let i = 0; i < 12; i++)
      rows.push(row('iris-live', `r${i}`, obs(i)), row('iris-live', `r${i}`, obs(i), 'challenger'));
    // One observation leaves a feature out: an empty cell, a missing value in the new dataset.
    rows.push(row('iris-live', 'gap', { sepal_length: 5, sepal_width: 3.4, petal_length: 1.5 }));
    rows.push(row('other-name', 'r0', obs(0)));
    await predictions.insert(rows);
    for (let i = 0; i < 10; i++) await predictions.setOutcome('iris-live', `r${i}`, 'virginica', false);
    await predictions.setOutcome('iris-live', 'gap', 'setosa', false);
    await predictions.setOutcome('other-name', 'r0', 'setosa', false);

    const id = await queue.enqueue({
      kind: 'train',
      spec: spec({ retrain: { name: 'iris-live', championModelId: champion, actor: admin } }),
      datasetId: iris.id,
      createdBy: null,
      total: 6,
    });
    const j = await waitFinal(queue, id);
    expect(j.error).toBeNull();
    const r = j.result as TrainResult;
    // 150 rows of Iris, 10 + 1 requests with outcomes (their challenger rows, the two without outcome and the other name's left out).
    expect(r.retrain).toEqual({
      datasetId: expect.any(Number),
      original: 150,
      fromOutcomes: 11,
      challengerOf: 'iris-live',
    });
    expect(r.rows).toBe(161);
    const ds = present(await new Catalog(db.pool).get(present(r.retrain).datasetId));
    expect(ds.rowCount).toBe(161);
    expect(ds.name).toMatch(/^iris-retrain-\d{8}-\d{6}-\d+$/);
    expect(ds.columns).toEqual(iris.columns);
    // The rows after Iris's own, in the order the log was read (newest first): the gap row, then r9 … r0.
    const [added] = await db.pool.query<RowDataPacket[]>(
      `SELECT species, sepal_length, petal_width FROM ${quoteIdent(ds.tableName)} ORDER BY \`_row\` LIMIT 11 OFFSET 150`,
    );
    expect(
      added.map((a) => [
        String(a.species),
        Number(a.sepal_length),
        a.petal_width === null ? null : Number(a.petal_width),
      ]),
    ).toEqual([['setosa', 5, null], ...Array.from({ length: 10 }, (_, k) => ['virginica', 7 + (9 - k) / 10, 2.1])]);
    const [own] = await db.pool.query<
      RowDataPacket[]
    >(`SELECT COUNT(*) AS n FROM ${quoteIdent(ds.tableName)} t JOIN ${quoteIdent(iris.tableName)} o ON o.\`_row\` = t.\`_row\`
      WHERE o.species = t.species AND o.sepal_length = t.sepal_length AND o.petal_width = t.petal_width`);
    expect(Number(own[0].n)).toBe(150);
    // The champion's spec, on the new dataset; the model is the name's challenger now.
    const m = present(await new ModelRegistry(db.pool).get(r.modelId));
    expect([m.modelType, m.features, m.grid, m.datasetId]).toEqual([
      'logistic_regression',
      FEATURES,
      { C: [1, 10] },
      ds.id,
    ]);
    const p = (await new PublishedModels(db.pool).list()).find((n) => n.name === 'iris-live');
    expect(p).toEqual(expect.objectContaining({ modelId: champion, version: 1, challengerModelId: r.modelId }));
  });

  it('names the new dataset within the 64 characters a name may have', () => {
    expect(retrainDatasetName('a'.repeat(64), new Date('2026-12-04T23:01:02Z'))).toBe(
      `${'a'.repeat(40)}-retrain-20261204-230102`,
    );
    expect(retrainDatasetName('a'.repeat(64)).length).toBeLessThanOrEqual(64);
    expect(retrainDatasetName('iris', new Date('2026-12-04T23:01:02Z'), 41)).toBe('iris-retrain-20261204-230102-41');
    expect(retrainDatasetName('a'.repeat(64), new Date(), 123456).length).toBeLessThanOrEqual(64);
  });
});
