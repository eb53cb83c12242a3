// Invitation links (issue 15): an administrator creates a user with a link shown once; the person
// opens it without signing in, chooses a password, and is signed in. A link works once, expires
// after INVITATION_HOURS, can be revoked, and only its hash is stored.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { RowDataPacket } from '@enchilada/core';
import { TEST_PASSWORD, TEST_USER, createTestDb, type TestDb } from '@enchilada/test-support';
import { INVITATION_HOURS, UserRepository, usersCommand, UserService } from '@enchilada/users';
import { Browser, signedInWebApp } from './helpers.js';

// Each sign-in or password choice hashes once with scrypt at N=2^17.
jest.setTimeout(60_000);

let db: TestDb;
let app: FastifyInstance;
let admin: Browser;
let shift = 0;
const clock = () => Date.now() + shift;

/** Invites through the Users page; returns the link's path (/invitations/TOKEN) and the page. */
async function invite(username: string, role = 'editor'): Promise<{ path: string; token: string; body: string }> {
  const res = await admin.post('/users/invitations', { _csrf: await admin.csrf('/users'), username, role });
  expect(res.statusCode).toBe(201);
  const m = /data-testid="invitation-link-value">https?:\/\/[^/<]+(\/invitations\/([A-Za-z0-9_-]+))</.exec(res.body);
  if (!m) throw new Error(`no invitation link on the page: ${res.body.slice(0, 300)}`);
  return { path: m[1], token: m[2], body: res.body };
}

/** A browser that is not signed in opens the link and chooses a password. */
async function accept(
  path: string,
  password: string,
  repeat = password,
): Promise<{ b: Browser; status: number; body: string; location: unknown }> {
  const b = new Browser(app);
  // The sign-in page's token: a used, revoked or expired link's page has no form to take it from.
  const token = await b.csrf('/login');
  const res = await b.post(path, { _csrf: token, password, repeat });
  return { b, status: res.statusCode, body: res.body, location: res.headers.location };
}

beforeAll(async () => {
  db = await createTestDb('web_invitations');
  ({ app, browser: admin } = await signedInWebApp(
    db,
    { LOGIN_RATE_LIMIT: '1000', VIZ_URL: 'http://127.0.0.1:9', PUBLIC_URL: 'https://ml.example.org/' },
    { clock },
  ));
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});
afterEach(() => {
  shift = 0;
});

