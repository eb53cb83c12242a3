import type { FastifyInstance } from 'fastify';
import type { RowDataPacket } from '@enchilada/core';
import { Catalog, ToyDatasets, type Dataset } from '@enchilada/data';
import { JobQueue } from '@enchilada/jobs';
import { DATASETS_DIR, createTestDb, type TestDb } from '@enchilada/test-support';
import { signedInWebApp, type Browser } from './helpers.js';

// Each sign-in hashes once with scrypt at N=2^17 (about 0.9 s on a small CI machine).
jest.setTimeout(60_000);

let db: TestDb;
let app: FastifyInstance;
let iris: Dataset;
let mpg: Dataset;
let b: Browser;
let csrf: string;

beforeAll(async () => {
  db = await createTestDb('web_train');
  // two workers as on the machines measured; 1 GiB as in the issue
  ({
    app,
    browser: b,
    csrf,
  } = await signedInWebApp(
    db,
    { TRAIN_MAX_FITS: '500', TRAIN_MAX_MEMORY_MB: '1024', TRAIN_WORKERS: '2', TRAIN_MAX_ACTIVE_JOBS: '100' },
    {
      seed: async () => {
        const toys = new ToyDatasets(DATASETS_DIR);
        iris = await toys.load(db.pool, 'iris', null);
        mpg = await toys.load(db.pool, 'auto-mpg', null);
      },
    },
  ));
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const post = (body: unknown) =>
  app.inject({
    method: 'POST',
    url: '/api/train',
    payload: body as object,
    headers: { cookie: b.cookieHeader, 'x-csrf-token': csrf, accept: 'application/json' },
  });
const ok = () => ({
  dataset: iris.id,
  model: 'logistic_regression',
  features: ['sepal_length', 'petal_width'],
  trainFraction: 0.8,
  ranges: { C: { min: 0.1, max: 20.1 } },
});

describe('training requests', () => {
  it('queues a valid request with its grid and fit count', async () => {
    const res = await post(ok());
    expect(res.statusCode).toBe(202);
    expect(res.json().fits).toBe(15);
    const job = await app.inject({
      url: `/api/jobs/${res.json().job}`,
      headers: { cookie: b.cookieHeader, accept: 'application/json' },
    });
    expect(job.json()).toMatchObject({ status: 'queued', total: 15 });
  });

  it.each([
    ['an unknown feature', { features: ['nope'] }, 'features', /unknown feature "nope"/],
    ['no feature', { features: [] }, 'features', /at least one feature/],
    ['the target as a feature', { features: ['species'] }, 'features', /cannot be a feature/],
    [
      'an unknown imputation',
      { preprocessing: { numericStrategy: 'mode' } },
      'preprocessing.numericStrategy',
      /must be equal to one of the allowed values/,
    ],
    [
      'a fractional count of rare categories',
      { preprocessing: { minFrequency: 2.5 } },
      'preprocessing.minFrequency',
      /a count \(a whole number ≥ 1\) or a share/,
    ],
    ['a model of the other task', { model: 'ridge' }, 'model', /regression model/],
    ['an unknown model', { model: 'deep_net' }, 'model', /unknown model/],
    ['a split out of range', { trainFraction: 0.99 }, 'trainFraction', /between 0.05 and 0.95/],
    ['an empty grid', { ranges: { C: { min: 200, max: 300 } } }, 'ranges.C', /holds no slider value/],
    [
      'a hyperparameter the model lacks',
      { ranges: { alpha: { min: 0.1, max: 0.1 } } },
      'ranges.alpha',
      /no hyperparameter "alpha"/,
    ],
  ])('refuses %s with a 400 naming the field', async (_what, change, field, message) => {
    const res = await post({ ...ok(), ...change });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(message);
    expect(res.json().field).toBe(field);
  });

  it('queues a random search: its candidates drawn from the search space with the split seed, the defaults first, the draws as the grid', async () => {
    const res = await post({
      ...ok(),
      model: 'random_forest_classifier',
      ranges: undefined,
      search: { kind: 'random', candidates: 12 },
    });
    expect(res.statusCode).toBe(202);
    expect(res.json().fits).toBe(60);
    const job = (
      await app.inject({
        url: `/api/jobs/${res.json().job}`,
        headers: { cookie: b.cookieHeader, accept: 'application/json' },
      })
    ).json();
    expect(job.total).toBe(60);
    expect(job.spec.search).toEqual({ kind: 'random', candidates: 12, seed: 214 });
    expect(job.spec.candidates).toHaveLength(12);
    expect(job.spec.candidates[0]).toEqual({});
    expect(job.spec.ranges).toBeUndefined();
    for (const c of job.spec.candidates.slice(1)) {
      expect(c.n_estimators).toBeGreaterThanOrEqual(50);
      expect(c.n_estimators).toBeLessThanOrEqual(300);
      expect(job.spec.grid.n_estimators).toContain(c.n_estimators);
      expect(job.spec.grid.max_depth).toContain(c.max_depth);
    }
    // the same request draws the same candidates
    const again = await post({
      ...ok(),
      model: 'random_forest_classifier',
      ranges: undefined,
      search: { kind: 'random', candidates: 12 },
    });
    const job2 = (
      await app.inject({
        url: `/api/jobs/${again.json().job}`,
        headers: { cookie: b.cookieHeader, accept: 'application/json' },
      })
    ).json();
    expect(job2.spec.candidates).toEqual(job.spec.candidates);
    // a grid request is unchanged by the option
    expect((await post({ ...ok(), search: { kind: 'grid' } })).json().fits).toBe(15);
  });

  it.each([
    [
      'too few candidates',
      { search: { kind: 'random', candidates: 1 } },
      'search.candidates',
      /draws 2–200 candidates, got 1/,
    ],
    [
      'too many candidates',
      { search: { kind: 'random', candidates: 500 } },
      'search.candidates',
      /draws 2–200 candidates, got 500/,
    ],
    ['an unknown search', { search: { kind: 'bayes' } }, 'search.kind', /must be equal to one of the allowed values/],
  ])('refuses a random search with %s, naming the field', async (_what, change, field, message) => {
    const res = await post({ ...ok(), ...change });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(message);
    expect(res.json().field).toBe(field);
  });

  it('refuses a random search of a model with nothing to tune', async () => {
    const res = await post({
      dataset: mpg.id,
      model: 'linear_regression',
      features: ['weight'],
      trainFraction: 0.8,
      search: { kind: 'random', candidates: 5 },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      field: 'search.kind',
      message: expect.stringMatching(/nothing to tune: use the grid search/),
    });
  });

  it('queues a log-scale grid: the values searched are the powers of ten the form lists, stored with the ranges asked for', async () => {
    const jobOf = async (res: { json: () => { job: number } }) =>
      (
        await app.inject({
          url: `/api/jobs/${res.json().job}`,
          headers: { cookie: b.cookieHeader, accept: 'application/json' },
        })
      ).json().spec;
    const one = await post({ ...ok(), ranges: { C: { min: 0.001, max: 1000, scale: 'log', perDecade: 1 } } });
    expect(one.statusCode).toBe(202);
    expect(one.json().fits).toBe(35);
    const spec = await jobOf(one);
    expect(spec.grid).toEqual({ C: [0.001, 0.01, 0.1, 1, 10, 100, 1000] });
    expect(spec.ranges).toEqual({ C: { min: 0.001, max: 1000, scale: 'log', perDecade: 1 } });
    const two = await post({ ...ok(), ranges: { C: { min: 0.01, max: 10, scale: 'log', perDecade: 2 } } });
    expect((await jobOf(two)).grid).toEqual({ C: [0.01, 0.0316, 0.1, 0.316, 1, 3.16, 10] });
    // Without a scale, the seed's linear slider, as before.
    expect((await jobOf(await post(ok()))).grid).toEqual({ C: [0.1, 10.1, 20.1] });
  });

  it.each([
    [
      'a log scale for a hyperparameter without one',
      { dataset: 0, model: 'knn_classifier', ranges: { n_neighbors: { min: 3, max: 10, scale: 'log' } } },
      'ranges.n_neighbors.scale',
      /no log scale/,
    ],
    [
      'an unsupported count per decade',
      { ranges: { C: { min: 0.001, max: 1000, scale: 'log', perDecade: 4 } } },
      'ranges.C.perDecade',
      /perDecade must be one of 1, 2, 3/,
    ],
    [
      'an empty log range',
      { ranges: { C: { min: 2, max: 3, scale: 'log' } } },
      'ranges.C',
      /holds no slider value \(log scale 0.001–1000, 1 per decade\)/,
    ],
  ])('refuses %s with a 400 naming the field', async (_what, change, field, message) => {
    const res = await post({ ...ok(), ...change, dataset: iris.id });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(message);
    expect(res.json().field).toBe(field);
  });

  it('queues a text feature with the preprocessing chosen for it', async () => {
    const preprocessing = {
      numericStrategy: 'median',
      categoricalStrategy: 'most_frequent',
      encoding: 'ordinal',
      minFrequency: 5,
    };
    const res = await post({
      dataset: mpg.id,
      model: 'ridge',
      features: ['origin', 'horsepower'],
      trainFraction: 0.8,
      ranges: { alpha: { min: 0.1, max: 0.1 } },
      preprocessing,
    });
    expect(res.statusCode).toBe(202);
    const job = await app.inject({
      url: `/api/jobs/${res.json().job}`,
      headers: { cookie: b.cookieHeader, accept: 'application/json' },
    });
    expect(job.json().spec).toMatchObject({ features: ['origin', 'horsepower'], preprocessing });
  });

  it('refuses more fits than the limit', async () => {
    const res = await post({
      dataset: mpg.id,
      model: 'gradient_boosting_regressor',
      features: ['weight'],
      trainFraction: 0.8,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toBe('400 candidates × 5 folds = 2000 fits, above the limit of 500: narrow a range');
    expect(res.json().field).toBe('ranges');
  });

  it('queues a kernel SVM on 25,000 rows (issue 15): its kernel rows live in a bounded cache, within the budget', async () => {
    // iris's columns with statistics of 25,000 rows: only the estimate reads the row count
    const stats = iris.stats && { ...iris.stats, rows: 25_000 };
    const big = await new Catalog(db.pool).insert(db.pool, {
      ...iris,
      name: 'iris_25k',
      title: 'Iris × 25,000',
      tableName: 'ds_iris_25k_none',
      stats,
      rowCount: 25_000,
    });
    const res = await post({
      dataset: big,
      model: 'svc',
      features: ['sepal_length', 'petal_width'],
      trainFraction: 0.8,
      ranges: { C: { min: 10.1, max: 10.1 } },
    });
    expect(res.statusCode).toBe(202);
  });

  it('refuses a job whose memory exceeds the budget, with a 400 that says why and what to do', async () => {
    // a deep forest on 20,000,000 rows: the data copies alone pass the budget
    const stats = iris.stats && { ...iris.stats, rows: 20_000_000 };
    const big = await new Catalog(db.pool).insert(db.pool, {
      ...iris,
      name: 'iris_20m',
      title: 'Iris × 20,000,000',
      tableName: 'ds_iris_20m_none',
      stats,
      rowCount: 20_000_000,
    });
    const res = await post({
      dataset: big,
      model: 'random_forest_classifier',
      features: ['sepal_length', 'petal_width'],
      trainFraction: 0.8,
      ranges: { n_estimators: { min: 50, max: 50 }, max_depth: { min: 10, max: 10 } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe('model');
    expect(res.json().message).toMatch(
      /^Random forest on 20,000,000 rows needs about [\d.]+ GB \(.+\), above the training budget of 1\.1 GB \(TRAIN_MAX_MEMORY_MB\): use a dataset of at most [\d,]+ rows \(a sample\)( or another model \(.*\))?$/,
    );
    const [rows] = await db.pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM jobs WHERE dataset_id = ?', [big]);
    expect(Number(rows[0].n)).toBe(0);
    // the same request on Iris itself is queued
    expect(
      (
        await post({
          dataset: iris.id,
          model: 'random_forest_classifier',
          features: ['sepal_length', 'petal_width'],
          trainFraction: 0.8,
          ranges: { n_estimators: { min: 50, max: 50 }, max_depth: { min: 10, max: 10 } },
        })
      ).statusCode,
    ).toBe(202);
  });

  it('refuses a request without a CSRF token', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/train',
      payload: ok(),
      headers: { cookie: b.cookieHeader, accept: 'application/json' },
    });
    expect(res.statusCode).toBe(403);
  });
});

describe('a job whose worker stopped, and Retry', () => {
  const getJob = (id: number) =>
    app.inject({ url: `/api/jobs/${id}`, headers: { cookie: b.cookieHeader, accept: 'application/json' } });
  const retry = (id: number) =>
    app.inject({
      method: 'POST',
      url: `/api/jobs/${id}/retry`,
      headers: { cookie: b.cookieHeader, 'x-csrf-token': csrf, accept: 'application/json' },
    });

  it('reports a running job whose worker has been silent as stalled, with the seconds until it is failed', async () => {
    const id = (await post(ok())).json().job as number;
    const q = new JobQueue(db.pool);
    // a worker claims it, then dies: its heartbeat stops
    await db.pool.query(
      `UPDATE jobs SET status = 'running', worker = 'viz-dead', started_at = CURRENT_TIMESTAMP(3), heartbeat_at = CURRENT_TIMESTAMP(3) WHERE id = ?`,
      [id],
    );
    expect((await getJob(id)).json().stalled).toBeNull();
    await db.pool.query('UPDATE jobs SET heartbeat_at = CURRENT_TIMESTAMP(3) - INTERVAL 20 SECOND WHERE id = ?', [id]);
    const stalled = (await getJob(id)).json().stalled;
    expect(stalled.silentSeconds).toBeGreaterThanOrEqual(20);
    expect(stalled.failsWithinSeconds).toBeGreaterThanOrEqual(18);
    expect(stalled.failsWithinSeconds).toBeLessThanOrEqual(20);
    const list = await app.inject({
      url: '/api/jobs?active=true',
      headers: { cookie: b.cookieHeader, accept: 'application/json' },
    });
    expect(list.json().jobs.find((j: { id: number }) => j.id === id).stalled).toEqual(stalled);
    await q.fail(id, 'cleanup');
  });

  it('retries a failed job as a new queued job with the same spec, and leaves the failed one as it was', async () => {
    const id = (await post(ok())).json().job as number;
    const q = new JobQueue(db.pool);
    expect((await retry(id)).statusCode).toBe(409);
    await q.fail(id, 'the job was interrupted: its worker stopped');
    const res = await retry(id);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ fits: 15, retryOf: id });
    const again = res.json().job as number;
    expect(again).toBeGreaterThan(id);
    const [old, fresh] = [await q.get(id), await q.get(again)];
    expect(fresh?.spec).toEqual(old?.spec);
    expect([fresh?.status, fresh?.total, fresh?.datasetId]).toEqual(['queued', 15, iris.id]);
    expect([old?.status, old?.error]).toEqual(['failed', 'the job was interrupted: its worker stopped']);
  });

  it('retries a cancelled job, and refuses one that is queued or done with a 409 saying why', async () => {
    const id = (await post(ok())).json().job as number;
    const q = new JobQueue(db.pool);
    expect(await q.requestCancel(id)).toBe(true);
    const res = await retry(id);
    expect(res.statusCode).toBe(202);
    const again = res.json().job as number;
    const queued = await retry(again);
    expect(queued.statusCode).toBe(409);
    expect(queued.json().message).toBe(`job ${again} is queued: only a failed or cancelled job can be retried`);
    await db.pool.query(`UPDATE jobs SET status = 'done' WHERE id = ?`, [again]);
    expect((await retry(again)).statusCode).toBe(409);
  });

  it('refuses to retry a job whose dataset changed since, with a 409 naming the versions', async () => {
    const id = (await post(ok())).json().job as number;
    const q = new JobQueue(db.pool);
    await q.fail(id, 'failed');
    await db.pool.query("UPDATE jobs SET spec = JSON_SET(spec, '$.datasetVersion', 0) WHERE id = ?", [id]);
    const res = await retry(id);
    expect(res.statusCode).toBe(409);
    expect(res.json().message).toMatch(
      new RegExp(
        `^${iris.title} changed since job ${id} was started \\(version 0, now ${iris.version}\\): start a new job from the Train page$`,
      ),
    );
    expect((await retry(999_999)).statusCode).toBe(404);
  });
});
