import type { FastifyInstance } from 'fastify';
import * as ort from 'onnxruntime-node';
import { migrate, type RowDataPacket } from '@enchilada/core';
import {
  LinearRegression,
  LogisticRegression,
  Matrix,
  Pipeline,
  classificationTarget,
  exportPipelineToOnnx,
  regressionTarget,
} from '@enchilada/ml';
import { ApiKeys, ModelRegistry, PublishedModels, TutorialMode } from '@enchilada/models';
import { MIGRATIONS_DIR, createTestDb, type TestDb } from '@enchilada/test-support';
import { buildApp } from '../src/app.js';

let db: TestDb;
let app: FastifyInstance;
let registry: ModelRegistry;
let published: PublishedModels;
let keys: ApiKeys;
let allKey: string;
let regKey: string;
let revokedKey: string;
let modelA: number;
let modelB: number;
/** For each answered predict request: was its row in the database when the answer was being sent? */
const storedAtSend = new Map<string, boolean>();

const FEATURES = ['a', 'b'];
const rows: number[][] = [];
for (let i = 0; i < 60; i++) rows.push([Math.sin(i) * 3, Math.cos(i * 1.7) * 2]);
const labels = rows.map(([a, b]) => (a + 0.5 * b > 0 ? 'yes' : 'no'));

function fitClassifier(flip: boolean) {
  return new Pipeline(new LogisticRegression()).fit(
    Matrix.fromRows(rows),
    classificationTarget(flip ? labels.map((l) => (l === 'yes' ? 'no' : 'yes')) : labels),
  );
}
const clfA = fitClassifier(false);
const clfB = fitClassifier(true);

async function insertModel(
  onnx: Uint8Array,
  task: 'classification' | 'regression',
  classes: string[] | null,
  features = FEATURES,
): Promise<number> {
  return registry.insert({
    datasetId: 1,
    datasetName: 'toy',
    datasetVersion: 1,
    modelType: task === 'classification' ? 'logistic_regression' : 'linear_regression',
    task,
    target: 'y',
    features,
    classes,
    grid: {},
    bestParams: {},
    splitSeed: 0,
    trainFraction: 0.8,
    split: { train: [], test: [] },
    cvResults: [],
    cvScore: 0.9,
    trainScore: 0.9,
    testScore: 0.9,
    metrics: {},
    onnx,
    inputs: null,
    preprocessing: null,
    jobId: null,
    durationMs: 1,
    createdBy: null,
  });
}

beforeAll(async () => {
  db = await createTestDb('serve');
  await migrate(db.pool, MIGRATIONS_DIR);
  registry = new ModelRegistry(db.pool);
  published = new PublishedModels(db.pool);
  keys = new ApiKeys(db.pool);
  modelA = await insertModel(exportPipelineToOnnx(clfA, 2), 'classification', ['no', 'yes']);
  modelB = await insertModel(exportPipelineToOnnx(clfB, 2), 'classification', ['no', 'yes']);
  const reg = new Pipeline(new LinearRegression()).fit(
    Matrix.fromRows(rows),
    regressionTarget(rows.map(([a, b]) => 2 * a - b + 1)),
  );
  const regId = await insertModel(exportPipelineToOnnx(reg, 2), 'regression', null);
  const broken = await insertModel(new Uint8Array([1, 2, 3, 4]), 'classification', ['no', 'yes']);
  await published.publish('clf', modelA, null);
  await published.publish('reg', regId, null);
  await published.publish('broken', broken, null);
  allKey = (await keys.create('all', null, null)).key;
  regKey = (await keys.create('reg only', 'reg', null)).key;
  const r = await keys.create('old', null, null);
  revokedKey = r.key;
  await keys.revoke(r.id);
  app = await buildApp({
    config: db.config('serve', { SERVE_POLL_MS: '100', SEED_MODEL_NAME: 'clf', SERVE_BODY_LIMIT_KB: '64' }),
    pool: db.pool,
    logger: false,
  });
  app.addHook('onSend', async (req, _reply, payload) => {
    const body = req.body as { id?: unknown } | undefined;
    if (req.method === 'POST' && body && body.id !== undefined && /predict$/.test(req.url)) {
      const [r2] = await db.pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM predictions WHERE client_id = ?', [
        String(body.id),
      ]);
      storedAtSend.set(String(body.id), Number(r2[0].n) === 1);
    }
    return payload;
  });
  await app.ready();
}, 60000);

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const post = (url: string, body: unknown, key: string | null = allKey) =>
  app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
