// Development mode's Run Tests page: present only in development, only for administrators; runs
// suites in child processes (here a tiny fake suite), records their outcome, one run per suite at
// a time, kills a run at the time limit, and serves the reports only within the session.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { migrate, secret, type RowDataPacket, type TestSuite } from '@enchilada/core';
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

// The fake suite: its behaviour per suite comes from the file mode-<suite> next to it.
const FAKE_SUITE = `
const fs = require('fs'), path = require('path'), { spawn } = require('child_process');
const [dir, suite] = process.argv.slice(2);
const mode = fs.readFileSync(path.join(__dirname, 'mode-' + suite), 'utf8').trim();
console.log('fake ' + suite + ' suite in process ' + process.pid);
if (mode === 'pass' || mode === 'fail') {
  fs.mkdirSync(path.join(dir, 'report'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'report', 'index.html'), '<!doctype html><title>fake report</title><p>fake report of ' + suite + '</p>');
  fs.mkdirSync(path.join(dir, 'coverage'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'coverage', 'index.html'), '<!doctype html><title>fake coverage</title><p>coverage</p>');
  fs.writeFileSync(path.join(dir, 'coverage', 'coverage-summary.json'), JSON.stringify({ total: { lines: { pct: 87.5 } } }));
  console.error('a line on stderr');
  console.log(mode === 'pass' ? '5 passed, 0 failed, 1 skipped' : '3 passed, 1 failed, 2 skipped');
  process.exit(mode === 'pass' ? 0 : 1);
}
// hang: never ends, and leaves a grandchild that only a kill of the whole process group reaches.
const g = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
fs.writeFileSync(path.join(dir, 'grandchild.pid'), String(g.pid));
console.log('hanging');
setInterval(() => {}, 1000);
`;

// Sign-ins hash with scrypt and each app is built afresh: slow on a busy machine.
jest.setTimeout(30_000);

const VIEWER = 'dev_viewer';
const VIEWER_PASSWORD = 'viewer-password-Q3';

let db: TestDb;
let fakeDir: string;
let reportsDir: string;
let dev: FastifyInstance;
let prod: FastifyInstance;
let admin: Browser;

function setMode(suite: TestSuite, mode: 'pass' | 'fail' | 'hang'): void {
  writeFileSync(join(fakeDir, `mode-${suite}`), mode);
}

async function devApp(env: Record<string, string> = {}): Promise<FastifyInstance> {
  const config = db.config('web', {
    NODE_ENV: 'development',
    LOGIN_RATE_LIMIT: '1000',
    VIZ_URL: 'http://127.0.0.1:9',
    TEST_REPORTS_DIR: reportsDir,
    ...env,
  });
  const fake = [process.execPath, join(fakeDir, 'fake-suite.cjs'), '{runDir}'];
  const app = await buildApp({
    config,
    pool: db.pool,
    webDir: WEB_DIR,
    datasetsDir: DATASETS_DIR,
    logger: false,
    testCommands: { unit: [...fake, 'unit'], integration: [...fake, 'integration'], e2e: [...fake, 'e2e'] },
  });
  await app.ready();
  return app;
}

async function signedIn(app: FastifyInstance, user = TEST_USER, password = TEST_PASSWORD): Promise<Browser> {
  const b = new Browser(app);
  expect((await b.signIn(user, password)).statusCode).toBe(303);
  return b;
}

/** Starts a suite from the page's form; returns the run number from the redirect. */
async function start(b: Browser, suite: TestSuite): Promise<number> {
  const res = await b.post(`/dev/tests/${suite}/run`, { _csrf: await b.csrf('/dev/tests') });
  expect(res.statusCode).toBe(303);
  const m = /^\/dev\/tests\/runs\/(\d+)$/.exec(String(res.headers.location));
  if (!m) throw new Error(`unexpected redirect ${String(res.headers.location)}`);
  return Number(m[1]);
}

/** Follows the run's event stream until its end event; returns the stream's text. */
async function follow(b: Browser, id: number): Promise<string> {
  const res = await b.get(`/dev/tests/runs/${id}/events`, 'text/event-stream');
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
  return res.body;
}

