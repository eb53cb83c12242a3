// A real table from upload to served prediction: a Titanic-shaped CSV with text columns, blanks and
// a date is loaded, trained on (the viz job, every column kind, imputed inside each fold), published,
// and called with strings, nulls, absent keys and a category never seen in training, exactly as
// the deployment tutorials' clients call their model; outcomes are recorded against the predictions.
import type { FastifyInstance } from 'fastify';
import { migrate, type RowDataPacket } from '@enchilada/core';
import { ApiKeys, ModelRegistry, PublishedModels, type TrainResult } from '@enchilada/models';
import { MIGRATIONS_DIR, createTestDb, type TestDb } from '@enchilada/test-support';
import { buildApp } from '../src/app.js';
import { loadTitanic, titanicCsv, trainOn } from './titanic.js';

let db: TestDb;
let app: FastifyInstance;
let key: string;
let result: TrainResult;

beforeAll(async () => {
  db = await createTestDb('serve_mixed');
  await migrate(db.pool, MIGRATIONS_DIR);
  result = await trainOn(db.pool, await loadTitanic(db.pool), {
    model: 'logistic_regression',
    features: ['Age', 'Cabin', 'Embarked', 'Fare', 'Parch', 'Pclass', 'Sex', 'SibSp', 'Boarded'],
    grid: { C: [0.1, 10.1] },
    folds: 5,
  });
  await new PublishedModels(db.pool).publish('titanic', result.modelId, null);
  key = (await new ApiKeys(db.pool).create('k', null, null)).key;
  app = await buildApp({
    config: db.config('serve', { SERVE_POLL_MS: '100', SEED_MODEL_NAME: 'titanic' }),
    pool: db.pool,
    logger: false,
  });
  await app.ready();
}, 120_000);

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