const predict = (body: unknown, key: string | null = allKey, name = 'clf') =>
  post(`/v1/models/${name}/predict`, body, key);
const count = async (where = '1 = 1', args: unknown[] = []) => {
  const [r] = await db.pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM predictions WHERE ${where}`, args);
  return Number(r[0].n);
};
const until = async (check: () => Promise<boolean>, ms = 5000) => {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (await check()) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not within ${ms} ms`);
};

describe('predict', () => {
  it('answers a classifier prediction equal to the trained model, stored before the answer was sent', async () => {
    const res = await predict({ id: 'p-1', observation: { a: 1.5, b: -0.5 } });
    expect(res.statusCode).toBe(200);
    const out = res.json();
    const proba = clfA.predictProba(Matrix.fromRows([[1.5, -0.5]]));
    expect(out).toMatchObject({
      id: 'p-1',
      model: { name: 'clf', version: 1 },
      prediction: proba.get(0, 1) > 0.5 ? 'yes' : 'no',
    });
    expect(out.probabilities.yes).toBeCloseTo(proba.get(0, 1), 5);
    expect(out.probabilities.no).toBeCloseTo(proba.get(0, 0), 5);
    expect(typeof out.latency_ms).toBe('number');
    expect(storedAtSend.get('p-1')).toBe(true);
    const [r] = await db.pool.query<RowDataPacket[]>(
      "SELECT model_id, version, observation, output FROM predictions WHERE client_id = 'p-1'",
    );
    expect(Number(r[0].model_id)).toBe(modelA);
    expect(JSON.parse(String(r[0].observation))).toEqual({ a: 1.5, b: -0.5 });
    expect(JSON.parse(String(r[0].output)).prediction).toBe(out.prediction);
  });

  it('answers a batch of instances and stores each one', async () => {
    const instances = Array.from({ length: 50 }, (_, i) => ({
      id: 1000 + i,
      observation: { a: rows[i][0], b: rows[i][1] },
    }));
    const res = await predict({ instances });
    expect(res.statusCode).toBe(200);
    const out = res.json();
    expect(out.predictions).toHaveLength(50);
    expect(out.predictions.map((p: { prediction: string }) => p.prediction)).toEqual(
      Array.from(clfA.predict(Matrix.fromRows(rows.slice(0, 50)))).map((c) => (c === 1 ? 'yes' : 'no')),
    );
    expect(await count('client_id >= ? AND client_id < ? AND model_name = ?', ['1000', '1050', 'clf'])).toBe(50);
  });

  it('answers a regressor with a value and no probabilities', async () => {
    const res = await predict({ id: 7, observation: { a: 1, b: 2 } }, allKey, 'reg');
    expect(res.statusCode).toBe(200);
    expect(res.json().prediction).toBeCloseTo(1, 3);
    expect(res.json().probabilities).toBeUndefined();
  });

  it('answers a repeated id with 409 and the stored prediction, storing nothing new', async () => {
    const first = await predict({ id: 'dup', observation: { a: 1, b: 1 } });
    expect(first.statusCode).toBe(200);
    const again = await predict({ id: 'dup', observation: { a: -3, b: -3 } });
    expect(again.statusCode).toBe(409);
    expect(again.json().stored[0]).toMatchObject({
      id: 'dup',
      prediction: first.json().prediction,
      observation: { a: 1, b: 1 },
    });
    expect(await count('client_id = ?', ['dup'])).toBe(1);
  });

  it('lets exactly one of many concurrent requests with the same id succeed', async () => {
    const res = await Promise.all(
      Array.from({ length: 20 }, () => predict({ id: 'race', observation: { a: 0, b: 0 } })),
    );
    expect(res.filter((r) => r.statusCode === 200)).toHaveLength(1);
    expect(res.filter((r) => r.statusCode === 409)).toHaveLength(19);
    expect(await count('client_id = ?', ['race'])).toBe(1);
  });

  it('stores every one of many concurrent predictions (group commit)', async () => {
    const res = await Promise.all(
      Array.from({ length: 200 }, (_, i) => predict({ id: `c-${i}`, observation: { a: i / 50, b: 0 } })),
    );
    expect(res.every((r) => r.statusCode === 200)).toBe(true);
    expect(await count("client_id LIKE 'c-%'")).toBe(200);
  });
});

