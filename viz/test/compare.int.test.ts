import { migrate } from '@enchilada/core';
import { Readable } from 'node:stream';
import { ToyDatasets, loadDataset, openCsv, type Dataset } from '@enchilada/data';
import { JobQueue } from '@enchilada/jobs';
import { ModelRegistry, type CompareJobResult, type CompareSpec, type TrainResult } from '@enchilada/models';
import { DATASETS_DIR, MIGRATIONS_DIR, createTestDb, present, type TestDb } from '@enchilada/test-support';
import { startJobLoop, type JobLoop } from '../src/training/job-loop.js';
import { quiet, waitFinal } from './support/jobs.js';

jest.setTimeout(120_000);

let db: TestDb;
let iris: Dataset;
let noise: Dataset;
let loop: JobLoop;

beforeAll(async () => {
  db = await createTestDb('viz_compare');
  await migrate(db.pool, MIGRATIONS_DIR);
  iris = await new ToyDatasets(DATASETS_DIR).load(db.pool, 'iris', null);
  // 4,000 rows of noise: far more work than a 5 s budget, whatever the machine
  let seed = 7;
  const r = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const lines = [
    'x1,x2,label',
    ...Array.from({ length: 4_000 }, () => `${r().toFixed(6)},${r().toFixed(6)},${r() < 0.5 ? 'a' : 'b'}`),
  ];
  noise = await loadDataset(
    db.pool,
    {
      name: 'noise',
      title: 'Noise',
      origin: 'upload',
      task: 'classification',
      createdBy: null,
      columns: [
        { name: 'x1', type: 'decimal', role: 'feature' },
        { name: 'x2', type: 'decimal', role: 'feature' },
        { name: 'label', type: 'text', role: 'target' },
      ],
    },
    await openCsv(Readable.from([Buffer.from(lines.join('\n'))])),
  );
  loop = startJobLoop(db.pool, quiet, { pollMs: 100 });
});
afterAll(async () => {
  await loop?.stop();
  await db?.drop();
});

const spec = (over: Partial<CompareSpec> = {}): CompareSpec => ({
  datasetId: iris.id,
  datasetVersion: iris.version,
  models: ['logistic_regression', 'knn_classifier', 'gaussian_nb'],
  features: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'],
  trainFraction: 0.8,
  folds: 5,
  seed: 214,
  budgetSeconds: 60,
  ...over,
});

