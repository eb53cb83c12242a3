// Batch scoring from the pages: the CSV is uploaded to web, then streamed to serve with an API key
// web makes for that one request (scoped to the name, revoked when the answer ends), and serve's
// answer is streamed back as the download. A stand-in for serve here records what it was sent and
// checks the key as serve does; the real round trip is e2e/batch.spec.ts.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { migrate, type RowDataPacket } from '@enchilada/core';
import { PublishedModels, hashApiKey } from '@enchilada/models';
import {
  DATASETS_DIR,
  MIGRATIONS_DIR,
  TEST_PASSWORD,
  WEB_DIR,
  createTestDb,
  type TestDb,
} from '@enchilada/test-support';
import { buildApp } from '../src/app.js';
import { UserRepository } from '@enchilada/users';
import { Browser, insertPlaceholderModel } from './helpers.js';

jest.setTimeout(60_000);

let db: TestDb;
let app: FastifyInstance;
let serve: Server;
let alice: Browser;
let bob: Browser;
let modelId: number;
/** What the stand-in for serve received, and how it answers. */
const seen: { url: string; key: { scope: string | null; label: string; revoked: boolean } | null; body: string }[] = [];
let refuse: { status: number; message: string } | null = null;

beforeAll(async () => {
  db = await createTestDb('web_batch');
  await migrate(db.pool, MIGRATIONS_DIR);
  serve = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const key = (req.headers.authorization ?? '').replace(/^Bearer /, '');
        const [rows] = await db.pool.query<RowDataPacket[]>(
          'SELECT scope_name, label, revoked_at FROM api_keys WHERE key_hash = ?',
          [hashApiKey(key)],
        );
        const k = rows[0]
          ? {
              scope: rows[0].scope_name === null ? null : String(rows[0].scope_name),
              label: String(rows[0].label),
              revoked: rows[0].revoked_at !== null,
            }
          : null;
        const body = Buffer.concat(chunks).toString('utf8');
        seen.push({ url: req.url ?? '', key: k, body });
        if (refuse) {
          res
            .writeHead(refuse.status, { 'content-type': 'application/json' })
            .end(JSON.stringify({ message: refuse.message }));
          return;
        }
        const lines = body.trimEnd().split('\n');
        res.writeHead(200, { 'content-type': 'text/csv', 'x-batch-id': '42' });
        res.end(lines.map((l, i) => `${l},${i === 0 ? 'prediction,error' : 'yes,'}`).join('\n') + '\n');
      })();
    });
  });
  await new Promise<void>((r) => serve.listen(0, '127.0.0.1', r));
  const config = db.config('web', { SERVE_URL: `http://127.0.0.1:${(serve.address() as AddressInfo).port}` });
  const users = new UserRepository(db.pool);
  await users.createIfMissing(config.adminUser, TEST_PASSWORD, 'admin');
  await users.createIfMissing('alice', 'alice-password-123', 'editor');
  await users.createIfMissing('bob', 'bob-password-1234', 'editor');
  const [u] = await db.pool.query<RowDataPacket[]>('SELECT id FROM users WHERE username = ?', ['alice']);
  modelId = await insertPlaceholderModel(db.pool, Number(u[0].id));
  await new PublishedModels(db.pool).publish('churn', modelId, Number(u[0].id));
  app = await buildApp({ config, pool: db.pool, webDir: WEB_DIR, datasetsDir: DATASETS_DIR, logger: false });
  await app.ready();
  alice = new Browser(app);
  expect((await alice.signIn('alice', 'alice-password-123')).statusCode).toBe(303);
  bob = new Browser(app);
  expect((await bob.signIn('bob', 'bob-password-1234')).statusCode).toBe(303);
});

afterAll(async () => {
  await app?.close();
  await new Promise((r) => serve?.close(r));
  await db?.drop();
});

async function upload(b: Browser, csv: string, fileName = 'rows.csv'): Promise<LightMyRequestResponse> {
  const token = await b.csrf('/account');
  const body = `--b\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--b--\r\n`;
  return app.inject({
    method: 'POST',
    url: '/published/churn/batch/uploads',
    payload: body,
    headers: {
      'content-type': 'multipart/form-data; boundary=b',
      'x-csrf-token': token,
      cookie: b.cookieHeader,
      accept: 'application/json',
    },
  });
}
async function score(b: Browser, uploadId: string, form: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return b.post(`/published/churn/batch/${uploadId}`, form, {
    'x-csrf-token': await b.csrf('/account'),
    accept: 'text/csv',
  });
}

describe('batch scoring from the pages', () => {
  it("shows the form on the name's page and the model's page to its owner, and not to another editor", async () => {
    for (const url of ['/published/churn/monitor', `/models/${modelId}`]) {
      expect((await alice.get(url)).body).toContain('data-testid="batch-scoring"');
      expect((await bob.get(url)).body).not.toContain('data-testid="batch-scoring"');
    }
  });

  it("streams the uploaded file to serve with a key for that request, and serve's answer back as the download", async () => {
    const up = await upload(alice, 'id,a\nx1,1\nx2,2\n', 'my rows.csv');
    expect(up.statusCode).toBe(201);
    const { upload: id, bytes } = up.json<{ upload: string; bytes: number }>();
    expect(bytes).toBe(15);
    const res = await score(alice, id, { id_column: 'id' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toBe('attachment; filename="my_rows-scored-churn.csv"');
    expect(res.headers['x-batch-id']).toBe('42');
    expect(res.body).toBe('id,a,prediction,error\nx1,1,yes,\nx2,2,yes,\n');
    const call = seen.at(-1);
    expect(call?.url).toBe('/v1/models/churn/predict?id_column=id');
    expect(call?.body).toBe('id,a\nx1,1\nx2,2\n');
    // a key scoped to the name, live while serve answered, revoked after
    expect(call?.key).toEqual({
      scope: 'churn',
      label: 'batch scoring from the web page by alice (revoked after use)',
      revoked: false,
    });
    // (once the answer's stream has closed, just after the response)
    const revoked = async () =>
      (
        await db.pool.query<RowDataPacket[]>('SELECT revoked_at FROM api_keys WHERE label LIKE ?', [
          'batch scoring from the web page by alice%',
        ])
      )[0].map((k) => k.revoked_at !== null);
    for (let i = 0; i < 50 && !(await revoked())[0]; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await revoked()).toEqual([true]);
    // the upload is gone once scored
    expect((await score(alice, id)).statusCode).toBe(404);
  });

  it("passes serve's refusal on with its message, and removes the upload", async () => {
    const { upload: id } = (await upload(alice, 'b\n1\n')).json<{ upload: string }>();
    refuse = {
      status: 400,
      message: 'the CSV has no column "a"; the model\'s features are a (other columns are passed through)',
    };
    try {
      const res = await score(alice, id);
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toBe(refuse.message);
    } finally {
      refuse = null;
    }
    expect((await score(alice, id)).statusCode).toBe(404);
  });

  it('refuses another editor, before anything is uploaded or sent to serve', async () => {
    const before = seen.length;
    const up = await upload(bob, 'a\n1\n');
    expect(up.statusCode).toBe(403);
    const { upload: id } = (await upload(alice, 'a\n1\n')).json<{ upload: string }>();
    expect((await score(bob, id)).statusCode).toBe(403);
    expect(seen.length).toBe(before);
  });
});
