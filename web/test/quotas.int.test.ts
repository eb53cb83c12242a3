// Per-person quotas: training jobs queued or running, and uploads waiting to be loaded (count and bytes).
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { RowDataPacket } from '@enchilada/core';
import { ToyDatasets, type Dataset } from '@enchilada/data';
import { DATASETS_DIR, createTestDb, type TestDb } from '@enchilada/test-support';
import { signedInWebApp, type Browser } from './helpers.js';

let db: TestDb;
let app: FastifyInstance;
let iris: Dataset;
let b: Browser;
let csrf: string;
const uploadDir = mkdtempSync(join(tmpdir(), 'quota-uploads-'));

beforeAll(async () => {
  db = await createTestDb('web_quotas');
  ({
    app,
    browser: b,
    csrf,
  } = await signedInWebApp(
    db,
    {
      TRAIN_MAX_ACTIVE_JOBS: '2',
      UPLOAD_DIR: uploadDir,
      UPLOAD_MAX_PENDING: '2',
      UPLOAD_MAX_PENDING_MB: '1',
      LOGIN_RATE_LIMIT: '1000',
    },
    {
      seed: async () => {
        iris = await new ToyDatasets(DATASETS_DIR).load(db.pool, 'iris', null);
      },
    },
  ));
  // Migrations and a scrypt sign-in: beyond jest's 5 s on a loaded machine, and a set-up cut off by
  // the timeout would build its app after afterAll and hold jest open.
}, 60_000);
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const headers = () => ({ cookie: b.cookieHeader, 'x-csrf-token': csrf, accept: 'application/json' });
const train = () =>
  app.inject({
    method: 'POST',
    url: '/api/train',
    headers: headers(),
    payload: {
      dataset: iris.id,
      model: 'logistic_regression',
      features: ['sepal_length', 'petal_width'],
      trainFraction: 0.8,
      ranges: { C: { min: 0.1, max: 0.1 } },
    },
  });
const cancel = (id: number) => app.inject({ method: 'POST', url: `/api/jobs/${id}/cancel`, headers: headers() });

function upload(csv: string) {
  const boundary = 'quotaBoundary9';
  const payload = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="q.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\n\r\n--${boundary}--\r\n`;
  return app.inject({
    method: 'POST',
    url: '/api/uploads',
    payload,
    headers: { ...headers(), 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
}

describe('per-person quotas', () => {
  it('refuses a third active training job with a 429 that says why, and takes one again after a cancel', async () => {
    const first = await train();
    const second = await train();
    expect([first.statusCode, second.statusCode]).toEqual([202, 202]);
    const third = await train();
    expect(third.statusCode).toBe(429);
    expect(third.json().message).toBe(
      'you have 2 training jobs queued or running, the most one person may have (TRAIN_MAX_ACTIVE_JOBS): wait for one to finish or cancel one',
    );
    expect((await cancel(first.json().job)).statusCode).toBe(200);
    expect((await train()).statusCode).toBe(202);
  });

  it('lets exactly the quota through when requests arrive together', async () => {
    const [rows] = await db.pool.query<RowDataPacket[]>("SELECT id FROM jobs WHERE status = 'queued'");
    for (const r of rows) await cancel(Number(r.id));
    const answers = await Promise.all(Array.from({ length: 6 }, () => train()));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([202, 202, 429, 429, 429, 429]);
  });

  it('refuses a third waiting upload with a 429, and a file that would pass the byte quota with a 413, storing nothing', async () => {
    const small = 'a,b\n1,2\n3,4';
    const one = await upload(small);
    const two = await upload(small);
    expect([one.statusCode, two.statusCode]).toEqual([201, 201]);
    const files = readdirSync(uploadDir).sort();
    const three = await upload(small);
    expect(three.statusCode).toBe(429);
    expect(three.json().message).toBe(
      'you have 2 uploads waiting to be loaded, the most one person may have (UPLOAD_MAX_PENDING): load or discard one first',
    );
    expect(readdirSync(uploadDir).sort()).toEqual(files);
    // discard one; a 1.2 MB file would bring the waiting bytes over 1 MB
    expect(
      (await app.inject({ method: 'DELETE', url: `/api/uploads/${one.json().id}`, headers: headers() })).statusCode,
    ).toBeLessThan(300);
    const kept = readdirSync(uploadDir).sort();
    const big = await upload(`a,b\n${'1234567,7654321\n'.repeat(75_000)}`);
    expect(big.statusCode).toBe(413);
    expect(big.json().message).toMatch(
      /^this file \(1.2 MB\) would bring your uploads waiting to be loaded to 1.2 MB, above the per-person limit of 1.0 MB \(UPLOAD_MAX_PENDING_MB\): load or discard a waiting upload first$/,
    );
    expect(readdirSync(uploadDir).sort()).toEqual(kept);
  });
});