describe('bad requests are refused with a clear 4xx and nothing stored', () => {
  it.each([
    ['a missing feature', { id: 'v1', observation: { a: 1 } }, 400, /missing feature "b"/, 'b'],
    ['an unknown feature', { id: 'v2', observation: { a: 1, b: 2, c: 3 } }, 400, /unknown feature "c"/, 'c'],
    ['a string value', { id: 'v3', observation: { a: '1', b: 2 } }, 400, /feature "a" must be a number/, 'a'],
    ['a null value', { id: 'v4', observation: { a: 1, b: null } }, 400, /feature "b" is null/, 'b'],
    ['no id', { observation: { a: 1, b: 2 } }, 400, /id is required/, 'id'],
    ['no observation', { id: 'v5' }, 400, /observation is required/, 'observation'],
    [
      'a bad instance in a batch',
      {
        instances: [
          { id: 'v6', observation: { a: 1, b: 2 } },
          { id: 'v7', observation: { a: 1 } },
        ],
      },
      400,
      /instances\[1\]: observation is missing feature "b"/,
      'b',
    ],
    [
      'an id repeated within a batch',
      {
        instances: [
          { id: 'v8', observation: { a: 1, b: 2 } },
          { id: 'v8', observation: { a: 1, b: 2 } },
        ],
      },
      400,
      /appears twice/,
      'id',
    ],
  ])('%s', async (_what, body, status, message, field) => {
    const before = await count();
    const res = await predict(body);
    expect(res.statusCode).toBe(status);
    expect(res.json().message).toMatch(message);
    expect(res.json().field).toBe(field);
    expect(await count()).toBe(before);
  });

  it('refuses NaN, Infinity and malformed JSON as a 400', async () => {
    for (const text of [
      '{"id": "n1", "observation": {"a": NaN, "b": 1}}',
      '{"id": "n2", "observation": {"a": Infinity, "b": 1}}',
      '{"id": "n3",',
    ]) {
      const res = await predict(text);
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toMatch(/JSON/);
    }
    expect(await count("client_id LIKE 'n%'")).toBe(0);
  });

  it('refuses more than 1000 instances and an oversize body', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => ({ id: `m${i}`, observation: { a: 1, b: 1 } }));
    const res = await predict({ instances: many });
    expect([400, 413]).toContain(res.statusCode);
    const big = await predict({ id: 'big', observation: { a: 1, b: 1, pad: 'x'.repeat(70 * 1024) } });
    expect(big.statusCode).toBe(413);
    expect(big.json().code).toBe('body_too_large');
    expect(await count("client_id LIKE 'm%' OR client_id = 'big'")).toBe(0);
  });

  it.each([
    ['reg', 'its prediction', { variable: new ort.Tensor('float32', Float32Array.from([NaN]), [1, 1]) }],
    [
      'clf',
      'the probability of class "yes"',
      {
        label: new ort.Tensor('int64', BigInt64Array.from([1n]), [1]),
        probabilities: new ort.Tensor('float32', Float32Array.from([0, Infinity]), [1, 2]),
      },
    ],
  ])('neither stores nor acknowledges a %s output that is not finite (500 naming it)', async (name, what, output) => {
    const s = app.serving.name(name);
    if (s?.status !== 'ready') throw new Error(`${name} is not loaded`);
    const session = s.model.session;
    // The graph overflowing inside (inputs within float32, an output that is not): what it answers is faked.
    Object.defineProperty(session, 'run', { configurable: true, value: async () => output });
    try {
      const res = await predict({ id: `nf-${name}`, observation: { a: 1, b: 1 } }, allKey, name);
      expect(res.statusCode).toBe(500);
      expect(res.json()).toMatchObject({ code: 'model_output' });
      expect(res.json().message).toContain(`as ${what}`);
      expect(res.json().message).toMatch(/nothing was stored/);
    } finally {
      Reflect.deleteProperty(session, 'run');
    }
    expect(await count(`client_id = 'nf-${name}'`)).toBe(0);
    // The id was not used up: the same request now succeeds.
    expect((await predict({ id: `nf-${name}`, observation: { a: 1, b: 1 } }, allKey, name)).statusCode).toBe(200);
  });

  it('answers 404 for an unknown model name', async () => {
    const res = await predict({ id: 'u1', observation: { a: 1, b: 1 } }, allKey, 'nope');
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toMatch(/no published model named "nope"/);
  });

  it('answers 503 for a model whose ONNX bytes failed to load; the others keep serving', async () => {
    const res = await predict({ id: 'b1', observation: { a: 1, b: 1 } }, allKey, 'broken');
    expect(res.statusCode).toBe(503);
    expect(res.json().message).toMatch(/failed to load/);
    expect((await predict({ id: 'b2', observation: { a: 1, b: 1 } })).statusCode).toBe(200);
    const metrics = (await app.inject('/metrics')).body;
    expect(metrics).toMatch(/enchilada_serve_model_load_errors_total\{model="broken"\} 1/);
  });
});

