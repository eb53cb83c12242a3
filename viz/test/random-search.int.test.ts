import { migrate } from '@enchilada/core';
import { ToyDatasets, type Dataset } from '@enchilada/data';
import { randomCandidates } from '@enchilada/ml';
import { JobQueue } from '@enchilada/jobs';
import { ModelRegistry, type TrainResult, type TrainSpec } from '@enchilada/models';
import { DATASETS_DIR, MIGRATIONS_DIR, createTestDb, type TestDb } from '@enchilada/test-support';
import { startJobLoop, type JobLoop } from '../src/training/job-loop.js';
import { quiet, waitFinal } from './support/jobs.js';

// A random search on the Train page is a training job whose spec lists its candidates (drawn by the
// web side from the model's search space): the job cross-validates exactly those, refits the best
// and stores it like a grid search's model.
let db: TestDb;
let wine: Dataset;
let loop: JobLoop | undefined;

beforeAll(async () => {
  db = await createTestDb('viz_random_search');
  await migrate(db.pool, MIGRATIONS_DIR);
  wine = await new ToyDatasets(DATASETS_DIR).load(db.pool, 'wine', null);
}, 60_000);
afterAll(async () => {
  await loop?.stop();
  await db?.drop();
});

describe('random search training jobs', () => {
  it('cross-validate the drawn candidates (not a product of their values), refit the best and store it', async () => {
    loop = startJobLoop(db.pool, quiet, { pollMs: 100 });
    const q = new JobQueue(db.pool);
    const candidates = randomCandidates('knn_classifier', 6, 214).map((p) =>
      Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Number(v)])),
    );
    expect(candidates[0]).toEqual({});
    const grid: Record<string, number[]> = {
      n_neighbors: [...new Set(candidates.flatMap((c) => (c.n_neighbors === undefined ? [] : [c.n_neighbors])))].sort(
        (a, b) => a - b,
      ),
    };
    const spec: TrainSpec = {
      datasetId: wine.id,
      datasetVersion: wine.version,
      model: 'knn_classifier',
      features: wine.columns.filter((c) => c.name !== wine.target).map((c) => c.name),
      trainFraction: 0.8,
      grid,
      folds: 5,
      seed: 214,
      search: { kind: 'random', candidates: 6, seed: 214 },
      candidates,
    };
    const id = await q.enqueue({ kind: 'train', spec, datasetId: wine.id, createdBy: null, total: 30 });
    const job = await waitFinal(q, id, 120_000);
    expect(job.error).toBeNull();
    expect(job.status).toBe('done');
    expect(job.done).toBe(30);
    const r = job.result as TrainResult;
    const m = await new ModelRegistry(db.pool).get(r.modelId);
    // the six candidates, the defaults ({}: scikit-learn's 5 neighbours) among them
    expect(m?.cvResults.map((c) => c.params)).toEqual(expect.arrayContaining(candidates));
    expect(m?.cvResults).toHaveLength(6);
    expect(candidates).toContainEqual(r.bestParams);
    const best = m?.cvResults.find((c) => c.rank === 1);
    expect(best?.mean).toBeCloseTo(r.cvScore, 12);
    expect(r.testScore).toBeGreaterThan(0.85);
    expect(r.onnxLabelMismatches).toBe(0);
  }, 180_000);
});
