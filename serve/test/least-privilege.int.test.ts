// serve as its own database account (issue 15): the account is made by the database's init
// script (db/initdb/serve-account.sh, run here with the mysql client as an operator would), web's
// account grants it serve's columns (grantServingAccount, as web does after migrating; not root),
// and serve then predicts, takes outcomes and rate-limits through it, while everything else is denied.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import mysql from 'mysql2/promise';
import { createPool, migrate, type Pool, type RowDataPacket } from '@enchilada/core';
import { ApiKeys, ModelRegistry, PublishedModels, prunePredictionErrors, grantServingAccount } from '@enchilada/models';
import { MIGRATIONS_DIR, TEST_MYSQL_ROOT, TEST_USER, createTestDb, type TestDb } from '@enchilada/test-support';
import { buildApp } from '../src/app.js';
import { publishToyModel } from './support.js';

const INIT_SCRIPT = join(__dirname, '..', '..', 'db', 'initdb', 'serve-account.sh');
const SERVE_PASSWORD = 'serve-account-password-Qx9';
let mysqlClient = true;
try {
  execFileSync('mysql', ['--version'], { stdio: 'ignore' });
} catch {
  mysqlClient = false;
}
// The init script talks to the server through the mysql command-line client, as in the db container.
const maybe = mysqlClient ? describe : describe.skip;

let db: TestDb;
let account: string;
let servePool: Pool;
let app: FastifyInstance;
let key: string;
let modelId: number;

async function asRoot(sql: string, values: unknown[] = []): Promise<void> {
  const root = await mysql.createConnection(TEST_MYSQL_ROOT);
  try {
    await root.query(sql, values);
  } finally {
    await root.end();
  }
}

