// Champion and challenger in serve (issue 19): every request is scored by both, answered once by
// the champion, logged twice (the challenger's row marked); promote swaps them under load without a
// failed request; removing the challenger goes back to one row per request.
import type { FastifyInstance } from 'fastify';
import { migrate, type RowDataPacket } from '@enchilada/core';
import { LogisticRegression, Matrix, Pipeline, classificationTarget, exportPipelineToOnnx } from '@enchilada/ml';
import { ApiKeys, Challengers, ModelRegistry, PublishedModels } from '@enchilada/models';
import { MIGRATIONS_DIR, createTestDb, type TestDb } from '@enchilada/test-support';
import { buildApp } from '../src/app.js';

let db: TestDb;
let app: FastifyInstance;
let challengers: Challengers;
let key: string;
let modelA: number;
let modelB: number;
let modelC: number;
const admin = { id: 1, role: 'admin' };

const rows: number[][] = Array.from({ length: 60 }, (_, i) => [Math.sin(i) * 3, Math.cos(i * 1.7) * 2]);
const labels = rows.map(([a, b]) => (a + 0.5 * b > 0 ? 'yes' : 'no'));
const fit = (flip: boolean) =>
  new Pipeline(new LogisticRegression()).fit(
    Matrix.fromRows(rows),
    classificationTarget(flip ? labels.map((l) => (l === 'yes' ? 'no' : 'yes')) : labels),
  );

