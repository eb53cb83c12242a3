import type { FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import { ToyDatasets, loadDataset, openCsv, type Dataset } from '@enchilada/data';
import { JobQueue } from '@enchilada/jobs';
import type { CompareSpec } from '@enchilada/models';
import { DATASETS_DIR, createTestDb, type TestDb } from '@enchilada/test-support';
import { signedInWebApp, type Browser } from './helpers.js';

jest.setTimeout(60_000);

let db: TestDb;
let app: FastifyInstance;
let iris: Dataset;
let wide: Dataset;
let b: Browser;
let csrf: string;

beforeAll(async () => {
  db = await createTestDb('web_compare');
  // the smallest budget there is: the kernel SVM's matrix on 6,000 rows does not fit in it
  ({
    app,
    browser: b,
    csrf,
  } = await signedInWebApp(
    db,
    { TRAIN_MAX_MEMORY_MB: '64', TRAIN_WORKERS: '2', TRAIN_MAX_ACTIVE_JOBS: '100' },
    {
      seed: async () => {
        iris = await new ToyDatasets(DATASETS_DIR).load(db.pool, 'iris', null);
        let seed = 1;
        const r = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
        const lines = [
          'x1,x2,label',
          ...Array.from({ length: 6_000 }, () => `${r().toFixed(6)},${r().toFixed(6)},${r() < 0.5 ? 'a' : 'b'}`),
        ];
        wide = await loadDataset(
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
    url: '/api/compare',
    payload: body as object,
    headers: { cookie: b.cookieHeader, 'x-csrf-token': csrf, accept: 'application/json' },
  });

describe('compare-all requests', () => {
  it('queue every model of the task on the Train page’s default features, with the budget in seconds', async () => {
    const res = await post({ dataset: iris.id, budgetMinutes: 2 });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body.page).toBe(`/compare/${body.job}`);
    expect(body.budgetSeconds).toBe(120);
    const job = await new JobQueue(db.pool).get(body.job);
    const spec = job?.spec as CompareSpec;
    expect(job?.kind).toBe('compare');
    expect(job?.total).toBe(120);
    expect(spec.features).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    expect([...spec.models, ...body.skipped.map((s: { model: string }) => s.model)].sort()).toEqual([
      'gaussian_nb',
      'gradient_boosting_classifier',
      'hist_gradient_boosting_classifier',
      'knn_classifier',
      'linear_svc',
      'logistic_regression',
      'random_forest_classifier',
      'svc',
    ]);
  });

  it('leave out, by name and with why, the models whose memory estimate is over the budget', async () => {
    const res = await post({ dataset: wide.id });
    expect(res.statusCode).toBe(202);
    const { models, skipped } = res.json<{ models: string[]; skipped: { model: string; why: string }[] }>();
    expect(skipped.map((s) => s.model)).toContain('svc');
    expect(models).toContain('logistic_regression');
    for (const s of skipped) {
      expect(models).not.toContain(s.model);
      expect(s.why).toMatch(/needs about .+ \(/);
    }
  });

  it.each([
    ['a budget over an hour', { budgetMinutes: 61 }, 'budgetMinutes', /between 1 and 60 minutes/],
    ['a budget under a minute', { budgetMinutes: 0.5 }, 'budgetMinutes', /between 1 and 60 minutes/],
    ['an unknown feature', { features: ['nope'] }, 'features', /unknown feature "nope"/],
    ['the target as a feature', { features: ['species'] }, 'features', /cannot be a feature/],
    ['a split out of range', { trainFraction: 0.99 }, 'trainFraction', /between 0.05 and 0.95/],
  ])('refuse %s with a 400 naming the field', async (_what, change, field, message) => {
    const res = await post({ dataset: iris.id, ...change });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(message);
    expect(res.json().field).toBe(field);
  });

  it('refuse a dataset that does not exist', async () => {
    const res = await post({ dataset: 999_999 });
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toBe('there is no such dataset (it may have been deleted)');
  });

  it('show the comparison’s page, and 404 for a job that is not a comparison', async () => {
    const res = await post({ dataset: iris.id, budgetMinutes: 1 });
    const page = await b.get(res.json().page);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Compare all models on Iris');
    expect(page.body).toContain('data-testid="leaderboard"');
    const train = await new JobQueue(db.pool).enqueue({
      kind: 'train',
      spec: {},
      datasetId: iris.id,
      createdBy: null,
      total: 1,
    });
    expect((await b.get(`/compare/${train}`)).statusCode).toBe(404);
  });
});