describe('invitation links', () => {
  it("shows the link once (from PUBLIC_URL), lists the invitation as pending, and keeps only the token's hash", async () => {
    const { token, body } = await invite('ivy', 'viewer');
    expect(body).toContain(`https://ml.example.org/invitations/${token}`);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const page = (await admin.get('/users')).body;
    expect(page).not.toContain(token);
    expect(page).toContain('data-invitation="ivy"');
    expect(page).toMatch(/data-testid="status-ivy">invited · not yet accepted</);
    const [inv] = await db.pool.query<RowDataPacket[]>("SELECT * FROM invitations WHERE username = 'ivy'");
    expect(String(inv[0].token_hash)).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(inv[0])).not.toContain(token);
    const [user] = await db.pool.query<RowDataPacket[]>(
      "SELECT active, role, password_hash FROM users WHERE username = 'ivy'",
    );
    expect([Number(user[0].active), user[0].role, String(user[0].password_hash)]).toEqual([0, 'viewer', '!invited']);
    expect(Number(inv[0].expires_at) - Date.now()).toBeGreaterThan((INVITATION_HOURS - 0.1) * 3600_000);
    expect(Number(inv[0].expires_at) - Date.now()).toBeLessThanOrEqual(INVITATION_HOURS * 3600_000);
  });

  it('an invited user cannot sign in before accepting, whatever password is tried', async () => {
    await invite('iona');
    expect((await new Browser(app).signIn('iona', '!invited')).statusCode).toBe(401);
    expect((await new Browser(app).signIn('iona', '')).statusCode).not.toBe(303);
  });

  it('opening the link needs no sign-in; choosing a password activates the account and signs in, once', async () => {
    const { path } = await invite('isla', 'editor');
    const anon = new Browser(app);
    const page = await anon.get(path);
    expect(page.statusCode).toBe(200);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.body).toContain('data-testid="invitation-user">isla<');
    const done = await accept(path, 'isla chose this password');
    expect(done.status).toBe(303);
    expect(done.location).toBe('/');
    const home = await done.b.get('/');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('isla');
    const [rows] = await db.pool.query<RowDataPacket[]>(
      "SELECT active, must_change_password, last_login_at FROM users WHERE username = 'isla'",
    );
    expect([Number(rows[0].active), Number(rows[0].must_change_password), rows[0].last_login_at === null]).toEqual([
      1,
      0,
      false,
    ]);
    expect((await new Browser(app).signIn('isla', 'isla chose this password')).headers.location).toBe('/');
    // Single use: the same link again, to open or to post.
    const again = await new Browser(app).get(path);
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain('has been used already');
    const second = await accept(path, 'someone else password');
    expect(second.status).toBe(410);
    expect((await new Browser(app).signIn('isla', 'someone else password')).statusCode).toBe(401);
    expect((await admin.get('/users')).body).not.toContain('data-invitation="isla"');
  });

  it('keeps the password rules: too short or two different passwords answer 400 and leave the link usable', async () => {
    const { path } = await invite('ines');
    const short = await accept(path, 'short');
    expect(short.status).toBe(400);
    expect(short.body).toContain('at least 12 characters');
    const differ = await accept(path, 'a long enough password', 'another long password');
    expect(differ.status).toBe(400);
    expect(differ.body).toContain('two passwords differ');
    const [rows] = await db.pool.query<RowDataPacket[]>("SELECT active FROM users WHERE username = 'ines'");
    expect(Number(rows[0].active)).toBe(0);
    expect((await accept(path, 'a long enough password')).status).toBe(303);
  });

  it('an expired link answers 410 and sets nothing; the administrator sees it expired', async () => {
    const { path } = await invite('ida');
    shift = INVITATION_HOURS * 3600_000 + 1000;
    const page = await new Browser(app).get(path);
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('has expired');
    expect((await accept(path, 'too late password')).status).toBe(410);
    const [rows] = await db.pool.query<RowDataPacket[]>(
      "SELECT active, password_hash FROM users WHERE username = 'ida'",
    );
    expect([Number(rows[0].active), String(rows[0].password_hash)]).toEqual([0, '!invited']);
    // 72 h on, the administrator's session has ended too (SESSION_MAX_HOURS): they sign in again.
    const later = new Browser(app);
    await later.signIn(TEST_USER, TEST_PASSWORD);
    expect((await later.get('/users')).body).toMatch(
      /data-testid="invitation-expiry-ida"><span class="badge text-bg-secondary">expired</,
    );
    shift = INVITATION_HOURS * 3600_000 - 60_000;
    expect((await new Browser(app).get(path)).statusCode).toBe(200);
  });

  it('a revoked link answers 410, and the never-activated user is removed so the name is free', async () => {
    const { path } = await invite('iris');
    const [inv] = await db.pool.query<RowDataPacket[]>("SELECT id FROM invitations WHERE username = 'iris'");
    const res = await admin.post(`/users/invitations/${Number(inv[0].id)}/revoke`, {
      _csrf: await admin.csrf('/users'),
    });
    expect(res.statusCode).toBe(303);
    const page = await new Browser(app).get(path);
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('was revoked');
    expect((await accept(path, 'revoked but trying')).status).toBe(410);
    const [users] = await db.pool.query<RowDataPacket[]>("SELECT id FROM users WHERE username = 'iris'");
    expect(users).toHaveLength(0);
    const again = await admin.post(
      `/users/invitations/${Number(inv[0].id)}/revoke`,
      { _csrf: await admin.csrf('/users') },
      { accept: 'application/json' },
    );
    expect(again.statusCode).toBe(404);
    // The name can be invited again, and the new link works while the old one stays revoked.
    const fresh = await invite('iris');
    expect((await accept(fresh.path, 'iris second chance pw')).status).toBe(303);
    expect((await new Browser(app).get(path)).statusCode).toBe(410);
  });

  it('an unknown or malformed token answers 404 with a clear page', async () => {
    for (const token of ['A'.repeat(43), 'not-a-token', '%27%3Cscript%3E']) {
      const res = await new Browser(app).get(`/invitations/${token}`);
      expect(res.statusCode).toBe(404);
      expect(res.body).toContain('invitation link is not known');
      expect(res.body).not.toContain('<script>');
    }
  });

  it("refuses a name that exists, and does not accept a link posted without the form's CSRF token", async () => {
    const taken = await admin.post(
      '/users/invitations',
      { _csrf: await admin.csrf('/users'), username: TEST_USER, role: 'editor' },
      { accept: 'application/json' },
    );
    expect(taken.statusCode).toBe(409);
    const { path } = await invite('ilse');
    const res = await new Browser(app).post(path, { password: 'csrf less password', repeat: 'csrf less password' });
    expect(res.statusCode).toBe(403);
    const [rows] = await db.pool.query<RowDataPacket[]>("SELECT active FROM users WHERE username = 'ilse'");
    expect(Number(rows[0].active)).toBe(0);
  });

  it('two submissions of one link at once activate it once', async () => {
    const { token } = await invite('imke');
    const users = new UserService(new UserRepository(db.pool));
    const results = await Promise.allSettled([
      users.acceptInvitation(token, 'first racing password', 'first racing password'),
      users.acceptInvitation(token, 'second racing password', 'second racing password'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected');
    expect(String((refused as PromiseRejectedResult).reason.message)).toContain('used already');
  });

  it('pnpm users add --invite prints a link from --base-url (else PUBLIC_URL, else localhost) that works once', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const users = new UserService(new UserRepository(db.pool));
    const code = await usersCommand(
      users,
      ['add', 'cli_invited', 'viewer', '--invite', '--base-url', 'https://team.example.com/'],
      (l) => out.push(l),
      (l) => err.push(l),
    );
    expect([code, err]).toEqual([0, []]);
    const m = /^https:\/\/team\.example\.com(\/invitations\/[A-Za-z0-9_-]{43})$/.exec(out[1]);
    expect(m).not.toBeNull();
    expect((await accept(m?.[1] ?? '', 'cli invited password')).status).toBe(303);
    const local: string[] = [];
    expect(
      await usersCommand(
        users,
        ['add', 'cli_local', '--invite'],
        (l) => local.push(l),
        () => undefined,
        { publicUrl: null, webPort: 5123 },
      ),
    ).toBe(0);
    expect(local[1]).toMatch(/^http:\/\/localhost:5123\/invitations\/[A-Za-z0-9_-]{43}$/);
    const bad: string[] = [];
    expect(
      await usersCommand(
        users,
        ['add', 'cli_bad', '--invite', '--base-url', 'ftp://x'],
        () => undefined,
        (l) => bad.push(l),
      ),
    ).toBe(2);
    expect(bad.join('\n')).toContain('--base-url needs an http(s) URL');
  });
});
