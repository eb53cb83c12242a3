import type { FastifyInstance } from 'fastify';
import type { RowDataPacket } from '@enchilada/core';
import { migrate, secret } from '@enchilada/core';
import { Readable } from 'node:stream';
import { loadDataset, openCsv } from '@enchilada/data';
import {
  DATASETS_DIR,
  MIGRATIONS_DIR,
  TEST_PASSWORD,
  TEST_USER,
  WEB_DIR,
  createTestDb,
  type TestDb,
} from '@enchilada/test-support';
import { buildApp } from '../src/app.js';
import { UserRepository } from '@enchilada/users';
import { Browser } from './helpers.js';

// Each sign-in hashes once with scrypt at N=2^17 (about 0.9 s on a small CI machine).
jest.setTimeout(60_000);

let db: TestDb;
let app: FastifyInstance;

beforeAll(async () => {
  db = await createTestDb('web');
  await migrate(db.pool, MIGRATIONS_DIR);
  const config = db.config('web', { LOGIN_RATE_LIMIT: '1000', VIZ_URL: 'http://127.0.0.1:9' });
  await new UserRepository(db.pool).createIfMissing(
    config.adminUser,
    secret(config, 'db_user_password').reveal(),
    'admin',
  );
  app = await buildApp({ config, pool: db.pool, webDir: WEB_DIR, datasetsDir: DATASETS_DIR, logger: false });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

describe('migrations', () => {
  it('are idempotent: a second run applies nothing', async () => {
    expect(await migrate(db.pool, MIGRATIONS_DIR)).toEqual([]);
  });

  it('are safe when two processes start at once', async () => {
    const fresh = await createTestDb('web_parallel');
    try {
      const [a, b] = await Promise.all([migrate(fresh.pool, MIGRATIONS_DIR), migrate(fresh.pool, MIGRATIONS_DIR)]);
      const all = [...a, ...b].sort((x, y) => x - y);
      const [rows] = await fresh.pool.query<RowDataPacket[]>('SELECT version FROM schema_migrations ORDER BY version');
      expect(all).toEqual(rows.map((r) => Number(r.version)));
      expect(new Set(all).size).toBe(all.length);
    } finally {
      await fresh.drop();
    }
  });
});

describe('administrator bootstrap', () => {
  it('creates the first administrator once, with a slow salted hash', async () => {
    const repo = new UserRepository(db.pool);
    expect(await repo.createIfMissing(TEST_USER, 'another password', 'admin')).toBe(false);
    const [rows] = await db.pool.query<RowDataPacket[]>('SELECT role, password_hash FROM users WHERE username = ?', [
      TEST_USER,
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0].role).toBe('admin');
    expect(String(rows[0].password_hash)).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(String(rows[0].password_hash)).not.toContain(TEST_PASSWORD);
  });
});

describe('sign-in', () => {
  it('signs in with the right password, sets an HttpOnly SameSite cookie and shows the dashboard', async () => {
    const b = new Browser(app);
    const res = await b.signIn(TEST_USER, TEST_PASSWORD);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/');
    const cookie = [res.headers['set-cookie'] ?? []].flat().join(';');
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const home = await b.get('/');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain(TEST_USER);
    expect(home.headers['cache-control']).toBe('no-store');
  });

  it('rotates the session cookie at sign-in', async () => {
    const b = new Browser(app);
    await b.csrf('/login');
    const before = b.cookieHeader;
    await b.signIn(TEST_USER, TEST_PASSWORD);
    expect(b.cookieHeader).not.toBe(before);
  });

  it('refuses a wrong password with a message and no session', async () => {
    const b = new Browser(app);
    const res = await b.signIn(TEST_USER, 'wrong');
    expect(res.statusCode).toBe(401);
    expect(res.body).toContain('Wrong user name or password.');
    expect((await b.get('/')).statusCode).toBe(302);
  });

  it('refuses an unknown user the same way', async () => {
    const res = await new Browser(app).signIn('nobody', 'x');
    expect(res.statusCode).toBe(401);
    expect(res.body).toContain('Wrong user name or password.');
  });

  it('signs out and the old page is gone', async () => {
    const b = new Browser(app);
    await b.signIn(TEST_USER, TEST_PASSWORD);
    const home = await b.get('/');
    const token = /name="_csrf" value="([^"]+)"/.exec(home.body)?.[1] ?? '';
    const out = await b.post('/logout', { _csrf: token });
    expect(out.statusCode).toBe(303);
    expect((await b.get('/')).headers.location).toBe('/login?next=%2F');
  });

  it('re-checks the user on every request: a deactivated user loses the session at once', async () => {
    const repo = new UserRepository(db.pool);
    await repo.createIfMissing('temp_user', 'temp-password', 'editor');
    const b = new Browser(app);
    expect((await b.signIn('temp_user', 'temp-password')).statusCode).toBe(303);
    expect((await b.get('/')).statusCode).toBe(200);
    await db.pool.query('UPDATE users SET active = 0 WHERE username = ?', ['temp_user']);
    expect((await b.get('/')).statusCode).toBe(302);
  });

  it('does not redirect off-site after sign-in', async () => {
    const b = new Browser(app);
    const token = await b.csrf('/login');
    const res = await b.post('/login', {
      username: TEST_USER,
      password: TEST_PASSWORD,
      next: '//evil.example/x',
      _csrf: token,
    });
    expect(res.headers.location).toBe('/');
  });
});

