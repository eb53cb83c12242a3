// People and permissions (issue 15): roles, sessions that end, the Users and Account pages,
// one-time passwords, the bootstrap administrator and password hashes that grow.
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, scryptSync } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { migrate, type RowDataPacket } from '@enchilada/core';
import { MIGRATIONS_DIR, TEST_USER, createTestDb, type TestDb } from '@enchilada/test-support';
import { UserRepository, usersCommand, UserService } from '@enchilada/users';
import { Browser, signedInPerson, signedInWebApp } from './helpers.js';

// Each sign-in hashes once with scrypt at N=2^17 (about 0.9 s on a small CI machine).
jest.setTimeout(60_000);

let db: TestDb;
let app: FastifyInstance;
let admin: Browser;
let shift = 0;
const clock = () => Date.now() + shift;

const oneTime = (body: string): string => {
  const m = /data-testid="one-time-password-value">([^<]+)</.exec(body);
  if (!m) throw new Error('no one-time password on the page');
  return m[1];
};

async function userId(name: string): Promise<number> {
  const [rows] = await db.pool.query<RowDataPacket[]>('SELECT id FROM users WHERE username = ?', [name]);
  return Number(rows[0]?.id);
}

const person = (name: string, role: 'admin' | 'editor' | 'viewer') => signedInPerson(app, db, name, role);