beforeAll(async () => {
  db = await createTestDb('serve_challenger');
  await migrate(db.pool, MIGRATIONS_DIR);
  const registry = new ModelRegistry(db.pool);
  const insert = (onnx: Uint8Array, features: string[]) =>
    registry.insert({
      datasetId: 1,
      datasetName: 'toy',
      datasetVersion: 1,
      modelType: 'logistic_regression',
      task: 'classification',
      target: 'y',
      features,
      classes: ['no', 'yes'],
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
  modelA = await insert(exportPipelineToOnnx(fit(false), 2), ['a', 'b']);
  modelB = await insert(exportPipelineToOnnx(fit(true), 2), ['a', 'b']);
  // Reads other columns: it cannot score the champion's observations.
  modelC = await insert(exportPipelineToOnnx(fit(false), 2), ['c', 'd']);
  await new PublishedModels(db.pool).publish('clf', modelA, null);
  challengers = new Challengers(db.pool);
  key = (await new ApiKeys(db.pool).create('k', null, null)).key;
  app = await buildApp({ config: db.config('serve', { SERVE_POLL_MS: '50' }), pool: db.pool, logger: false });
  await app.ready();
}, 60000);

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const predict = (id: string, observation: unknown = { a: 1, b: -0.5 }) =>
  app.inject({
    method: 'POST',
    url: '/v1/models/clf/predict',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    payload: JSON.stringify({ id, observation }),
  });
const logged = async (id: string) => {
  const [r] = await db.pool.query<RowDataPacket[]>(
    'SELECT role, model_id, version, output, outcome FROM predictions WHERE model_name = ? AND client_id = ? ORDER BY role',
    ['clf', id],
  );
  return r.map((x) => ({
    role: String(x.role),
    modelId: Number(x.model_id),
    version: Number(x.version),
    output: JSON.parse(String(x.output)) as { prediction: string },
    outcome: x.outcome === null ? null : (JSON.parse(String(x.outcome)) as unknown),
  }));
};
let seq = 0;
/** Sends requests until one is logged as `check` wants (serve polls the change counter every 50 ms). */
async function until(check: (rows: Awaited<ReturnType<typeof logged>>) => boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const id = `warm-${seq++}`;
    expect((await predict(id)).statusCode).toBe(200);
    if (check(await logged(id))) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('serve never followed the change');
}

describe('champion and challenger', () => {
  it('scores concurrent requests with both, answers each once with the champion, logs each twice', async () => {
    await challengers.set('clf', modelB, { actor: admin, confirm: false });
    await until((r) => r.length === 2);
    const ids = Array.from({ length: 80 }, (_, i) => `c-${i}`);
    const answers = await Promise.all(ids.map((id, i) => predict(id, { a: Math.sin(i) * 3, b: Math.cos(i) })));
    for (const [i, res] of answers.entries()) {
      expect(res.statusCode).toBe(200);
      const body = res.json<{
        id: string;
        model: { name: string; version: number };
        prediction: string;
        predictions?: unknown;
      }>();
      expect(body.id).toBe(ids[i]);
      expect(body.model).toEqual({ name: 'clf', version: 1 });
      expect(body.predictions).toBeUndefined();
      const log = await logged(ids[i]);
      expect(log.map((l) => [l.role, l.modelId, l.version])).toEqual([
        ['challenger', modelB, 1],
        ['champion', modelA, 1],
      ]);
      // The answer is the champion's row; the challenger (trained on flipped labels) predicted the other class.
      const champion = log[1];
      const challenger = log[0];
      expect(body.prediction).toBe(champion.output.prediction);
      expect(challenger.output.prediction).not.toBe(champion.output.prediction);
    }
    const [n] = await db.pool.query<RowDataPacket[]>(
      "SELECT role, COUNT(*) AS n FROM predictions WHERE client_id LIKE 'c-%' GROUP BY role ORDER BY role",
    );
    expect(n.map((r) => [String(r.role), Number(r.n)])).toEqual([
      ['challenger', 80],
      ['champion', 80],
    ]);
  });

  it('sets an outcome on both rows; a repeated id is refused with nothing new stored', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/models/clf/outcomes',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      payload: JSON.stringify({ id: 'c-1', outcome: 'yes' }),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ model: { version: number } }>().model.version).toBe(1);
    expect((await logged('c-1')).map((l) => l.outcome)).toEqual(['yes', 'yes']);
    const again = await predict('c-1');
    expect(again.statusCode).toBe(409);
    expect(again.json<{ stored: { id: string }[] }>().stored.map((s) => s.id)).toEqual(['c-1']);
    expect(await logged('c-1')).toHaveLength(2);
  });

  it('promotes under load with no failed request: the challenger answers, the old champion becomes the challenger', async () => {
    let stop = false;
    const statuses: number[] = [];
    const versions = new Set<number>();
    let k = 0;
    const worker = async () => {
      while (!stop) {
        const res = await predict(`load-${k++}`);
        statuses.push(res.statusCode);
        if (res.statusCode === 200) versions.add(res.json<{ model: { version: number } }>().model.version);
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    await new Promise((r) => setTimeout(r, 200));
    const promoted = await challengers.promote('clf', admin);
    expect(promoted).toEqual({ version: 2, modelId: modelB });
    await until((r) => r.length === 2 && r[1].modelId === modelB && r[1].version === 2);
    await new Promise((r) => setTimeout(r, 200));
    stop = true;
    await Promise.all(workers);
    expect(statuses.length).toBeGreaterThan(50);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect([...versions].sort()).toEqual([1, 2]);
    const after = await logged(`warm-${seq - 1}`);
    expect(after.map((l) => [l.role, l.modelId])).toEqual([
      ['challenger', modelA],
      ['champion', modelB],
    ]);
    // Every request of the run was logged twice, whichever version answered it.
    const [n] = await db.pool.query<RowDataPacket[]>(
      "SELECT COUNT(*) AS n FROM predictions WHERE client_id LIKE 'load-%'",
    );
    expect(Number(n[0].n)).toBe(2 * statuses.length);
    const [history] = await db.pool.query<RowDataPacket[]>(
      "SELECT version, model_id, action FROM published_model_versions WHERE name = 'clf' ORDER BY version",
    );
    expect(history.map((h) => [Number(h.version), Number(h.model_id), String(h.action)])).toEqual([
      [1, modelA, 'publish'],
      [2, modelB, 'promote'],
    ]);
  });

  it('a challenger that cannot read the observations never fails a request: the champion answers and is logged alone', async () => {
    await challengers.set('clf', modelC, { actor: admin, confirm: true });
    await new Promise((r) => setTimeout(r, 300));
    const res = await predict('unreadable-1');
    expect(res.statusCode).toBe(200);
    expect((await logged('unreadable-1')).map((l) => l.role)).toEqual(['champion']);
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(
      new RegExp(`enchilada_serve_challenger_errors_total\\{model="clf",model_id="${modelC}"\\} [1-9]`),
    );
  });

  it('removing the challenger goes back to one row per request', async () => {
    await challengers.set('clf', modelA, { actor: admin, confirm: false });
    await until((r) => r.length === 2 && r[0].modelId === modelA);
    expect(await challengers.remove('clf', admin)).toBe(true);
    await until((r) => r.length === 1);
    expect(await challengers.remove('clf', admin)).toBe(false);
  });
});
