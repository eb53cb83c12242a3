// Batch scoring (issue 19): a CSV posted to /v1/models/:name/predict answers the same rows with the
// prediction and probabilities appended, columns the model does not use passed through, bad rows
// named by line in an `error` column and the rest scored, every scored row logged with the batch id.
import { Readable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { parse } from 'csv-parse/sync';
import type { RowDataPacket } from '@enchilada/core';
import { LogisticRegression, Matrix, Pipeline, classificationTarget } from '@enchilada/ml';
import { PredictionBatches } from '@enchilada/models';
import type { TestDb } from '@enchilada/test-support';
import { buildApp } from '../src/app.js';
import { servingTestDb } from './support.js';

let db: TestDb;
let app: FastifyInstance;
let key: string;
let base: string;
// The toy model of support.ts, fitted again here to know its answers.
const train = Array.from({ length: 40 }, (_, i) => [Math.sin(i), Math.cos(i)]);
const model = new Pipeline(new LogisticRegression()).fit(
  Matrix.fromRows(train),
  classificationTarget(train.map(([a]) => (a > 0 ? '1' : '0'))),
);
const p1 = (a: number, b: number) => model.predictProba(Matrix.fromRows([[a, b]])).get(0, 1);

beforeAll(async () => {
  ({ db, key } = await servingTestDb('serve_batch'));
  app = await buildApp({
    config: db.config('serve', { SERVE_POLL_MS: '100', SERVE_BATCH_MAX_ROWS: '20000' }),
    pool: db.pool,
    logger: false,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}, 60000);

afterAll(async () => {
  // The aborted request's socket (a client that went away, below) is not idle to the server: close it.
  app?.server.closeAllConnections();
  await app?.close();
  await db?.drop();
}, 30000);

const csvPost = (query: string, body: string, auth = true) =>
  app.inject({
    method: 'POST',
    url: `/v1/models/m/predict${query}`,
    payload: body,
    headers: { 'content-type': 'text/csv', ...(auth ? { authorization: `Bearer ${key}` } : {}) },
  });
const table = (text: string): string[][] => parse(text, { relax_column_count: true });
const count = async (sql: string, args: unknown[]) => Number((await db.pool.query<RowDataPacket[]>(sql, args))[0][0].n);

describe('batch scoring of a CSV', () => {
  const input =
    [
      'ref,a,note,b',
      'r1,0.8,"keeps, commas and ""quotes""",0.1',
      'r2,abc,bad number,0.2',
      'r3,-0.7,,0.3',
      'r4,0.5,too few fields',
      'r5,0.1,empty b,',
      'r6,=1+1,formula-looking text in a feature,0.2',
      'r7,-0.2,last,0.9',
    ].join('\n') + '\n';

  it('answers every row in order: passed-through columns, the prediction and probabilities, bad rows named by line', async () => {
    const res = await csvPost('', input);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const batchId = Number(res.headers['x-batch-id']);
    expect(batchId).toBeGreaterThan(0);
    const [header, ...rows] = table(res.body);
    expect(header).toEqual([
      'ref',
      'a',
      'note',
      'b',
      'prediction_id',
      'prediction',
      'probability_0',
      'probability_1',
      'error',
    ]);
    expect(rows.map((r) => r[0])).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7']);
    const col = (name: string) => header.indexOf(name);
    const byRef = new Map(rows.map((r) => [r[0], r]));
    // passed through as sent
    expect(byRef.get('r1')?.[col('note')]).toBe('keeps, commas and "quotes"');
    for (const [ref, a, b, line] of [
      ['r1', 0.8, 0.1, 2],
      ['r3', -0.7, 0.3, 4],
      ['r7', -0.2, 0.9, 8],
    ] as const) {
      const r = byRef.get(ref) ?? [];
      expect(r[col('error')]).toBe('');
      expect(r[col('prediction_id')]).toBe(`b${batchId}-${line}`);
      expect(Number(r[col('probability_1')])).toBeCloseTo(p1(a, b), 5);
      expect(Number(r[col('probability_0')]) + Number(r[col('probability_1')])).toBeCloseTo(1, 5);
      expect(r[col('prediction')]).toBe(p1(a, b) > 0.5 ? '1' : '0');
    }
    const errorOf = (ref: string) => byRef.get(ref)?.[col('error')];
    expect(errorOf('r2')).toBe('line 3: column "a": "abc" is not a number');
    expect(errorOf('r4')).toBe('line 5: expected 4 fields but found 3');
    expect(errorOf('r5')).toBe('line 6: column "b" is empty: the model was trained on complete rows only');
    expect(errorOf('r6')).toBe('line 7: column "a": "=1+1" is not a number');
    for (const ref of ['r2', 'r4', 'r5', 'r6']) expect(byRef.get(ref)?.[col('prediction')]).toBe('');
    // the bad row's own cells come back as sent (a formula defused, as every CSV the app writes)
    expect(byRef.get('r6')?.[col('a')]).toBe("'=1+1");
    expect(byRef.get('r4')?.slice(0, 4)).toEqual(['r4', '0.5', 'too few fields', '']);

    // logged: the scored rows only, with the batch id and the observation the model read
    const [logged] = await db.pool.query<RowDataPacket[]>(
      'SELECT client_id, observation, output FROM predictions WHERE batch_id = ? ORDER BY id',
      [batchId],
    );
    expect(logged.map((r) => String(r.client_id))).toEqual([`b${batchId}-2`, `b${batchId}-4`, `b${batchId}-8`]);
    expect(JSON.parse(String(logged[0].observation))).toEqual({ a: 0.8, b: 0.1 });
    expect(JSON.parse(String(logged[0].output)).probabilities['1']).toBeCloseTo(p1(0.8, 0.1), 5);
    const batch = await new PredictionBatches(db.pool).get(batchId);
    expect(batch).toMatchObject({
      modelName: 'm',
      version: 1,
      status: 'done',
      rowsScored: 3,
      rowsFailed: 4,
      idColumn: null,
      message: null,
    });
    expect(batch?.finishedAt).not.toBeNull();
  });

  it('takes the outcome of a batch row by its generated id', async () => {
    const res = await csvPost('', 'a,b\n0.9,0.1\n');
    const id = table(res.body)[1][2];
    expect(id).toMatch(/^b\d+-2$/);
    const outcome = await app.inject({
      method: 'POST',
      url: '/v1/models/m/outcomes',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      payload: JSON.stringify({ id, outcome: '1' }),
    });
    expect(outcome.statusCode).toBe(200);
    expect(outcome.json().prediction).toBe(table(res.body)[1][3]);
  });

  it("uses the id column as the rows' ids; an id already logged is an error on its row and the others are logged", async () => {
    const first = await csvPost('?id_column=key', 'key,a,b\nk1,0.5,0.5\nk2,-0.5,0.5\n');
    expect(first.statusCode).toBe(200);
    const [header, ...rows] = table(first.body);
    expect(header).toEqual(['key', 'a', 'b', 'prediction', 'probability_0', 'probability_1', 'error']);
    expect(rows.map((r) => r[6])).toEqual(['', '']);
    const again = await csvPost('?id_column=key', 'key,a,b\nk3,0.1,0.1\nk1,0.5,0.5\nk3,0.2,0.2\n');
    const out = table(again.body).slice(1);
    expect(out.map((r) => r[6])).toEqual([
      '',
      'line 3: column "key": the id "k1" already has a prediction for "m" (ids are unique per name); not logged',
      'line 4: column "key": the id "k3" already has a prediction for "m" (ids are unique per name); not logged',
    ]);
    expect(await count('SELECT COUNT(*) AS n FROM predictions WHERE client_id IN (?, ?, ?)', ['k1', 'k2', 'k3'])).toBe(
      3,
    );
    const batch = await new PredictionBatches(db.pool).get(Number(again.headers['x-batch-id']));
    expect(batch).toMatchObject({ rowsScored: 1, rowsFailed: 2, idColumn: 'key' });
  });

  it('logs nothing with log=false and still answers every row', async () => {
    const before = await count('SELECT COUNT(*) AS n FROM predictions', []);
    const batches = await count('SELECT COUNT(*) AS n FROM prediction_batches', []);
    const res = await csvPost('?log=false', 'a,b\n0.5,0.5\n-0.5,0.5\n');
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-batch-id']).toBe('not logged');
    const [header, ...rows] = table(res.body);
    expect(header).toEqual(['a', 'b', 'prediction', 'probability_0', 'probability_1', 'error']);
    expect(rows).toHaveLength(2);
    expect(await count('SELECT COUNT(*) AS n FROM predictions', [])).toBe(before);
    expect(await count('SELECT COUNT(*) AS n FROM prediction_batches', [])).toBe(batches);
  });

  it('refuses before any output a CSV without a feature column, an unknown id column, or no API key', async () => {
    const missing = await csvPost('', 'a,c\n1,2\n');
    expect(missing.statusCode).toBe(400);
    expect(missing.json().message).toBe(
      'the CSV has no column "b"; the model\'s features are a, b (other columns are passed through)',
    );
    const idCol = await csvPost('?id_column=nope', 'a,b\n1,2\n');
    expect(idCol.statusCode).toBe(400);
    expect(idCol.json().field).toBe('id_column');
    expect((await csvPost('', 'a,b\n1,2\n', false)).statusCode).toBe(401);
  });

  it('leaves the JSON route as it was', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/models/m/predict',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      payload: JSON.stringify({ id: 'json-1', observation: { a: 0.3, b: 0.3 } }),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().probabilities['1']).toBeCloseTo(p1(0.3, 0.3), 5);
  });

  it('streams a file of many chunks over HTTP both ways, row for row, and stops at the row limit', async () => {
    const n = 12_345;
    async function* body() {
      yield 'id,a,b,extra\n';
      for (let i = 0; i < n; i += 1000) {
        let s = '';
        for (let j = i; j < Math.min(n, i + 1000); j++)
          s += `s${j},${Math.sin(j).toFixed(4)},${Math.cos(j).toFixed(4)},x${j}\n`;
        yield s;
      }
    }
    const init: RequestInit & { duplex: 'half' } = {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${key}` },
      body: Readable.toWeb(Readable.from(body())) as ReadableStream,
      duplex: 'half',
    };
    const res = await fetch(`${base}/v1/models/m/predict?id_column=id`, init);
    expect(res.status).toBe(200);
    const rows = table(await res.text());
    expect(rows).toHaveLength(n + 1);
    expect(rows[n]).toEqual(expect.arrayContaining([`s${n - 1}`, `x${n - 1}`]));
    expect(rows.slice(1).every((r, i) => r[0] === `s${i}` && r[3] === `x${i}` && r[7] === '')).toBe(true);
    const batchId = Number(res.headers.get('x-batch-id'));
    expect(await new PredictionBatches(db.pool).countRows(batchId)).toBe(n);

    // 20,000 rows at most (SERVE_BATCH_MAX_ROWS above): the output stops with a row saying so
    const big = 'a,b\n' + '0.1,0.2\n'.repeat(20_001);
    const over = await csvPost('?log=false', big);
    const last = table(over.body).at(-1) ?? [];
    expect(table(over.body)).toHaveLength(20_002);
    expect(last.at(-1)).toBe(
      'line 20002: the CSV has more than 20,000 rows, the most one request may score (SERVE_BATCH_MAX_ROWS); the rows from here were not read',
    );
  }, 60000);
});

describe('a client that goes away', () => {
  it('stops reading, keeps what was logged, and marks the batch failed', async () => {
    const ctl = new AbortController();
    async function* endless() {
      yield 'a,b\n';
      // (a turn of the event loop per piece: serve runs in this process). It ends with the abort:
      // undici does not cancel a request body after the response has come, and an endless
      // generator left running kept jest's process busy forever after the suite had passed.
      while (!ctl.signal.aborted) {
        await new Promise((r) => setImmediate(r));
        yield '0.1,0.2\n'.repeat(1000);
      }
    }
    const init: RequestInit & { duplex: 'half' } = {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${key}` },
      body: Readable.toWeb(Readable.from(endless())) as ReadableStream,
      duplex: 'half',
      signal: ctl.signal,
    };
    const res = await fetch(`${base}/v1/models/m/predict`, init);
    const batchId = Number(res.headers.get('x-batch-id'));
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let bytes = 0;
    while (bytes < 200_000) bytes += (await reader.read()).value?.length ?? 0;
    ctl.abort();
    const batches = new PredictionBatches(db.pool);
    for (let i = 0; i < 100 && (await batches.get(batchId))?.status === 'running'; i++)
      await new Promise((r) => setTimeout(r, 100));
    const batch = await batches.get(batchId);
    expect(batch).toMatchObject({ status: 'failed', message: 'the client closed the connection before the end' });
    expect(await batches.countRows(batchId)).toBe(batch?.rowsScored);
    expect(batch?.rowsScored).toBeGreaterThan(0);
  }, 60000);
});

describe('the API documentation', () => {
  it('documents the CSV variant on the predict operation', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    const op = doc.paths['/v1/models/{name}/predict'].post;
    expect(Object.keys(op.requestBody.content)).toEqual(['application/json', 'text/csv']);
    expect(Object.keys(op.responses['200'].content)).toEqual(['application/json', 'text/csv']);
    expect(op.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['id_column', 'log']));
    expect(op.description).toContain('Batch scoring (Content-Type: text/csv)');
  });
});
