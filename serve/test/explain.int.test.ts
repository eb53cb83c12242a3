// Contributions at serving time (issue 18): a table with text, blanks and a date is trained on by
// viz's job (a random forest, then a logistic regression), published, and asked with
// "explain": true. The answer carries base_value and one contribution per original column that add
// up to the explained output, the same the stored artefact gives for that observation; the stored
// prediction keeps them; a publish switches the explanations with the model; a soft-voting ensemble
// as Compare-all stores one explains its probability; a model trained before explanations answers
// 409 and stores nothing; a forest's tree SHAP and a k-NN model's sampled SHAP run on the explain
// threads while plain predictions go on being answered.
import type { FastifyInstance } from 'fastify';
import { migrate, type RowDataPacket } from '@enchilada/core';
import { parseDate, type Dataset } from '@enchilada/data';
import { ApiKeys, PublishedModels, explainRows, storedExplainer } from '@enchilada/models';
import { MIGRATIONS_DIR, createTestDb, present, type TestDb } from '@enchilada/test-support';
import { buildApp } from '../src/app.js';
import { publishToyModel } from './support.js';
import { registerEnsemble } from '../../viz/test/support/ensemble.js';
import { loadTitanic, trainOn } from './titanic.js';

let db: TestDb;
let app: FastifyInstance;
let ds: Dataset;
let key: string;
let forestId: number;
let logisticId: number;
let knnId: number;

const FEATURES = ['Age', 'Cabin', 'Embarked', 'Fare', 'Pclass', 'Sex', 'Boarded'];

async function train(model: string, grid: Record<string, number[]>): Promise<number> {
  return (await trainOn(db.pool, ds, { model, features: FEATURES, grid, folds: 2 })).modelId;
}

beforeAll(async () => {
  db = await createTestDb('serve_explain');
  await migrate(db.pool, MIGRATIONS_DIR);
  ds = await loadTitanic(db.pool);
  forestId = await train('random_forest_classifier', { n_estimators: [50], max_depth: [4] });
  logisticId = await train('logistic_regression', { C: [1] });
  knnId = await train('knn_classifier', { n_neighbors: [5] });
  await new PublishedModels(db.pool).publish('titanic', forestId, null);
  await new PublishedModels(db.pool).publish('near', knnId, null);
  const votingId = await registerEnsemble(db.pool, ds, FEATURES, [
    { model: 'gradient_boosting_classifier', params: { n_estimators: 20, max_depth: 2, learning_rate: 0.3 } },
    { model: 'knn_classifier', params: { n_neighbors: 5 } },
  ]);
  await new PublishedModels(db.pool).publish('titanic-vote', votingId, null);
  // a model stored before explanations: no artefact
  await publishToyModel(db.pool, 'old');
  key = (await new ApiKeys(db.pool).create('k', null, null)).key;
  app = await buildApp({ config: db.config('serve', { SERVE_POLL_MS: '100' }), pool: db.pool, logger: false });
  await app.ready();
}, 180_000);

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const post = (url: string, body: unknown) =>
  app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    payload: JSON.stringify(body),
  });

const ROSE = { Age: 22, Cabin: null, Embarked: 'S', Fare: 7.25, Pclass: 1, Sex: 'female', Boarded: '1912-04-10' };
const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

interface Answer {
  prediction: string;
  probabilities: Record<string, number>;
  base_value?: number;
  contributions?: Record<string, number>;
  explanation?: {
    output: string;
    units: string;
    value: number;
    method: string;
    stderr?: Record<string, number>;
    probability?: { value: number; base_value: number; contributions: Record<string, number> };
  };
  model: { name: string; version: number };
}