maybe('serve as its own database account', () => {
  beforeAll(async () => {
    db = await createTestDb('least_privilege');
    await migrate(db.pool, MIGRATIONS_DIR);
    modelId = await publishToyModel(db.pool);
    key = (await new ApiKeys(db.pool).create('k', null, null)).key;
    account = `${db.database.slice(0, 24)}_srv`.slice(0, 32);
    const passwordFile = join(db.secretsDir, 'db_serve_password');
    writeFileSync(passwordFile, SERVE_PASSWORD);
    // The same environment the database image gives the script (MYSQL_USER, MYSQL_DATABASE, the root
    // password), plus where the mysql client finds this server.
    execFileSync('bash', [INIT_SCRIPT], {
      env: {
        PATH: process.env.PATH,
        MYSQL_USER: TEST_USER,
        MYSQL_DATABASE: db.database,
        MYSQL_SERVE_USER: account,
        MYSQL_SERVE_PASSWORD_FILE: passwordFile,
        MYSQL_HOST: TEST_MYSQL_ROOT.host,
        MYSQL_TCP_PORT: String(TEST_MYSQL_ROOT.port),
        MYSQL_ROOT_PASSWORD: TEST_MYSQL_ROOT.password,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    // The test user exists for '%' and 'localhost' (test-support); the script gives GRANT OPTION to
    // MYSQL_USER@'%', as the image creates MYSQL_USER. Over TCP to 127.0.0.1 this server may match
    // the 'localhost' row instead, so that row gets the same right here.
    await asRoot(`GRANT ALL PRIVILEGES ON \`${db.database}\`.* TO ?@'localhost' WITH GRANT OPTION`, [TEST_USER]);
    // A new connection, as web's at its start: a database-level privilege (the GRANT OPTION above)
    // reaches a connection only when it next selects the database.
    const webPool = createPool(db.config('web').mysql, { connectionLimit: 1 });
    try {
      await grantServingAccount(webPool, db.database, account);
    } finally {
      await webPool.end();
    }
    const config = db.config('serve', { MYSQL_SERVE_USER: account, SERVE_UNKNOWN_KEY_LIMIT: '3' });
    expect(config.mysql.user).toBe(account);
    servePool = createPool(config.mysql, { connectionLimit: 4 });
    app = await buildApp({ config, pool: servePool, logger: false });
    await app.ready();
  }, 60000);

  afterAll(async () => {
    await app?.close();
    await servePool?.end();
    if (account) await asRoot('DROP USER IF EXISTS ?@?', [account, '%']);
    await db?.drop();
  });

  const post = (url: string, body: unknown, k: string = key) =>
    app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${k}` },
      payload: JSON.stringify(body),
    });

  test('the serve account is who serve connects as', async () => {
    const [rows] = await servePool.query<RowDataPacket[]>('SELECT CURRENT_USER() AS u');
    expect(String(rows[0].u)).toBe(`${account}@%`);
  });

  test('serve is ready: it read the published model and the keys as that account', async () => {
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json().models).toEqual([{ name: 'm', version: 1, status: 'ready' }]);
  });

  test('a prediction is stored and takes its outcome as that account', async () => {
    const res = await post('/v1/models/m/predict', { id: 'lp-1', observation: { a: 1, b: 0.5 } });
    expect(res.statusCode).toBe(200);
    expect(['0', '1']).toContain(res.json().prediction);
    expect((await post('/v1/models/m/predict', { id: 'lp-1', observation: { a: 1, b: 0.5 } })).statusCode).toBe(409);
    const outcome = await post('/v1/models/m/outcomes', { id: 'lp-1', outcome: '1' });
    expect(outcome.statusCode).toBe(200);
    const [rows] = await db.pool.query<RowDataPacket[]>(
      'SELECT model_id, outcome FROM predictions WHERE client_id = ?',
      ['lp-1'],
    );
    expect(rows.map((r) => [Number(r.model_id), String(r.outcome)])).toEqual([[modelId, '"1"']]);
  });

  test('an explained prediction reads the explainer and stores its contributions as that account; a model without one answers 409', async () => {
    await publishToyModel(db.pool, 'explained', true);
    const res = await post('/v1/models/explained/predict', {
      id: 'lp-e',
      observation: { a: 1, b: 0.5 },
      explain: true,
    });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json().contributions)).toEqual(['a', 'b']);
    const [rows] = await db.pool.query<RowDataPacket[]>('SELECT contributions FROM predictions WHERE client_id = ?', [
      'lp-e',
    ]);
    expect(JSON.parse(String(rows[0].contributions))).toMatchObject({ contributions: res.json().contributions });
    expect(
      (await post('/v1/models/m/predict', { id: 'lp-none', observation: { a: 1, b: 0.5 }, explain: true })).statusCode,
    ).toBe(409);
  });

  test('a CSV batch is scored and logged with its batch row as that account', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/models/m/predict?id_column=id',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${key}` },
      payload: 'id,a,b\nlp-b1,1,0.5\nlp-b2,x,0.5\n',
    });
    expect(res.statusCode).toBe(200);
    const [rows] = await db.pool.query<RowDataPacket[]>(
      'SELECT status, rows_scored, rows_failed FROM prediction_batches WHERE id = ?',
      [Number(res.headers['x-batch-id'])],
    );
    expect(rows.map((r) => [String(r.status), Number(r.rows_scored), Number(r.rows_failed)])).toEqual([['done', 1, 1]]);
    const [logged] = await db.pool.query<RowDataPacket[]>('SELECT client_id FROM predictions WHERE batch_id = ?', [
      Number(res.headers['x-batch-id']),
    ]);
    expect(logged.map((r) => String(r.client_id))).toEqual(['lp-b1']);
  });

  test('the rate limit counts in rate_windows as that account and answers 429', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 5; i++)
      codes.push(
        (await post('/v1/models/m/predict', { id: `g${i}`, observation: { a: 1, b: 1 } }, `ek_guess${i}`)).statusCode,
      );
    expect(codes).toEqual([401, 401, 401, 429, 429]);
    let hits = 0;
    for (let i = 0; i < 40 && hits === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const [rows] = await db.pool.query<RowDataPacket[]>('SELECT COALESCE(SUM(hits), 0) AS n FROM rate_windows');
      hits = Number(rows[0].n);
    }
    expect(hits).toBeGreaterThan(0);
  });

  test('a failed prediction request is counted in prediction_errors as that account (for the error-rate alert)', async () => {
    const bad = await post('/v1/models/m/predict', { id: 'lp-bad', observation: { a: 'not a number' } });
    expect(bad.statusCode).toBe(400);
    // Another name's failure is not counted: nothing is published under it.
    expect((await post('/v1/models/nobody/predict', { id: 'x', observation: { a: 1 } })).statusCode).toBe(404);
    let rows: RowDataPacket[] = [];
    for (let i = 0; i < 100 && rows.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      [rows] = await db.pool.query<RowDataPacket[]>('SELECT model_name, errors FROM prediction_errors');
    }
    expect(rows.map((r) => [String(r.model_name), Number(r.errors)])).toEqual([['m', 1]]);
    await expect(prunePredictionErrors(servePool)).resolves.toBeUndefined();
  });

  test("the account cannot read users, jobs or a model's training data", async () => {
    await expect(servePool.query('SELECT username, password_hash FROM users')).rejects.toMatchObject({
      code: 'ER_TABLEACCESS_DENIED_ERROR',
    });
    await expect(servePool.query('SELECT id FROM jobs')).rejects.toMatchObject({ code: 'ER_TABLEACCESS_DENIED_ERROR' });
    await expect(servePool.query('SELECT split FROM models')).rejects.toMatchObject({
      code: 'ER_COLUMNACCESS_DENIED_ERROR',
    });
    // The registry's full read joins users for the author's name: serve uses servingModel() instead.
    await expect(new ModelRegistry(servePool).get(modelId)).rejects.toMatchObject({
      code: 'ER_TABLEACCESS_DENIED_ERROR',
    });
    expect(await new ModelRegistry(servePool).servingModel(modelId)).toMatchObject({
      id: modelId,
      task: 'classification',
      features: ['a', 'b'],
    });
  });

  test('the account cannot publish, create or revoke keys, or change models and stored predictions', async () => {
    await expect(new PublishedModels(servePool).publish('taken-over', modelId, null)).rejects.toMatchObject({
      code: 'ER_TABLEACCESS_DENIED_ERROR',
    });
    await expect(new ApiKeys(servePool).create('mine', null, null)).rejects.toMatchObject({
      code: 'ER_TABLEACCESS_DENIED_ERROR',
    });
    await expect(servePool.query('UPDATE api_keys SET revoked_at = NOW()')).rejects.toMatchObject({
      code: 'ER_TABLEACCESS_DENIED_ERROR',
    });
    await expect(servePool.query("UPDATE models SET task = 'regression'")).rejects.toMatchObject({
      code: 'ER_TABLEACCESS_DENIED_ERROR',
    });
    await expect(servePool.query('DELETE FROM models')).rejects.toMatchObject({ code: 'ER_TABLEACCESS_DENIED_ERROR' });
    await expect(servePool.query("UPDATE predictions SET output = '{}'")).rejects.toMatchObject({
      code: 'ER_COLUMNACCESS_DENIED_ERROR',
    });
    await expect(servePool.query('DELETE FROM predictions')).rejects.toMatchObject({
      code: 'ER_TABLEACCESS_DENIED_ERROR',
    });
    const [rows] = await db.pool.query<RowDataPacket[]>(
      "SELECT COUNT(*) AS n FROM published_models WHERE name = 'taken-over'",
    );
    expect(Number(rows[0].n)).toBe(0);
  });
});