describe('a table with text, blanks and dates', () => {
  it('trains on every column kind, keeping rows with missing features, and onnxruntime agrees with the TypeScript pipeline', () => {
    expect(result.rows).toBe(200);
    expect(result.dropped).toBe(0);
    expect(result.testScore).toBeGreaterThan(0.8);
    expect(result.onnxLabelMismatches).toBe(0);
    expect(result.onnxMaxDiff).toBeLessThan(1e-5);
  });

  it('stores the input contract: a string input per text column, a float per number, date parts, with imputed values', async () => {
    const m = await new ModelRegistry(db.pool).get(result.modelId);
    const byName = new Map((m?.inputs ?? []).map((c) => [c.name, c]));
    expect(byName.get('Sex')).toMatchObject({ kind: 'categorical', categories: ['female', 'male'] });
    expect(byName.get('Cabin')).toMatchObject({ kind: 'categorical', imputed: 'missing_value' });
    expect(byName.get('Age')).toMatchObject({ kind: 'numeric' });
    expect((byName.get('Age') as { imputed: number }).imputed).toBeGreaterThan(18);
    expect(byName.get('Boarded')).toMatchObject({
      kind: 'date',
      parts: [{ part: 'year' }, { part: 'month' }, { part: 'day' }, { part: 'weekday' }],
    });
  });

  it('answers the tutorial client’s exact request on the seed-compatible route, and stores the observation as sent', async () => {
    // the tutorial's request, character for character (no boarding date: an absent key is imputed)
    const res = await app.inject({
      method: 'POST',
      url: '/predict',
      headers: { 'content-type': 'application/json' },
      payload:
        '{"id": 0, "observation": {"Age": 22.0, "Cabin": null, "Embarked": "S", "Fare": 7.25, "Parch": 0, "Pclass": 3, "Sex": "male", "SibSp": 1}}',
    });
    expect(res.statusCode).toBe(200);
    const proba = res.json().proba as number;
    expect(proba).toBeGreaterThanOrEqual(0);
    expect(proba).toBeLessThan(0.5);
    const [rows] = await db.pool.query<RowDataPacket[]>('SELECT observation FROM predictions WHERE client_id = ?', [
      '0',
    ]);
    expect(JSON.parse(String(rows[0].observation))).toEqual({
      Age: 22,
      Cabin: null,
      Embarked: 'S',
      Fare: 7.25,
      Parch: 0,
      Pclass: 3,
      Sex: 'male',
      SibSp: 1,
    });
  });

  it('imputes null and absent features, and encodes an unseen category without an error, counting it in /metrics', async () => {
    const res = await post('/v1/models/titanic/predict', {
      instances: [
        { id: 'a', observation: { Sex: 'female', Pclass: 1 } },
        {
          id: 'b',
          observation: { Sex: 'female', Pclass: 1, Age: null, Cabin: 'Z99', Embarked: 'X', Fare: null, Boarded: null },
        },
      ],
    });
    expect(res.statusCode).toBe(200);
    const preds = res.json().predictions as { prediction: string; probabilities: Record<string, number> }[];
    expect(preds.map((p) => p.prediction)).toEqual(['1', '1']);
    const metrics = await app.inject({ url: '/metrics' });
    expect(metrics.body).toMatch(/enchilada_serve_unseen_categories_total\{model="titanic",feature="Cabin"\} 1/);
    expect(metrics.body).toMatch(/enchilada_serve_unseen_categories_total\{model="titanic",feature="Embarked"\} 1/);
  });

  it.each([
    ['a string where a number is expected', { Age: 'old' }, 'Age', /"Age" must be a number/],
    ['a number too large for float32', { Fare: 1e39 }, 'Fare', /too large/],
    ['a non-date', { Boarded: '1912-13-01' }, 'Boarded', /Boarded/],
    ['an object for a text feature', { Sex: { x: 1 } }, 'Sex', /must be text/],
    ['an unknown feature', { Deck: 'B' }, 'Deck', /unknown feature "Deck"/],
  ])('refuses %s with a 400 naming the feature', async (_what, observation, field, message) => {
    const res = await post('/v1/models/titanic/predict', { id: `bad-${field}`, observation });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(message);
    expect(res.json().field).toBe(field);
  });

  it('shows a synthetic /docs example, not a training row: imputed numbers rounded, a known category, a fixed date', async () => {
    const res = await app.inject({ url: '/docs/json' });
    const doc = res.json<{
      paths: Record<
        string,
        {
          post: {
            requestBody: {
              content: Record<
                string,
                { examples: Record<string, { value: { observation: Record<string, unknown> } }> }
              >;
            };
          };
        }
      >;
    }>();
    const obs =
      doc.paths['/v1/models/{name}/predict'].post.requestBody.content['application/json'].examples.titanic.value
        .observation;
    const m = await new ModelRegistry(db.pool).get(result.modelId);
    const age = (m?.inputs ?? []).find((c) => c.name === 'Age') as { imputed: number };
    expect(Object.keys(obs).sort()).toEqual([
      'Age',
      'Boarded',
      'Cabin',
      'Embarked',
      'Fare',
      'Parch',
      'Pclass',
      'Sex',
      'SibSp',
    ]);
    expect(obs.Age).toBe(Number(age.imputed.toPrecision(4)));
    expect(obs.Sex).toBe('female');
    // Cabin's gaps are imputed with a constant no passenger has: the example shows a real category.
    expect(obs.Cabin).toMatch(/^C\d+$/);
    expect(obs.Boarded).toBe('2024-01-01');
    // No passenger boarded in 2024: the example cannot be a row of the training data.
    expect(titanicCsv()).not.toMatch(/2024-01-01/);
    // And the example is a valid request.
    expect((await post('/v1/models/titanic/predict', { id: 'docs-example', observation: obs })).statusCode).toBe(200);
  });

  it('scores a CSV of text, blanks and dates as the JSON route does: a blank is imputed, a bad date is an error on its row', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/models/titanic/predict?id_column=PassengerId',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${key}` },
      payload:
        'PassengerId,Pclass,Sex,Age,SibSp,Parch,Cabin,Embarked,Fare,Boarded\n901,3,male,22,1,0,,S,7.25,1912-04-10\n902,1,female,,0,0,C5,,80,\n903,2,male,30,0,0,,Q,13,not-a-date\n',
    });
    expect(res.statusCode).toBe(200);
    const [header, ...rows] = res.body
      .trimEnd()
      .split('\n')
      .map((l) => l.split(','));
    expect(header.slice(10)).toEqual(['prediction', 'probability_0', 'probability_1', 'error']);
    const json = await post('/v1/models/titanic/predict', {
      id: 'json-902',
      observation: {
        Pclass: 1,
        Sex: 'female',
        Age: null,
        SibSp: 0,
        Parch: 0,
        Cabin: 'C5',
        Embarked: null,
        Fare: 80,
        Boarded: null,
      },
    });
    // the same up to float32 rounding (the CSV's rows are scored together, the JSON one alone)
    expect(rows[1][10]).toBe(json.json().prediction);
    expect(Number(rows[1][11])).toBeCloseTo(json.json().probabilities['0'], 6);
    expect(Number(rows[1][12])).toBeCloseTo(json.json().probabilities['1'], 6);
    expect(rows[0][13]).toBe('');
    expect(rows[2].slice(10, 13)).toEqual(['', '', '']);
    expect(rows[2].slice(13).join(',')).toMatch(/^"line 4: column ""Boarded"": /);
    const [logged] = await db.pool.query<RowDataPacket[]>(
      'SELECT client_id, observation FROM predictions WHERE client_id IN (?, ?, ?) ORDER BY client_id',
      ['901', '902', '903'],
    );
    expect(logged.map((r) => String(r.client_id))).toEqual(['901', '902']);
    expect(JSON.parse(String(logged[1].observation))).toMatchObject({
      Age: null,
      Cabin: 'C5',
      Embarked: null,
      Boarded: null,
      Sex: 'female',
      Fare: 80,
    });
  });

  it('records an outcome against a prediction made with text values', async () => {
    const res = await post('/update', { id: 0, true_class: 0 });
    expect(res.statusCode).toBeLessThan(300);
    const [rows] = await db.pool.query<RowDataPacket[]>('SELECT outcome FROM predictions WHERE client_id = ?', ['0']);
    expect(String(rows[0].outcome)).toMatch(/0/);
  });
});