describe('POST /v1/models/{name}/predict with "explain": true', () => {
  it('answers base_value and a contribution per original column (the date one column) that add up to the explained output, as the stored artefact computes them', async () => {
    const res = await post('/v1/models/titanic/predict', { id: 'rose', observation: ROSE, explain: true });
    expect(res.statusCode).toBe(200);
    const a = res.json<Answer>();
    expect(Object.keys(a.contributions ?? {}).sort()).toEqual([...FEATURES].sort());
    expect(a.explanation?.method).toBe('tree-shap');
    expect(a.explanation?.units).toBe('probability');
    expect(a.explanation?.output).toBe(a.prediction);
    expect(Math.abs(present(a.base_value) + sum(a.contributions ?? {}) - (a.explanation?.value ?? NaN))).toBeLessThan(
      1e-9,
    );
    // a forest explains the probability: the answered one, to float32
    expect(Math.abs((a.explanation?.value ?? NaN) - a.probabilities[a.prediction])).toBeLessThan(1e-6);
    const [own] = explainRows(present(await storedExplainer(db.pool, forestId)), [ROSE], { parseDate });
    expect(a.contributions).toEqual(own.contributions);
    expect(a.base_value).toBe(own.base_value);
  });

  it('keeps the contributions with the stored prediction, and answers without them unless asked', async () => {
    const plain = await post('/v1/models/titanic/predict', { id: 'plain', observation: ROSE });
    expect(plain.statusCode).toBe(200);
    expect(plain.json<Answer>().contributions).toBeUndefined();
    const explained = (
      await post('/v1/models/titanic/predict', { id: 'kept', observation: ROSE, explain: true })
    ).json<Answer>();
    expect(plain.json<Answer>().prediction).toBe(explained.prediction);
    const [rows] = await db.pool.query<RowDataPacket[]>(
      "SELECT client_id, contributions FROM predictions WHERE client_id IN ('plain', 'kept') ORDER BY client_id",
    );
    expect(rows.map((r) => r.client_id)).toEqual(['kept', 'plain']);
    const stored = JSON.parse(String(rows[0].contributions)) as Answer;
    expect(stored.contributions).toEqual(explained.contributions);
    expect(stored.base_value).toBe(explained.base_value);
    expect(rows[1].contributions).toBeNull();
    // a repeated id answers 409 with the stored prediction, contributions included
    const again = await post('/v1/models/titanic/predict', { id: 'kept', observation: ROSE, explain: true });
    expect(again.statusCode).toBe(409);
    expect(again.json<{ stored: Answer[] }>().stored[0].contributions).toEqual(explained.contributions);
  });

  it('explains every instance of a batch, with nulls, absent keys and unseen categories', async () => {
    const instances = [
      { id: 'b1', observation: ROSE },
      {
        id: 'b2',
        observation: { Age: null, Sex: 'male', Pclass: 3, Embarked: 'Atlantis', Boarded: '1912-04-02 10:30:00' },
      },
      { id: 'b3', observation: {} },
    ];
    const res = await post('/v1/models/titanic/predict', { instances, explain: true });
    expect(res.statusCode).toBe(200);
    const out = res.json<{ predictions: Answer[] }>().predictions;
    expect(out).toHaveLength(3);
    for (const p of out) {
      expect(Object.keys(p.contributions ?? {}).sort()).toEqual([...FEATURES].sort());
      expect(Math.abs(present(p.base_value) + sum(p.contributions ?? {}) - (p.explanation?.value ?? NaN))).toBeLessThan(
        1e-9,
      );
    }
    const [count] = await db.pool.query<RowDataPacket[]>(
      "SELECT COUNT(*) AS n FROM predictions WHERE client_id IN ('b1', 'b2', 'b3') AND contributions IS NOT NULL",
    );
    expect(Number(count[0].n)).toBe(3);
  });

  it('explains a forest on an explain thread: a batch of explained rows gets what the artefact gives, while the event loop goes on (a plain prediction is not held up behind it)', async () => {
    const instances = Array.from({ length: 1000 }, (_, i) => ({
      id: `forest-batch-${i}`,
      observation: { ...ROSE, Age: i % 80, Fare: (i * 7.25) % 500, Sex: i % 2 ? 'male' : 'female' },
    }));
    const artefact = present(await storedExplainer(db.pool, forestId));
    const t0 = performance.now();
    const own = explainRows(
      artefact,
      instances.map((i) => i.observation),
      { parseDate },
    );
    // what explaining the batch costs on one thread (the event loop's, were it explained there)
    const explainMs = performance.now() - t0;
    // the event loop's longest stall while serve has a batch in hand (a plain prediction arriving
    // then waits at least that long): explained, it may stall no longer than the same batch
    // unexplained (parsing, scoring, logging, answering) plus a fraction of the explaining
    const stallOf = async (explain: boolean, prefix: string) => {
      let stalled = 0;
      let last = performance.now();
      const probe = setInterval(() => {
        const now = performance.now();
        stalled = Math.max(stalled, now - last);
        last = now;
      }, 1);
      const res = await post('/v1/models/titanic/predict', {
        instances: instances.map((i) => ({ ...i, id: `${prefix}-${i.id}` })),
        explain,
      });
      clearInterval(probe);
      expect(res.statusCode).toBe(200);
      return { res, stalled };
    };
    const plain = await stallOf(false, 'plain');
    const { res: b, stalled } = await stallOf(true, 'explained');
    expect(stalled).toBeLessThan(plain.stalled + explainMs / 3);
    const got = b.json<{ predictions: Answer[] }>().predictions;
    expect(got.map((a) => a.explanation?.method)).toEqual(own.map(() => 'tree-shap'));
    expect(got.map((a) => [a.base_value, a.contributions])).toEqual(own.map((o) => [o.base_value, o.contributions]));
  }, 60_000);

  it('explains a k-NN model by sampled SHAP on the explain thread, as the stored artefact does, and answers plain predictions meanwhile', async () => {
    const res = await post('/v1/models/near/predict', { id: 'near-1', observation: ROSE, explain: true });
    expect(res.statusCode).toBe(200);
    const a = res.json<Answer & { explanation: { stderr?: Record<string, number> } }>();
    expect(a.explanation.method).toBe('sampling-shap');
    expect(Object.keys(a.explanation.stderr ?? {}).sort()).toEqual([...FEATURES].sort());
    const [own] = explainRows(present(await storedExplainer(db.pool, knnId)), [ROSE], { parseDate });
    expect(a.contributions).toEqual(own.contributions);
    expect(a.base_value).toBe(own.base_value);
    // a batch of sampled explanations (tens of ms of CPU each) does not hold up a plain prediction
    const done: string[] = [];
    const instances = Array.from({ length: 10 }, (_, i) => ({
      id: `near-batch-${i}`,
      observation: { ...ROSE, Age: 20 + i },
    }));
    const batch = post('/v1/models/near/predict', { instances, explain: true }).then((r) => {
      done.push('explained');
      return r;
    });
    await new Promise((r) => setTimeout(r, 20));
    const plain = post('/v1/models/near/predict', { id: 'near-plain', observation: ROSE }).then((r) => {
      done.push('plain');
      return r;
    });
    const [b, p] = await Promise.all([batch, plain]);
    expect(b.statusCode).toBe(200);
    expect(p.statusCode).toBe(200);
    expect(done).toEqual(['plain', 'explained']);
  }, 30_000);

  it('switches explanations with the model on publish (a logistic regression explains log-odds)', async () => {
    await new PublishedModels(db.pool).publish('titanic', logisticId, null);
    let a: Answer | null = null;
    for (let i = 0; i < 50; i++) {
      a = (
        await post('/v1/models/titanic/predict', { id: `swap-${i}`, observation: ROSE, explain: true })
      ).json<Answer>();
      if (a.explanation?.method === 'linear-shap') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(a?.model.version).toBe(2);
    expect(a?.explanation?.method).toBe('linear-shap');
    expect(a?.explanation?.units).toBe('log-odds');
    const p = present(a?.explanation?.probability);
    expect(Math.abs(p.value - (a?.probabilities[a.prediction] ?? NaN))).toBeLessThan(1e-6);
    expect(Math.abs(p.base_value + sum(p.contributions) - p.value)).toBeLessThan(1e-9);
    // log-odds of the answered class: σ(value) is its probability
    expect(
      Math.abs(1 / (1 + Math.exp(-(a?.explanation?.value ?? NaN))) - (a?.probabilities[a.prediction] ?? NaN)),
    ).toBeLessThan(1e-6);
  });

  it('explains a soft-voting ensemble in probability: base + Σ contributions = the probability its ONNX graph answered', async () => {
    const res = await post('/v1/models/titanic-vote/predict', { id: 'vote-1', observation: ROSE, explain: true });
    expect(res.statusCode).toBe(200);
    const a = res.json<Answer>();
    expect(a.explanation?.method).toBe('voting-shap');
    expect(a.explanation?.units).toBe('probability');
    expect(Object.keys(a.contributions ?? {}).sort()).toEqual([...FEATURES].sort());
    expect(Math.abs(present(a.base_value) + sum(a.contributions ?? {}) - (a.explanation?.value ?? NaN))).toBeLessThan(
      1e-9,
    );
    expect(Math.abs((a.explanation?.value ?? NaN) - a.probabilities[a.prediction])).toBeLessThan(1e-6);
    // a sampled member (k-NN): standard errors come with the contributions
    expect(Object.keys(a.explanation?.stderr ?? {}).sort()).toEqual([...FEATURES].sort());
  });

  it('answers 409 no_explainer for a model trained before explanations, and stores nothing', async () => {
    const res = await post('/v1/models/old/predict', { id: 'old-1', observation: { a: 0.5, b: 0.1 }, explain: true });
    expect(res.statusCode).toBe(409);
    expect(res.json<{ code: string; message: string }>()).toMatchObject({
      code: 'no_explainer',
      message: expect.stringMatching(/retrain/) as unknown,
    });
    const [rows] = await db.pool.query<RowDataPacket[]>(
      "SELECT COUNT(*) AS n FROM predictions WHERE client_id = 'old-1'",
    );
    expect(Number(rows[0].n)).toBe(0);
    // unexplained, it answers as before
    expect((await post('/v1/models/old/predict', { id: 'old-2', observation: { a: 0.5, b: 0.1 } })).statusCode).toBe(
      200,
    );
  });
});