describe('compare-all jobs', () => {
  it('rank every model’s candidates, then train the best of each model fully into the registry', async () => {
    const q = new JobQueue(db.pool);
    const id = await q.enqueue({ kind: 'compare', spec: spec(), datasetId: iris.id, createdBy: null, total: 60 });
    const job = await waitFinal(q, id);
    expect(job.error).toBeNull();
    expect(job.status).toBe('done');
    const r = job.result as CompareJobResult;
    expect(r.stoppedBy).toBe('finished');
    expect(r.scoreName).toBe('accuracy');
    // 8 + 8 + 8 candidates (gaussian NB tunes var_smoothing) in the first bracket, then brackets of
    // 24 more (neighbours of the leaders, fresh draws) until two in a row find no better leader:
    // every candidate on the leaderboard once
    const singles = r.leaderboard.filter((e) => !e.members);
    expect(singles.length).toBeGreaterThanOrEqual(3 * 24);
    expect(singles.length % 24).toBe(0);
    expect(new Set(singles.map((e) => `${e.model} ${JSON.stringify(e.params)}`)).size).toBe(singles.length);
    // one more row: the soft-voting ensemble of the three families' best, cross-validated on the same
    // folds, ranked among them by its score, and stored in the registry when it beats the best single model
    const ensembles = r.leaderboard.filter((e) => e.members);
    expect(ensembles).toHaveLength(1);
    const ens = ensembles[0];
    expect(ens?.model).toBe('soft_voting_classifier');
    expect(ens?.members?.map((m) => m.model).sort()).toEqual(['gaussian_nb', 'knn_classifier', 'logistic_regression']);
    expect(ens?.rows).toBe(120);
    for (const m of ens?.members ?? [])
      expect(singles.find((e) => e.model === m.model && e.rows === 120)?.params).toEqual(m.params);
    const bestSingle = singles[0]?.meanScore ?? 1;
    const place = r.leaderboard.indexOf(present(ens));
    expect(r.leaderboard.slice(0, place).every((e) => e.meanScore >= (ens?.meanScore ?? 0))).toBe(true);
    if ((ens?.meanScore ?? 0) > bestSingle) {
      expect(place).toBe(0);
      const stored = await new ModelRegistry(db.pool).get(present(ens?.modelId));
      expect(stored?.modelType).toBe('soft_voting_classifier');
      expect(stored?.cvScore).toBeCloseTo(ens?.meanScore ?? 0, 12);
      expect(stored?.testScore).toBeGreaterThan(0.8);
    } else {
      expect(ens?.modelId).toBeUndefined();
    }
    expect(new Set(singles.map((e) => e.model))).toEqual(
      new Set(['logistic_regression', 'knn_classifier', 'gaussian_nb']),
    );
    const top = r.leaderboard[0];
    expect(top?.rows).toBe(120); // the last round uses every training row (80 % of 150)
    expect(top?.meanScore).toBeGreaterThan(0.9);
    for (const e of r.leaderboard) expect(e.predictMsPer1000).toBeGreaterThanOrEqual(0);
    // one full training per model, with its best candidate's parameters as a one-point grid
    expect(r.trainJobs.map((t) => t.model).sort()).toEqual(['gaussian_nb', 'knn_classifier', 'logistic_regression']);
    const registry = new ModelRegistry(db.pool);
    for (const t of r.trainJobs) {
      const trained = await waitFinal(q, t.job);
      expect(trained.status).toBe('done');
      const result = trained.result as TrainResult;
      expect(result.bestParams).toEqual(t.params);
      const model = await registry.get(result.modelId);
      expect(model?.modelType).toBe(t.model);
      const best = r.leaderboard.find((e) => e.model === t.model);
      expect(best?.params).toEqual(t.params);
      // the full training's CV score is the leaderboard's: the same rows, folds and candidate
      if (best?.rows === 120) expect(result.cvScore).toBeCloseTo(best.meanScore, 10);
    }
  });

  it('stops at the budget with the candidates that finished, and still trains the best of each model reached', async () => {
    const q = new JobQueue(db.pool);
    const id = await q.enqueue({
      kind: 'compare',
      datasetId: noise.id,
      createdBy: null,
      total: 2,
      spec: spec({
        datasetId: noise.id,
        datasetVersion: noise.version,
        features: ['x1', 'x2'],
        models: [
          'logistic_regression',
          'knn_classifier',
          'random_forest_classifier',
          'gradient_boosting_classifier',
          'svc',
        ],
        budgetSeconds: 5,
      }),
    });
    const t0 = Date.now();
    const job = await waitFinal(q, id);
    expect(job.status).toBe('done');
    const r = job.result as CompareJobResult;
    expect(r.stoppedBy).toBe('budget');
    // The budget, reading the data and stopping the workers (3 s), and at most one candidate's fit
    // past the budget (issue 21: a comparison never exceeds its budget by more than one candidate's
    // fit; seen: 8.04 s on a 5 s budget at a load of 2 in CI).
    const slowestFit = Math.max(0, ...r.leaderboard.map((e) => e.fitSeconds).filter(Number.isFinite));
    expect(r.seconds).toBeLessThan(5 + 3 + slowestFit);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(r.leaderboard.length).toBeGreaterThan(0);
    // one training job per model reached; the soft-voting ensemble's row (members) is registered by the comparison itself
    expect(r.trainJobs.length).toBe(
      new Set(r.leaderboard.filter((e) => !e.members && Number.isFinite(e.meanScore)).map((e) => e.model)).size,
    );
    for (const t of r.trainJobs) await q.requestCancel(t.job);
  });
});