beforeAll(async () => {
  db = await createTestDb('web_people');
  ({ app, browser: admin } = await signedInWebApp(
    db,
    { LOGIN_RATE_LIMIT: '1000', VIZ_URL: 'http://127.0.0.1:9' },
    { clock },
  ));
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

describe('migration 008', () => {
  it('turns the old "user" role into editor', async () => {
    const fresh = await createTestDb('web_people_008');
    const before = mkdtempSync(join(tmpdir(), 'migrations-'));
    try {
      for (const f of readdirSync(MIGRATIONS_DIR))
        if (/^00[1-7]_/.test(f)) copyFileSync(join(MIGRATIONS_DIR, f), join(before, f));
      await migrate(fresh.pool, before);
      await fresh.pool.query("INSERT INTO users (username, password_hash) VALUES ('old', 'x')");
      await migrate(fresh.pool, MIGRATIONS_DIR);
      await fresh.pool.query("INSERT INTO users (username, password_hash) VALUES ('new', 'x')");
      const [rows] = await fresh.pool.query<RowDataPacket[]>('SELECT username, role FROM users ORDER BY username');
      expect(rows.map((r) => [r.username, r.role])).toEqual([
        ['new', 'editor'],
        ['old', 'editor'],
      ]);
    } finally {
      rmSync(before, { recursive: true, force: true });
      await fresh.drop();
    }
  });
});

describe('roles', () => {
  it('lets a viewer read pages but refuses any change with 403 and a clear message', async () => {
    const viewer = await person('vera', 'viewer');
    expect((await viewer.get('/datasets')).statusCode).toBe(200);
    expect((await viewer.get('/models')).statusCode).toBe(200);
    const token = await viewer.csrf('/datasets');
    const load = await viewer.post('/datasets/toy/iris/load', { _csrf: token }, { accept: 'application/json' });
    expect(load.statusCode).toBe(403);
    expect(load.json().message).toMatch(/viewers can look but not change anything/);
    const train = await app.inject({
      method: 'POST',
      url: '/api/train',
      headers: { cookie: viewer.cookieHeader, 'x-csrf-token': token, 'content-type': 'application/json' },
      payload: { dataset: 1, model: 'x', features: [], trainFraction: 0.8 },
    });
    expect(train.statusCode).toBe(403);
    // Choosing a dataset to look at is the viewer's own session: allowed.
    expect((await viewer.post('/datasets/current', { _csrf: token, dataset: '0' })).statusCode).toBe(303);
  });

  it('hides the buttons a viewer cannot use and shows them to an editor', async () => {
    const viewer = await person('vic', 'viewer');
    const editor = await person('eddie', 'editor');
    const v = (await viewer.get('/datasets')).body;
    const e = (await editor.get('/datasets')).body;
    expect(e).toContain('data-testid="load-iris"');
    expect(e).toContain('data-testid="upload-send"');
    expect(v).not.toContain('data-testid="load-iris"');
    expect(v).not.toContain('data-testid="upload-send"');
    expect(v).toContain('data-testid="role-badge">viewer');
  });

  it('keeps the Users page for administrators', async () => {
    const editor = await person('ed2', 'editor');
    expect((await editor.get('/users')).statusCode).toBe(403);
    expect((await editor.get('/')).body).not.toContain('data-testid="nav-users"');
    expect((await admin.get('/')).body).toContain('data-testid="nav-users"');
  });
});

describe('sessions', () => {
  it('sign-out ends every copy of the cookie on the next request', async () => {
    const a = await person('sam', 'editor');
    const stolen = a.copy();
    expect((await stolen.get('/')).statusCode).toBe(200);
    await a.post('/logout', { _csrf: await a.csrf('/') });
    expect((await stolen.get('/')).statusCode).toBe(302);
    expect((await stolen.get('/api/jobs', 'application/json')).statusCode).toBe(401);
  });

  it('ends a session after SESSION_MAX_HOURS however active it is', async () => {
    const b = await person('tim', 'editor');
    try {
      shift = 11.9 * 3_600_000;
      expect((await b.get('/')).statusCode).toBe(200);
      shift = 12 * 3_600_000 + 1000;
      expect((await b.get('/')).statusCode).toBe(302);
    } finally {
      shift = 0;
    }
  });

  it('deactivation from the Users page ends the session on the next request; reactivation lets them sign in again', async () => {
    const b = await person('dora', 'editor');
    const id = await userId('dora');
    const res = await admin.post(`/users/${id}/deactivate`, { _csrf: await admin.csrf('/users') });
    expect(res.statusCode).toBe(303);
    expect((await b.get('/')).statusCode).toBe(302);
    expect((await new Browser(app).signIn('dora', 'dora-password-long')).statusCode).toBe(401);
    await admin.post(`/users/${id}/reactivate`, { _csrf: await admin.csrf('/users') });
    expect((await new Browser(app).signIn('dora', 'dora-password-long')).statusCode).toBe(303);
  });

  it('refuses to deactivate yourself', async () => {
    const res = await admin.post(
      `/users/${await userId(TEST_USER)}/deactivate`,
      { _csrf: await admin.csrf('/users') },
      { accept: 'application/json' },
    );
    expect(res.statusCode).toBe(403);
  });
});

describe('Users page', () => {
  it('creates a user with a one-time password shown once, which must be changed at first sign-in', async () => {
    const res = await admin.post('/users', { _csrf: await admin.csrf('/users'), username: 'newbie', role: 'viewer' });
    expect(res.statusCode).toBe(201);
    const password = oneTime(res.body);
    expect(password.length).toBeGreaterThanOrEqual(16);
    expect((await admin.get('/users')).body).not.toContain(password);
    const [rows] = await db.pool.query<RowDataPacket[]>(
      "SELECT role, password_hash FROM users WHERE username = 'newbie'",
    );
    expect(rows[0].role).toBe('viewer');
    expect(String(rows[0].password_hash)).not.toContain(password);

    const b = new Browser(app);
    const signIn = await b.signIn('newbie', password);
    expect(signIn.headers.location).toBe('/account');
    expect((await b.get('/')).headers.location).toBe('/account');
    expect((await b.get('/api/jobs', 'application/json')).statusCode).toBe(403);
    const account = await b.get('/account');
    expect(account.body).toContain('data-testid="must-change"');
    const token = await b.csrf('/account');
    const short = await b.post('/account/password', {
      _csrf: token,
      current: password,
      password: 'short',
      repeat: 'short',
    });
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain('at least 12 characters');
    const ok = await b.post('/account/password', {
      _csrf: token,
      current: password,
      password: 'a new password 1',
      repeat: 'a new password 1',
    });
    expect(ok.statusCode).toBe(303);
    expect((await b.get('/')).statusCode).toBe(200);
    expect((await new Browser(app).signIn('newbie', password)).statusCode).toBe(401);
    expect((await new Browser(app).signIn('newbie', 'a new password 1')).headers.location).toBe('/');
  });

  it('refuses a user name that exists with 409', async () => {
    const res = await admin.post(
      '/users',
      { _csrf: await admin.csrf('/users'), username: TEST_USER, role: 'editor' },
      { accept: 'application/json' },
    );
    expect(res.statusCode).toBe(409);
  });

  it('changes a role', async () => {
    await person('rory', 'viewer');
    const res = await admin.post(`/users/${await userId('rory')}/role`, {
      _csrf: await admin.csrf('/users'),
      role: 'editor',
    });
    expect(res.statusCode).toBe(303);
    const [rows] = await db.pool.query<RowDataPacket[]>("SELECT role FROM users WHERE username = 'rory'");
    expect(rows[0].role).toBe('editor');
  });

  it('resets a password: a new one-time password, the old password and sessions stop working', async () => {
    const b = await person('rita', 'editor');
    const res = await admin.post(`/users/${await userId('rita')}/reset`, { _csrf: await admin.csrf('/users') });
    expect(res.statusCode).toBe(200);
    const password = oneTime(res.body);
    expect((await b.get('/')).statusCode).toBe(302);
    expect((await new Browser(app).signIn('rita', 'rita-password-long')).statusCode).toBe(401);
    expect((await new Browser(app).signIn('rita', password)).headers.location).toBe('/account');
  });
});

describe('Account page', () => {
  it('changing your password ends your other sessions and keeps this one', async () => {
    const b = await person('paula', 'editor');
    const other = new Browser(app);
    await other.signIn('paula', 'paula-password-long');
    const ok = await b.post('/account/password', {
      _csrf: await b.csrf('/account'),
      current: 'paula-password-long',
      password: 'paula new password',
      repeat: 'paula new password',
    });
    expect(ok.statusCode).toBe(303);
    const home = await b.get('/');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('your other sessions have ended');
    expect((await other.get('/')).statusCode).toBe(302);
  });

  it('requires the current password and refuses two different new ones', async () => {
    const b = await person('carl', 'viewer');
    const token = await b.csrf('/account');
    const wrong = await b.post('/account/password', {
      _csrf: token,
      current: 'not it',
      password: 'a long new password',
      repeat: 'a long new password',
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('the current password is not right');
    const differ = await b.post('/account/password', {
      _csrf: token,
      current: 'carl-password-long',
      password: 'a long new password',
      repeat: 'another long one!',
    });
    expect(differ.statusCode).toBe(400);
    // A viewer changes their own password: the one change a viewer may make.
    const ok = await b.post('/account/password', {
      _csrf: token,
      current: 'carl-password-long',
      password: 'a long new password',
      repeat: 'a long new password',
    });
    expect(ok.statusCode).toBe(303);
    const missing = await b.post('/account/password', {
      current: 'a long new password',
      password: 'x'.repeat(20),
      repeat: 'x'.repeat(20),
    });
    expect(missing.statusCode).toBe(403);
  });
});

describe('passwords', () => {
  it('asks the bootstrap administrator to choose their own password at first sign-in', async () => {
    const users = new UserService(new UserRepository(db.pool));
    expect(await users.bootstrapAdmin('boot', 'the-database-password')).toBe(true);
    expect(await users.bootstrapAdmin('boot', 'the-database-password')).toBe(false);
    const res = await new Browser(app).signIn('boot', 'the-database-password');
    expect(res.headers.location).toBe('/account');
  });

  it('replaces a hash made with older scrypt parameters at sign-in', async () => {
    const salt = randomBytes(16);
    const key = scryptSync('an old password!', salt, 32, { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
    const old = ['scrypt', 1 << 15, 8, 1, salt.toString('base64'), key.toString('base64')].join('$');
    await db.pool.query("INSERT INTO users (username, password_hash, role) VALUES ('olga', ?, 'editor')", [old]);
    expect((await new Browser(app).signIn('olga', 'an old password!')).statusCode).toBe(303);
    const [rows] = await db.pool.query<RowDataPacket[]>("SELECT password_hash FROM users WHERE username = 'olga'");
    expect(String(rows[0].password_hash)).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect((await new Browser(app).signIn('olga', 'an old password!')).statusCode).toBe(303);
  });
});

describe('pnpm users (CLI)', () => {
  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await usersCommand(
      new UserService(new UserRepository(db.pool)),
      argv,
      (l) => out.push(l),
      (l) => err.push(l),
    );
    return { code, out, err };
  };

  it('adds a user and prints a one-time password that signs in to the Account page', async () => {
    const res = await run('add', 'cli_user', 'viewer');
    expect(res.code).toBe(0);
    const password = res.out[1];
    expect((await new Browser(app).signIn('cli_user', password)).headers.location).toBe('/account');
  });

  it("resets a password and disables and enables a user by name, with the Users page's rules", async () => {
    await run('add', 'cli_two');
    const reset = await run('reset', 'cli_two');
    expect(reset.code).toBe(0);
    const b = new Browser(app);
    expect((await b.signIn('cli_two', reset.out[1])).statusCode).toBe(303);
    expect((await run('disable', 'cli_two')).code).toBe(0);
    expect((await b.get('/account')).statusCode).toBe(302);
    expect((await new Browser(app).signIn('cli_two', reset.out[1])).statusCode).toBe(401);
    expect((await run('enable', 'cli_two')).code).toBe(0);
    expect((await new Browser(app).signIn('cli_two', reset.out[1])).statusCode).toBe(303);
  });

  it('explains its usage and refuses unknown names and roles', async () => {
    expect((await run('frobnicate')).code).toBe(2);
    expect((await run('reset', 'nobody_here')).err.join('\n')).toContain('there is no user named "nobody_here"');
    expect((await run('add', 'x1', 'superuser')).err.join('\n')).toContain('a role is admin, editor or viewer');
  });
});