async function row(id: number): Promise<RowDataPacket> {
  const [rows] = await db.pool.query<RowDataPacket[]>('SELECT * FROM test_runs WHERE id = ?', [id]);
  if (!rows[0]) throw new Error(`no test run ${id}`);
  return rows[0];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A killed process whose parent died may linger as a zombie where nothing reaps orphans.
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Waits until a live run has printed `text` (the run page shows its output so far). */
async function waitForOutput(b: Browser, id: number, text: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await b.get(`/dev/tests/runs/${id}`)).body.includes(text)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`run ${id} never printed ${text}`);
}

/** Waits up to 3 s for a process to disappear. */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 30; i++) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

beforeAll(async () => {
  db = await createTestDb('dev_runner');
  await migrate(db.pool, MIGRATIONS_DIR);
  const users = new UserRepository(db.pool);
  const base = db.config('web');
  await users.createIfMissing(base.adminUser, secret(base, 'db_user_password').reveal(), 'admin');
  await users.createIfMissing(VIEWER, VIEWER_PASSWORD, 'editor');
  fakeDir = mkdtempSync(join(tmpdir(), 'enchilada-fake-suite-'));
  writeFileSync(join(fakeDir, 'fake-suite.cjs'), FAKE_SUITE);
  reportsDir = mkdtempSync(join(tmpdir(), 'enchilada-runs-'));
  dev = await devApp({ TEST_RUN_TIMEOUT_S: '60', TEST_REPORTS_KEEP: '3' });
  prod = await buildApp({
    config: db.config('web', { NODE_ENV: 'production', LOGIN_RATE_LIMIT: '1000', VIZ_URL: 'http://127.0.0.1:9' }),
    pool: db.pool,
    webDir: WEB_DIR,
    datasetsDir: DATASETS_DIR,
    logger: false,
  });
  await prod.ready();
  admin = await signedIn(dev);
});
afterAll(async () => {
  await dev?.close();
  await prod?.close();
  await db?.drop();
  for (const dir of [fakeDir, reportsDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Every runner route, as registered in development, with its parameters filled in. */
function runnerRoutes(): { method: 'GET' | 'POST'; url: string }[] {
  const out: { method: 'GET' | 'POST'; url: string }[] = [];
  for (const r of dev.registeredRoutes) {
    if (!r.url.startsWith('/dev/') || (r.method !== 'GET' && r.method !== 'POST')) continue;
    out.push({
      method: r.method,
      url: r.url.replace(':suite', 'unit').replace(':id', '1').replace('*', 'report/index.html'),
    });
  }
  return out;
}

describe('where the runner exists', () => {
  it('registers its page, run, cancel, event stream and report routes in development', () => {
    expect(
      runnerRoutes()
        .map((r) => `${r.method} ${r.url}`)
        .sort(),
    ).toEqual([
      'GET /dev/tests',
      'GET /dev/tests/assets/dev-tests.js',
      'GET /dev/tests/reports',
      'GET /dev/tests/runs/1',
      'GET /dev/tests/runs/1/events',
      'GET /dev/tests/runs/1/files/report/index.html',
      'POST /dev/tests/runs/1/cancel',
      'POST /dev/tests/unit/run',
    ]);
  });

  it('answers 404 on every runner route in production, even to a signed-in administrator, and shows no sidebar entry', async () => {
    expect(prod.registeredRoutes.filter((r) => r.url.startsWith('/dev'))).toEqual([]);
    const b = await signedIn(prod);
    const token = await b.csrf('/');
    for (const r of runnerRoutes()) {
      const res = r.method === 'GET' ? await b.get(r.url) : await b.post(r.url, { _csrf: token });
      expect([r.method, r.url, res.statusCode]).toEqual([r.method, r.url, 404]);
    }
    const home = await b.get('/');
    expect(home.body).not.toContain('/dev/tests');
  });

  it('answers 403 on every runner route to a signed-in user who is not an administrator', async () => {
    const b = await signedIn(dev, VIEWER, VIEWER_PASSWORD);
    const token = await b.csrf('/');
    for (const r of runnerRoutes()) {
      const res = r.method === 'GET' ? await b.get(r.url) : await b.post(r.url, { _csrf: token });
      expect([r.method, r.url, res.statusCode]).toEqual([r.method, r.url, 403]);
    }
    expect((await b.get('/')).body).not.toContain('/dev/tests');
  });

  it('shows administrators the Run tests entry in the sidebar', async () => {
    const home = await admin.get('/');
    expect(home.body).toContain('href="/dev/tests"');
    const page = await admin.get('/dev/tests');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-testid="run-unit"');
    const script = await admin.get('/dev/tests/assets/dev-tests.js', '*/*');
    expect(script.statusCode).toBe(200);
    expect(script.body).toContain('EventSource');
  });

  it('refuses a start without a CSRF token', async () => {
    const res = await admin.post('/dev/tests/unit/run', {});
    expect(res.statusCode).toBe(403);
  });
});

describe('a run', () => {
  let id: number;

  it('spawns a child process whose exit code, counts, coverage and reports are recorded', async () => {
    setMode('unit', 'fail');
    id = await start(admin, 'unit');
    const events = await follow(admin, id);
    expect(events).toContain('event: output');
    const pid = Number(/fake unit suite in process (\d+)/.exec(events)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(pid).not.toBe(process.pid);
    expect(events).toContain('a line on stderr');
    expect(events).toMatch(/event: end\ndata: \{.*"status":"failed"/);
    const r = await row(id);
    expect({
      suite: r.suite,
      status: r.status,
      exit: r.exit_code,
      passed: r.passed,
      failed: r.failed,
      skipped: r.skipped,
      coverage: Number(r.coverage_pct),
    }).toEqual({ suite: 'unit', status: 'failed', exit: 1, passed: 3, failed: 1, skipped: 2, coverage: 87.5 });
    expect(r.report_path).toBe('report/index.html');
    expect(r.coverage_path).toBe('coverage/index.html');
    expect(Number(r.duration_ms)).toBeGreaterThan(0);
    expect(readFileSync(join(reportsDir, String(r.run_dir), 'output.log'), 'utf8')).toContain(
      '3 passed, 1 failed, 2 skipped',
    );
  });

  it('appears in the last-run table and its page embeds the report', async () => {
    const page = await admin.get('/dev/tests');
    expect(page.body).toContain(`data-run="${id}"`);
    const runPage = await admin.get(`/dev/tests/runs/${id}`);
    expect(runPage.body).toContain(`src="/dev/tests/runs/${id}/files/report/index.html"`);
    expect(runPage.body).toContain('3 passed, 1 failed, 2 skipped');
    const coverage = await admin.get(`/dev/tests/runs/${id}?show=coverage`);
    expect(coverage.body).toContain(`src="/dev/tests/runs/${id}/files/coverage/index.html"`);
  });

  it('serves its reports to the signed-in administrator with their own CSP, and to nobody else', async () => {
    const url = `/dev/tests/runs/${id}/files/report/index.html`;
    const res = await admin.get(url);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('fake report of unit');
    expect(res.headers['content-security-policy']).toContain("script-src 'self' 'unsafe-inline'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'self'");
    expect(res.headers['cache-control']).toBe('no-store');
    expect((await admin.get(`/dev/tests/runs/${id}/files/coverage/index.html`)).body).toContain('coverage');
    // The app's own pages keep the strict policy.
    expect((await admin.get('/dev/tests')).headers['content-security-policy']).not.toContain(
      "unsafe-inline' 'unsafe-eval",
    );

    const anonymous = await dev.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
    expect(anonymous.statusCode).toBe(302);
    expect(anonymous.body).not.toContain('fake report');
    expect((await dev.inject({ method: 'GET', url, headers: { accept: '*/*' } })).statusCode).toBe(401);
    const viewer = await signedIn(dev, VIEWER, VIEWER_PASSWORD);
    expect((await viewer.get(url)).statusCode).toBe(403);
    const signedOut = await signedIn(dev);
    await signedOut.post('/logout', { _csrf: await signedOut.csrf('/') });
    expect((await signedOut.get(url)).statusCode).toBe(302);
    // Signing out ends every session of that user, the shared admin browser's too.
    expect((await admin.get(url)).statusCode).toBe(302);
    admin = await signedIn(dev);
  });

  it("serves nothing outside the run's report folders", async () => {
    for (const path of [
      'output.log',
      'report/../output.log',
      'report/%2e%2e/output.log',
      'coverage/coverage-summary.json/../../x',
    ]) {
      const res = await admin.get(`/dev/tests/runs/${id}/files/${path}`);
      expect([path, [400, 403, 404].includes(res.statusCode)]).toEqual([path, true]);
    }
    expect((await admin.get('/dev/tests/runs/999999/files/report/index.html')).statusCode).toBe(404);
  });

  it('answers a JSON start with 202 and the run number', async () => {
    setMode('unit', 'pass');
    const res = await admin.post(
      '/dev/tests/unit/run',
      {},
      { accept: 'application/json', 'x-csrf-token': await admin.csrf('/dev/tests') },
    );
    expect(res.statusCode).toBe(202);
    const body = res.json<{ id: number; suite: string }>();
    expect(body.suite).toBe('unit');
    await follow(admin, body.id);
    expect((await row(body.id)).status).toBe('passed');
  });
});

describe('one run per suite', () => {
  it('refuses a second start of a running suite, lets another suite run, and cancels on request', async () => {
    setMode('integration', 'hang');
    setMode('e2e', 'pass');
    const first = await start(admin, 'integration');
    const second = await admin.post(
      '/dev/tests/integration/run',
      { _csrf: await admin.csrf('/dev/tests') },
      { accept: 'application/json' },
    );
    expect(second.statusCode).toBe(409);
    expect(second.json().message).toBe(
      `The integration suite is already running (run #${first}): wait for it to finish or cancel it.`,
    );
    const other = await start(admin, 'e2e');
    await follow(admin, other);
    expect((await row(other)).status).toBe('passed');
    expect((await admin.get('/dev/tests')).body).toContain('data-testid="cancel-integration"');
    await waitForOutput(admin, first, 'hanging');

    const cancel = await admin.post(`/dev/tests/runs/${first}/cancel`, { _csrf: await admin.csrf('/dev/tests') });
    expect(cancel.statusCode).toBe(303);
    const r = await row(first);
    expect(r.status).toBe('cancelled');
    const gpid = Number(readFileSync(join(reportsDir, String(r.run_dir), 'grandchild.pid'), 'utf8'));
    expect(await gone(gpid)).toBe(true);
    expect(
      (
        await admin.post(
          `/dev/tests/runs/${first}/cancel`,
          { _csrf: await admin.csrf('/dev/tests') },
          { accept: 'application/json' },
        )
      ).statusCode,
    ).toBe(409);

    setMode('integration', 'pass');
    const again = await start(admin, 'integration');
    await follow(admin, again);
    expect((await row(again)).status).toBe('passed');
  });
});

describe('the time limit', () => {
  it('kills a hanging run with its whole process group and records it as timed out', async () => {
    const limited = await devApp({ TEST_RUN_TIMEOUT_S: '3' });
    try {
      const b = await signedIn(limited);
      setMode('e2e', 'hang');
      const id = await start(b, 'e2e');
      const t0 = Date.now();
      const events = await follow(b, id);
      expect(Date.now() - t0).toBeLessThan(12_000);
      expect(events).toContain('hanging');
      expect(events).toContain('Killed: the run passed the time limit of 3 s.');
      const r = await row(id);
      expect(r.status).toBe('timed_out');
      expect(r.passed).toBeNull();
      const gpid = Number(readFileSync(join(reportsDir, String(r.run_dir), 'grandchild.pid'), 'utf8'));
      expect(await gone(gpid)).toBe(true);
    } finally {
      await limited.close();
    }
  });
});

describe('history', () => {
  it('keeps the files of the last runs per suite only, and the rows of all', async () => {
    setMode('unit', 'pass');
    const ids: number[] = [];
    for (let i = 0; i < 4; i++) {
      const id = await start(admin, 'unit');
      await follow(admin, id);
      ids.push(id);
    }
    const [rows] = await db.pool.query<RowDataPacket[]>(
      "SELECT id, run_dir, report_path FROM test_runs WHERE suite = 'unit' ORDER BY id",
    );
    const kept = rows.filter((r) => r.run_dir !== null).map((r) => Number(r.id));
    expect(kept).toEqual(ids.slice(-3));
    expect(rows.length).toBeGreaterThan(3);
    const gone = rows.find((r) => r.run_dir === null);
    expect(gone?.report_path).toBeNull();
    expect(existsSync(join(reportsDir, `${ids[0]}-unit`))).toBe(false);
  });

  it('marks runs left running by a stopped server as interrupted at the next start', async () => {
    await db.pool.query("INSERT INTO test_runs (suite, status) VALUES ('unit', 'running')");
    const again = await devApp();
    try {
      const [rows] = await db.pool.query<RowDataPacket[]>(
        "SELECT COUNT(*) AS n FROM test_runs WHERE status = 'running'",
      );
      expect(Number(rows[0]?.n)).toBe(0);
    } finally {
      await again.close();
    }
  });
});