describe('CSRF', () => {
  it('refuses a sign-in without a token', async () => {
    const b = new Browser(app);
    await b.get('/login');
    const res = await b.post('/login', { username: TEST_USER, password: TEST_PASSWORD });
    expect(res.statusCode).toBe(403);
  });

  it('refuses a sign-out with a forged token', async () => {
    const b = new Browser(app);
    await b.signIn(TEST_USER, TEST_PASSWORD);
    const res = await b.post('/logout', { _csrf: 'forged' });
    expect(res.statusCode).toBe(403);
    expect((await b.get('/')).statusCode).toBe(200);
  });
});

describe('protected routes', () => {
  it('refuses every registered route without a session unless it is marked public', async () => {
    const checked: string[] = [];
    for (const r of app.registeredRoutes) {
      if (r.public || r.method === 'HEAD' || r.method === 'OPTIONS') continue;
      const url = r.url.replace(/:[A-Za-z_]+/g, '1').replace('*', 'documents/overview');
      const html = await app.inject({ method: r.method as 'GET', url, headers: { accept: 'text/html' } });
      const json = await app.inject({ method: r.method as 'GET', url, headers: { accept: 'application/json' } });
      if (r.method === 'GET' && !url.startsWith('/viz/') && !url.startsWith('/api/')) {
        expect([r.method, url, html.statusCode, html.headers.location]).toEqual([
          r.method,
          url,
          302,
          `/login?next=${encodeURIComponent(url)}`,
        ]);
      } else {
        expect([r.method, url, [401, 403].includes(html.statusCode)]).toEqual([r.method, url, true]);
      }
      expect([r.method, url, [401, 403].includes(json.statusCode)]).toEqual([r.method, url, true]);
      checked.push(`${r.method} ${r.url}`);
    }
    expect(checked).toEqual(
      expect.arrayContaining(['GET /', 'GET /viz/*', 'POST /logout'].filter((x) => x !== 'POST /logout')),
    );
  });

  it('lists only sign-in, invitation links, health, static files and the wrong-port answer to tutorial clients as public', () => {
    const pub = app.registeredRoutes.filter((r) => r.public && r.method !== 'HEAD').map((r) => `${r.method} ${r.url}`);
    for (const p of pub)
      expect(p).toMatch(
        /^(GET \/login|POST \/login|POST \/logout|GET \/healthz|GET \/readyz|GET \/static\/.*|POST \/predict|POST \/update|GET \/invitations\/:token|POST \/invitations\/:token)$/,
      );
  });

  it('answers health and readiness without a session', async () => {
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await app.inject('/readyz')).json()).toEqual({ status: 'ready' });
  });

  it('sends security headers', async () => {
    const res = await app.inject({ url: '/login', headers: { accept: 'text/html' } });
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('shows a 404 page for an unknown address', async () => {
    const b = new Browser(app);
    await b.signIn(TEST_USER, TEST_PASSWORD);
    const res = await b.get('/no/such/page');
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('There is no page at this address.');
  });

  it('answers 503 with a message when viz is down, and web keeps working', async () => {
    const b = new Browser(app);
    await b.signIn(TEST_USER, TEST_PASSWORD);
    const res = await b.get('/viz/documents/overview', 'application/json');
    expect(res.statusCode).toBe(503);
    expect(res.json().message).toMatch(/unavailable/);
    expect((await b.get('/')).statusCode).toBe(200);
  });
});

describe('rate limit', () => {
  it('refuses sign-in attempts beyond the limit with 429, even with the right password', async () => {
    const limited = await buildApp({
      config: db.config('web', { LOGIN_RATE_LIMIT: '3' }),
      pool: db.pool,
      webDir: WEB_DIR,
      datasetsDir: DATASETS_DIR,
      logger: false,
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await new Browser(limited).signIn(TEST_USER, 'wrong')).statusCode);
      expect(statuses).toEqual([401, 401, 401, 429]);
      const last = await new Browser(limited).signIn(TEST_USER, TEST_PASSWORD);
      expect(last.statusCode).toBe(429);
      expect(last.body).toMatch(/Too many attempts/);
    } finally {
      await limited.close();
    }
  });
});

