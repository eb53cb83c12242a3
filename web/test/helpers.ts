// Helpers for driving the web app with inject(): a tiny cookie jar, the CSRF token of a page, and
// the signed-in app most integration tests start from.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { migrate, type Config, type Pool, type RowDataPacket } from '@enchilada/core';
import { ModelRegistry, type NewModel } from '@enchilada/models';
import { DATASETS_DIR, MIGRATIONS_DIR, TEST_PASSWORD, TEST_USER, WEB_DIR, type TestDb } from '@enchilada/test-support';
import { buildApp } from '../src/app.js';
import { UserRepository } from '@enchilada/users';

export class Browser {
  private cookies = new Map<string, string>();
  constructor(private readonly app: FastifyInstance) {}

  private absorb(res: LightMyRequestResponse): void {
    const raw = res.headers['set-cookie'];
    for (const c of [raw ?? []].flat()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i);
      const value = pair.slice(i + 1);
      if (value === '' || /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** Another browser holding a copy of this one's cookies (a second tab, or a stolen cookie). */
  copy(): Browser {
    const b = new Browser(this.app);
    b.cookies = new Map(this.cookies);
    return b;
  }

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(url: string, accept = 'text/html'): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({ method: 'GET', url, headers: { accept, cookie: this.cookieHeader } });
    this.absorb(res);
    return res;
  }

  async post(
    url: string,
    form: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({
      method: 'POST',
      url,
      payload: new URLSearchParams(form).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'text/html',
        cookie: this.cookieHeader,
        ...headers,
      },
    });
    this.absorb(res);
    return res;
  }

  /** The CSRF token of the form on a page. */
  async csrf(url = '/login'): Promise<string> {
    const res = await this.get(url);
    const m = /name="_csrf" value="([^"]+)"/.exec(res.body);
    if (!m) throw new Error(`no CSRF token on ${url} (status ${res.statusCode})`);
    return m[1];
  }

  async signIn(username: string, password: string): Promise<LightMyRequestResponse> {
    const token = await this.csrf('/login');
    return this.post('/login', { username, password, _csrf: token });
  }
}

export interface SignedInWebApp {
  readonly app: FastifyInstance;
  readonly config: Config;
  /** Signed in as the administrator, TEST_USER. */
  readonly browser: Browser;
  /** The CSRF token of the session (from the Datasets page), for JSON posts. */
  readonly csrf: string;
}

/**
 * The set-up of most web integration tests: migrates the test database, creates the administrator
 * (TEST_USER / TEST_PASSWORD), builds the app with `env` on top of the test configuration, and signs
 * a browser in. `seed` runs before the app is built (to load datasets); `clock` is the app's clock.
 */
export async function signedInWebApp(
  db: TestDb,
  env: Record<string, string> = {},
  options: {
    readonly seed?: () => Promise<void>;
    readonly clock?: () => number;
  } = {},
): Promise<SignedInWebApp> {
  await migrate(db.pool, MIGRATIONS_DIR);
  const config = db.config('web', env);
  await new UserRepository(db.pool).createIfMissing(config.adminUser, TEST_PASSWORD, 'admin');
  await options.seed?.();
  const app = await buildApp({
    config,
    pool: db.pool,
    webDir: WEB_DIR,
    datasetsDir: DATASETS_DIR,
    logger: false,
    clock: options.clock,
  });
  const browser = new Browser(app);
  await browser.signIn(TEST_USER, TEST_PASSWORD);
  return { app, config, browser, csrf: await browser.csrf('/datasets') };
}

/** A browser signed in as a new person with this role (password `<name>-password-long`). */
export async function signedInPerson(
  app: FastifyInstance,
  db: TestDb,
  name: string,
  role: 'admin' | 'editor' | 'viewer',
): Promise<Browser> {
  await new UserRepository(db.pool).createIfMissing(name, `${name}-password-long`, role);
  const b = new Browser(app);
  const res = await b.signIn(name, `${name}-password-long`);
  if (res.statusCode !== 303) throw new Error(`${name} could not sign in (status ${res.statusCode})`);
  return b;
}

/**
 * A registry row for a model that is never run (its ONNX is one byte): enough for the pages,
 * publishing and the rights on it. A toy classifier of feature `a` unless `fields` says otherwise.
 */
export async function insertPlaceholderModel(
  pool: Pool,
  createdBy: number | null,
  fields: Partial<NewModel> = {},
): Promise<number> {
  return new ModelRegistry(pool).insert({
    datasetId: 1,
    datasetName: 'toy',
    datasetVersion: 1,
    modelType: 'logistic_regression',
    task: 'classification',
    target: 'y',
    features: ['a'],
    inputs: null,
    preprocessing: null,
    classes: fields.task === 'regression' ? null : ['0', '1'],
    grid: {},
    bestParams: {},
    splitSeed: 0,
    trainFraction: 0.8,
    split: { train: [], test: [] },
    cvResults: [],
    cvScore: 1,
    trainScore: 1,
    testScore: 1,
    metrics: {},
    onnx: new Uint8Array([0]),
    jobId: null,
    durationMs: 1,
    createdBy,
    ...fields,
  });
}

/** The passwords of the people `createEditors` makes (beside the administrator's TEST_PASSWORD). */
export const PASSWORDS = { alice: 'alice-password-123', bob: 'bob-password-1234' } as const;

/** Creates the administrator (TEST_USER) and the editors alice and bob; answers each one's id by name. */
export async function createEditors(db: TestDb, config: Config): Promise<(name: string) => number> {
  const users = new UserRepository(db.pool);
  await users.createIfMissing(config.adminUser, TEST_PASSWORD, 'admin');
  for (const [name, password] of Object.entries(PASSWORDS)) await users.createIfMissing(name, password, 'editor');
  const [rows] = await db.pool.query<RowDataPacket[]>('SELECT id, username FROM users');
  const ids = new Map(rows.map((r) => [String(r.username), Number(r.id)]));
  return (name) => {
    const id = ids.get(name);
    if (id === undefined) throw new Error(`no user ${name}`);
    return id;
  };
}