describe('API keys', () => {
  it('refuses a request without a key, with an unknown key and with a revoked key (401)', async () => {
    for (const [key, msg] of [
      [null, /send an API key/],
      ['ek_wrong', /unknown API key/],
      [revokedKey, /revoked/],
    ] as const) {
      const res = await predict({ id: 'k1', observation: { a: 1, b: 1 } }, key);
      expect(res.statusCode).toBe(401);
      expect(res.json().message).toMatch(msg);
    }
    expect(await count("client_id = 'k1'")).toBe(0);
  });

  it('lets a scoped key call its own name only (403 for another)', async () => {
    expect((await predict({ id: 'k2', observation: { a: 1, b: 1 } }, regKey, 'reg')).statusCode).toBe(200);
    const other = await predict({ id: 'k3', observation: { a: 1, b: 1 } }, regKey, 'clf');
    expect(other.statusCode).toBe(403);
    expect(other.json().message).toMatch(/only for model "reg"/);
  });

  it('honours a new key and a revocation within 5 s', async () => {
    const k = await keys.create('temp', null, null);
    await until(
      async () => (await predict({ id: `t-${Date.now()}`, observation: { a: 1, b: 1 } }, k.key)).statusCode === 200,
    );
    await keys.revoke(k.id);
    const ms = await until(
      async () => (await predict({ id: `t-${Date.now()}`, observation: { a: 1, b: 1 } }, k.key)).statusCode === 401,
    );
    expect(ms).toBeLessThan(5000);
  });
});