describe('dataset page', () => {
  it('shows the statistics of text and date columns, with an identifier-like badge and its reason', async () => {
    const rows = Array.from(
      { length: 30 },
      (_, i) => `Person ${i},${i % 3 ? 'red' : ''},2024-03-${String(1 + (i % 28)).padStart(2, '0')},${i % 2}`,
    );
    const ds = await loadDataset(
      db.pool,
      {
        name: 'page_kinds',
        title: 'Kinds',
        origin: 'upload',
        task: 'classification',
        createdBy: null,
        columns: [
          { name: 'who', type: 'text', role: 'identifier' },
          { name: 'colour', type: 'text', role: 'feature' },
          { name: 'seen', type: 'date', role: 'feature' },
          { name: 'y', type: 'integer', role: 'target' },
        ],
      },
      await openCsv(Readable.from([Buffer.from(['who,colour,seen,y', ...rows].join('\n'))])),
    );
    const b = new Browser(app);
    await b.signIn(TEST_USER, TEST_PASSWORD);
    const page = await b.get(`/datasets/${ds.id}`);
    expect(page.statusCode).toBe(200);
    const text = page.body.slice(
      page.body.indexOf('data-testid="text-stats-table"'),
      page.body.indexOf('data-testid="date-stats-table"'),
    );
    expect(text).toMatch(/<tr data-column="who">.*identifier-like.*30 different values in 30 rows/s);
    expect(text).toMatch(
      /<tr data-column="colour">(?:(?!identifier-like).)*red <span class="text-body-secondary">\(20\)/s,
    );
    expect(page.body).toMatch(
      /data-testid="date-stats-table".*<code>seen<\/code><\/td><td class="text-end">30<\/td><td class="text-end">0<\/td><td>2024-03-01<\/td><td>2024-03-28<\/td>/s,
    );
  });
});

describe('upload preview', () => {
  it('suggests identifier-like columns as identifiers with a note, infers dates and keeps the target suggestion', async () => {
    const b = new Browser(app);
    await b.signIn(TEST_USER, TEST_PASSWORD);
    const token = await b.csrf('/datasets');
    const csv = [
      'PassengerId,Name,Embarked,Seen,Survived',
      ...Array.from(
        { length: 30 },
        (_, i) => `${i + 1},Person ${i},${'SCQ'[i % 3]},2024-03-01T10:${String(i).padStart(2, '0')}:00Z,${i % 2}`,
      ),
    ].join('\n');
    const boundary = 'enchiladaBoundary7';
    const payload = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="passengers.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\n\r\n--${boundary}--\r\n`;
    const res = await app.inject({
      method: 'POST',
      url: '/api/uploads',
      payload,
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        accept: 'application/json',
        cookie: b.cookieHeader,
        'x-csrf-token': token,
      },
    });
    expect(res.statusCode).toBe(201);
    const preview = res.json<{
      id: string;
      columns: { name: string; type: string; role: string; note?: string }[];
      suggestedTask: string | null;
    }>();
    expect(preview.columns.map((c) => [c.name, c.type, c.role])).toEqual([
      ['PassengerId', 'integer', 'identifier'],
      ['Name', 'text', 'identifier'],
      ['Embarked', 'text', 'feature'],
      ['Seen', 'date', 'feature'],
      ['Survived', 'integer', 'target'],
    ]);
    expect(preview.columns[0].note).toMatch(/name ends in "id"/);
    expect(preview.columns[1].note).toMatch(
      /almost every value is different: looks like an identifier or free text; not used as a feature by default/,
    );
    expect(preview.columns[2].note).toBeUndefined();
    expect(preview.suggestedTask).toBe('classification');
    const gone = await app.inject({
      method: 'DELETE',
      url: `/api/uploads/${preview.id}`,
      headers: { cookie: b.cookieHeader, 'x-csrf-token': token },
    });
    expect(gone.statusCode).toBeLessThan(300);
  });

  it('refuses a 5,000-column file at upload with a sentence naming the line and the limit, not the text of the schema', async () => {
    const b = new Browser(app);
    await b.signIn(TEST_USER, TEST_PASSWORD);
    const token = await b.csrf('/datasets');
    const csv = `${Array.from({ length: 5000 }, (_, i) => `c${i}`).join(',')}\n${Array.from({ length: 5000 }, () => '1').join(',')}`;
    const boundary = 'enchiladaBoundary8';
    const payload = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="wide.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\n\r\n--${boundary}--\r\n`;
    const res = await app.inject({
      method: 'POST',
      url: '/api/uploads',
      payload,
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        accept: 'application/json',
        cookie: b.cookieHeader,
        'x-csrf-token': token,
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toBe('line 1: the header has 5,000 columns; a dataset may have at most 500');
  });
});