describe('unknown keys', () => {
  it('refuses an unknown key from the header alone, before reading a body over the limit (401, not 413)', async () => {
    const big = JSON.stringify({ id: 'uk-big', observation: { a: 1, b: 1, pad: 'x'.repeat(70 * 1024) } });
    for (const key of ['ek_wrong-big', null]) {
      const res = await predict(big, key);
      expect(res.statusCode).toBe(401);
    }
    expect(await count("client_id = 'uk-big'")).toBe(0);
  });

  it('looks up an unknown key in the database once, then refuses it from memory for a while', async () => {
    const quiet = await buildApp({
      config: db.config('serve', { SERVE_POLL_MS: '1000' }),
      pool: db.pool,
      logger: false,
    });
    await quiet.ready();
    // No poll from here on: every refresh counted below is one a request asked for.
    await quiet.serving.stop();
    let refreshes = 0;
    const real = quiet.serving.refresh.bind(quiet.serving);
    Object.defineProperty(quiet.serving, 'refresh', {
      configurable: true,
      value: (force?: boolean) => {
        refreshes++;
        return real(force);
      },
    });
    try {
      const call = (key: string) =>
        quiet.inject({
          method: 'POST',
          url: '/v1/models/clf/predict',
          headers: { authorization: `Bearer ${key}` },
          payload: { id: 'uk', observation: { a: 1, b: 1 } },
        });
      for (let i = 0; i < 3; i++) expect((await call('ek_guess-1')).statusCode).toBe(401);
      expect(refreshes).toBe(1);
      expect((await call('ek_guess-2')).statusCode).toBe(401);
      expect(refreshes).toBe(2);
    } finally {
      await quiet.close();
    }
  });

  it('limits unknown keys per client address, one bucket per address however many keys it tries', async () => {
    const limited = await buildApp({
      config: db.config('serve', { SERVE_POLL_MS: '100', SERVE_UNKNOWN_KEY_LIMIT: '3' }),
      pool: db.pool,
      logger: false,
    });
    await limited.ready();
    try {
      const call = (key: string, remoteAddress: string, id: string) =>
        limited.inject({
          method: 'POST',
          url: '/v1/models/clf/predict',
          remoteAddress,
          headers: { authorization: `Bearer ${key}` },
          payload: { id, observation: { a: 1, b: 1 } },
        });
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) codes.push((await call(`ek_try-${i}`, '10.9.0.1', 'ul')).statusCode);
      expect(codes).toEqual([401, 401, 401, 429]);
      const over = await call('ek_try-5', '10.9.0.1', 'ul');
      expect(over.json().message).toMatch(/unknown API key per 60 s from this address/);
      expect((await call('ek_try-6', '10.9.0.2', 'ul')).statusCode).toBe(401);
      // A client with a valid key at that address is not locked out.
      expect((await call(allKey, '10.9.0.1', `ul-ok-${Date.now()}`)).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('without waiting for the poll', () => {
  it('honours a key created a moment ago and a name published a moment ago on the first request', async () => {
    // Polling once a second (the slowest allowed): without a look on a miss, these would 401/404.
    const slow = await buildApp({
      config: db.config('serve', { SERVE_POLL_MS: '1000' }),
      pool: db.pool,
      logger: false,
    });
    await slow.ready();
    try {
      const call = (name: string, key: string, id: string) =>
        slow.inject({
          method: 'POST',
          url: `/v1/models/${name}/predict`,
          headers: { authorization: `Bearer ${key}` },
          payload: { id, observation: { a: 1, b: 1 } },
        });
      for (let i = 0; i < 3; i++) {
        const k = await keys.create(`fresh-${i}`, null, null);
        const res = await call('clf', k.key, `fresh-${Date.now()}-${i}`);
        expect(res.statusCode).toBe(200);
      }
      const name = `fresh-name-${Date.now() % 100000}`;
      await published.publish(name, modelA, null);
      const res = await call(name, allKey, `fresh-n-${Date.now()}`);
      expect(res.statusCode).toBe(200);
      expect(res.json().model).toEqual({ name, version: 1 });
      // An unknown key is still refused, after the look.
      expect((await call('clf', 'ek_never-created', 'x-unknown')).statusCode).toBe(401);
    } finally {
      await slow.close();
    }
  });
});

describe('outcomes', () => {
  it('records an outcome, refuses to overwrite it unless replace is true, and 404s an unknown id', async () => {
    await predict({ id: 'o1', observation: { a: 2, b: 0 } });
    const set = await post('/v1/models/clf/outcomes', { id: 'o1', outcome: 'yes' });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toMatchObject({ id: 'o1', outcome: 'yes' });
    const again = await post('/v1/models/clf/outcomes', { id: 'o1', outcome: 'no' });
    expect(again.statusCode).toBe(409);
    expect(again.json().stored[0].outcome).toBe('yes');
    const replaced = await post('/v1/models/clf/outcomes', { id: 'o1', outcome: 'no', replace: true });
    expect(replaced.statusCode).toBe(200);
    const [r] = await db.pool.query<RowDataPacket[]>(
      "SELECT outcome, outcome_at FROM predictions WHERE client_id = 'o1'",
    );
    expect(JSON.parse(String(r[0].outcome))).toBe('no');
    expect(r[0].outcome_at).not.toBeNull();
    expect((await post('/v1/models/clf/outcomes', { id: 'never', outcome: 'yes' })).statusCode).toBe(404);
  });

  it('refuses an outcome that is not one of the classes, naming the field', async () => {
    const res = await post('/v1/models/clf/outcomes', { id: 'o1', outcome: 'maybe', replace: true });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe('outcome');
  });
});

describe('health', () => {
  it('answers healthz, readyz (not ready: one model failed) and Prometheus metrics', async () => {
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(503);
    expect(ready.json().models).toEqual(
      expect.arrayContaining([
        { name: 'clf', version: expect.any(Number), status: 'ready' },
        expect.objectContaining({ name: 'broken', status: 'failed' }),
      ]),
    );
    const m = (await app.inject('/metrics')).body;
    expect(m).toMatch(/enchilada_serve_requests_total\{route="\/v1\/models\/:name\/predict",code="200"\} \d+/);
    expect(m).toMatch(
      /enchilada_serve_request_duration_seconds_bucket\{le="0.01",route="\/v1\/models\/:name\/predict"\} \d+/,
    );
    expect(m).toMatch(/enchilada_serve_predictions_total\{model="clf",version="\d+"\} \d+/);
  });
});

describe('seed-compatible routes (the tutorial shapes)', () => {
  it('POST /predict answers {proba} of the positive class and stores it; a repeated id says so', async () => {
    const res = await post('/predict', { id: 0, observation: { a: 1.5, b: -0.5 } }, null);
    expect(res.statusCode).toBe(200);
    const proba = clfA.predictProba(Matrix.fromRows([[1.5, -0.5]])).get(0, 1);
    expect(Object.keys(res.json())).toEqual(['proba']);
    expect(res.json().proba).toBeCloseTo(proba, 5);
    expect(await count("model_name = 'clf' AND client_id = '0'")).toBe(1);
    const again = await post('/predict', { id: 0, observation: { a: 1.5, b: -0.5 } }, null);
    expect(again.json()).toEqual({ proba: res.json().proba, error: "ERROR: Observation ID: '0' already exists" });
  });

  it('POST /update stores the true class and answers the stored row; an unknown id answers an error', async () => {
    const res = await post('/update', { id: 0, true_class: 'yes' }, null);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      observation_id: 0,
      true_class: 'yes',
      proba: expect.any(Number),
      id: expect.any(Number),
    });
    expect(JSON.parse(res.json().observation)).toEqual({ id: 0, observation: { a: 1.5, b: -0.5 } });
    expect((await post('/update', { id: 987654, true_class: 'yes' }, null)).json()).toEqual({
      error: 'Observation ID: "987654" does not exist',
    });
  });
});

describe('tutorial mode chosen in the database (the Published page), followed without a restart', () => {
  const tri = rows.map(([a, b]) => (a > 1 ? 'high' : b > 0 ? 'mid' : 'low'));
  const clf3 = new Pipeline(new LogisticRegression()).fit(Matrix.fromRows(rows), classificationTarget(tri));
  const classes = [...(clf3.classes ?? [])];

  it('moves /predict and /update to the chosen name, answers a three-class model with its probabilities, and turns off', async () => {
    const tutorial = new TutorialMode(db.pool);
    const triId = await insertModel(exportPipelineToOnnx(clf3, 2), 'classification', classes);
    await published.publish('tri', triId, null);
    try {
      await tutorial.set('tri', null);
      const observation = { a: 2.5, b: -1 };
      let res = await post('/predict', { id: 'tri-first', observation }, null);
      // Within a poll (100 ms here), with no restart.
      await until(async () => {
        res = await post('/predict', { id: `tri-${Date.now()}`, observation }, null);
        return 'probabilities' in res.json();
      });
      const proba = clf3.predictProba(Matrix.fromRows([[2.5, -1]]));
      const want = Object.fromEntries(classes.map((c, j) => [c, proba.get(0, j)]));
      const body = res.json<{ prediction: string; probabilities: Record<string, number> }>();
      expect(Object.keys(body)).toEqual(['prediction', 'probabilities']);
      expect(body.prediction).toBe('high');
      expect(Object.keys(body.probabilities).sort()).toEqual([...classes].sort());
      expect(classes).toHaveLength(3);
      for (const c of classes) expect(body.probabilities[c]).toBeCloseTo(want[c], 5);
      expect(await count("model_name = 'tri' AND client_id LIKE 'tri-%'")).toBeGreaterThanOrEqual(1);
      // A repeated id: the same answer and the tutorial's error.
      const again = await post('/predict', { id: 'tri-dup', observation }, null);
      expect((await post('/predict', { id: 'tri-dup', observation }, null)).json()).toEqual({
        ...again.json(),
        error: "ERROR: Observation ID: 'tri-dup' already exists",
      });
      expect((await post('/update', { id: 'tri-dup', true_class: 'high' }, null)).json()).toMatchObject({
        observation_id: 'tri-dup',
        prediction: 'high',
        true_class: 'high',
      });

      await tutorial.set(null, null);
      await until(
        async () => (await post('/predict', { id: `off-${Date.now()}`, observation }, null)).statusCode === 404,
      );
      const off = await post('/update', { id: 'tri-dup', true_class: 'high' }, null);
      expect(off.statusCode).toBe(404);
      expect(off.json().message).toMatch(
        /tutorial mode is off: an administrator chooses .* on the web app's Published page/,
      );
    } finally {
      await tutorial.set('clf', null);
      await until(
        async () =>
          (await post('/predict', { id: `back-${Date.now()}`, observation: { a: 1, b: 1 } }, null)).json().proba !==
          undefined,
      );
    }
  });

  it('uses SEED_MODEL_NAME only until a choice is stored', async () => {
    await db.pool.query('DELETE FROM tutorial_mode');
    const other = await buildApp({
      config: db.config('serve', { SERVE_POLL_MS: '100', SEED_MODEL_NAME: 'reg' }),
      pool: db.pool,
      logger: false,
    });
    await other.ready();
    try {
      const call = () =>
        other.inject({
          method: 'POST',
          url: '/predict',
          payload: { id: `d-${Date.now()}`, observation: { a: 1, b: 1 } },
        });
      expect(Object.keys((await call()).json())).toEqual(['prediction']);
      await new TutorialMode(db.pool).set('clf', null);
      await until(async () => Object.keys((await call()).json())[0] === 'proba');
    } finally {
      await other.close();
    }
  });
});

describe('publishing switches live traffic', () => {
  it('picks up a new version and a rollback within 5 s, each answer naming the version that computed it', async () => {
    const obs = { a: 1.5, b: -0.5 };
    const pA = clfA.predictProba(Matrix.fromRows([[1.5, -0.5]])).get(0, 1);
    const pB = clfB.predictProba(Matrix.fromRows([[1.5, -0.5]])).get(0, 1);
    let n = 0;
    const check = async (version: number, p: number) => {
      const res = await predict({ id: `sw-${n++}`, observation: obs });
      expect(res.statusCode).toBe(200);
      const out = res.json();
      // Whatever version answered, its probabilities are that version's model's.
      expect(out.probabilities.yes).toBeCloseTo(out.model.version === 1 || out.model.version === 3 ? pA : pB, 5);
      return out.model.version === version && Math.abs(out.probabilities.yes - p) < 1e-5;
    };
    const v2 = await published.publish('clf', modelB, null);
    expect(v2).toBe(2);
    expect(await until(() => check(2, pB))).toBeLessThan(5000);
    const v3 = await published.rollback('clf', 1, null);
    expect(v3).toBe(3);
    expect(await until(() => check(3, pA))).toBeLessThan(5000);
    const [r] = await db.pool.query<RowDataPacket[]>(
      "SELECT DISTINCT version, model_id FROM predictions WHERE client_id LIKE 'sw-%' ORDER BY version",
    );
    for (const row of r) expect(Number(row.model_id)).toBe(Number(row.version) === 2 ? modelB : modelA);
    expect((await published.history('clf')).map((h) => [h.version, h.modelId, h.action])).toEqual([
      [3, modelA, 'rollback'],
      [2, modelB, 'publish'],
      [1, modelA, 'publish'],
    ]);
  });

  it('loses no request while versions switch under load', async () => {
    let stop = false;
    let failed = 0;
    let ok = 0;
    let i = 0;
    const versions = new Set<number>();
    const worker = async () => {
      while (!stop) {
        const res = await predict({ id: `load-${i++}`, observation: { a: 1, b: 0 } });
        if (res.statusCode === 200) {
          ok++;
          versions.add(res.json().model.version);
        } else failed++;
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    for (const m of [modelB, modelA, modelB]) {
      await published.publish('clf', m, null);
      await new Promise((r) => setTimeout(r, 400));
    }
    await new Promise((r) => setTimeout(r, 600));
    stop = true;
    await Promise.all(workers);
    expect(failed).toBe(0);
    expect(ok).toBeGreaterThan(0);
    expect(versions.size).toBeGreaterThan(1);
    expect(await count("client_id LIKE 'load-%'")).toBe(ok);
  });
});

describe('OpenAPI', () => {
  it('documents the routes at /docs with an example request per published model built from its features (zeros for a model without an input contract)', async () => {
    const res = await app.inject('/docs/json');
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/models/{name}/predict', '/v1/models/{name}/outcomes', '/predict', '/update']),
    );
    const examples = doc.paths['/v1/models/{name}/predict'].post.requestBody.content['application/json'].examples;
    expect(examples.clf.value).toEqual({ id: 'example-1', observation: { a: 0, b: 0 } });
    expect(examples.broken).toBeUndefined();
    // Probes, metrics and the tutorial's routes take no key; the /v1 routes need one (the global bearer scheme).
    for (const path of ['/healthz', '/readyz', '/metrics']) expect(doc.paths[path].get.security).toEqual([]);
    for (const path of ['/predict', '/update']) expect(doc.paths[path].post.security).toEqual([]);
    expect(doc.paths['/v1/models/{name}/predict'].post.security).toBeUndefined();
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/v1/models/{name}/predict'].post.summary).toMatch(/Predict/);
    const ui = await app.inject('/docs');
    expect([200, 302]).toContain(ui.statusCode);
  });
});

describe('monitoring figures from the prediction log', () => {
  it('publish → predict → outcome → the figures count them and score the outcomes', async () => {
    const { monitoringFigures, psiReference, Predictions } = await import('@enchilada/models');
    for (let i = 0; i < 10; i++) {
      const obs = { a: rows[i][0], b: rows[i][1] };
      const p = (await predict({ id: `mon-${i}`, observation: obs }, allKey, 'reg')).json();
      expect(
        (await post('/v1/models/reg/outcomes', { id: `mon-${i}`, outcome: p.prediction + (i % 2 ? 1 : -1) }))
          .statusCode,
      ).toBe(200);
    }
    const window = await new Predictions(db.pool).window(
      'reg',
      new Date(Date.now() - 3600_000),
      new Date(Date.now() + 60_000),
    );
    const f = monitoringFigures(
      window,
      { task: 'regression', classes: null, features: FEATURES },
      { a: psiReference(rows.map((r) => r[0])), b: psiReference(rows.map((r) => r[1])) },
    );
    expect(f.withOutcome).toBe(10);
    expect(f.count).toBe(window.length);
    expect(f.live).toMatchObject({ mae: expect.closeTo(1, 4) });
    expect(f.drift.map((d) => d.feature)).toEqual(['a', 'b']);
    expect(f.drift.every((d) => Number.isFinite(d.psi))).toBe(true);
  });
});
