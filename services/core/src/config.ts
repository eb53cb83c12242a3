// Configuration is read once at start into a frozen, typed object; nothing else reads process.env.
import { readFileSync } from 'node:fs';
import { availableParallelism, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError } from './errors.js';
import { readSecret, type Secret, type SecretName } from './secrets.js';

export type Role = 'web' | 'viz' | 'serve';

export interface MysqlConfig {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
  readonly password: Secret;
}

export interface Config {
  readonly role: Role;
  readonly env: 'production' | 'development' | 'test';
  readonly host: string;
  readonly webPort: number;
  readonly vizPort: number;
  readonly vizUrl: string;
  readonly logLevel: string;
  readonly secretsDir: string;
  readonly mysql: MysqlConfig;
  /** The first administrator's name: the MySQL user named in the compose file. */
  readonly adminUser: string;
  /**
   * serve's own database account (MYSQL_SERVE_USER), or null when serve uses the application's
   * (development, tests): web grants it serve's privileges after migrating, serve connects as it
   * with the db_serve_password secret.
   */
  readonly servingAccount: string | null;
  /** How people reach web (PUBLIC_URL, e.g. https://ml.example.org), for links made outside a request (the CLI's invitations). */
  readonly publicUrl: string | null;
  readonly loginRateLimit: { readonly max: number; readonly windowMs: number };
  /** A session ends this long after sign-in, however active (SESSION_MAX_HOURS, default 12). */
  readonly sessionMaxHours: number;
  /** Where uploaded CSV files wait for the preview, and the largest accepted. */
  readonly uploadDir: string;
  readonly uploadMaxBytes: number;
  /** The most fits (candidates × folds) one training job may ask for. */
  readonly maxFits: number;
  /** Limits of training: memory, threads, jobs per user. */
  readonly training: TrainingLimits;
  /** Per user: uploads waiting for their preview's choices. */
  readonly uploadQuota: { readonly maxPending: number; readonly maxPendingBytes: number };
  /** Development mode's test runner (its routes exist only when env is development). */
  readonly testRunner: TestRunnerConfig;
  /** The prediction API (serve). */
  readonly serve: ServeConfig;
  /** Alert rules' evaluation (web) and webhooks. */
  readonly alerts: AlertsConfig;
  readonly secrets: Readonly<Partial<Record<SecretName, Secret>>>;
}

export interface AlertsConfig {
  /** Between two evaluations of the rules (ALERT_INTERVAL_MS, default 60 s); 0 turns the evaluator off in this process. */
  readonly intervalMs: number;
  /** Webhooks may post to loopback and private addresses (ALERT_WEBHOOK_ALLOW_PRIVATE=1; default no: SSRF). */
  readonly webhookAllowPrivate: boolean;
  /** When set, the only webhook host names allowed (ALERT_WEBHOOK_HOSTS, space-separated). */
  readonly webhookHosts: readonly string[];
  /** Per webhook attempt (ALERT_WEBHOOK_TIMEOUT_MS, default 5 s). */
  readonly webhookTimeoutMs: number;
}

export interface ServeConfig {
  readonly port: number;
  /** Requests allowed per API key and window. */
  readonly rateLimit: { readonly max: number; readonly windowMs: number };
  /** Requests with an unknown API key allowed per client address and window (key guessing). */
  readonly unknownKeyLimit: number;
  /** Requests to the keyless tutorial routes (/predict, /update) allowed per client address and window. */
  readonly seedRateLimit: number;
  /** How often serve looks at the publishing/keys change counter (≤ 1 s keeps switches within 5 s). */
  readonly pollMs: number;
  /** Most instances in one predict request. */
  readonly maxInstances: number;
  readonly bodyLimitBytes: number;
  /**
   * The published name the seed-compatible `/predict` and `/update` routes use until an
   * administrator chooses one on the Published page (empty: off until then).
   */
  readonly seedModelName: string;
  /**
   * serve's address as clients reach it, for the example requests and links web shows
   * (SERVE_PUBLIC_URL); empty: the web page's own host name with SERVE_PORT.
   */
  readonly publicUrl: string;
  /** serve's address as web reaches it (SERVE_URL; default http://127.0.0.1:SERVE_PORT): the pages' batch scoring streams through it. */
  readonly internalUrl: string;
  /** Processes (Node cluster workers) sharing the port; 1 runs in the main process. */
  readonly workers: number;
  /** Worker threads per serve process computing explained predictions' contributions (SERVE_EXPLAIN_THREADS). */
  readonly explainThreads: number;
  /** Most data rows, and most bytes, in one CSV posted for batch scoring (SERVE_BATCH_MAX_ROWS, SERVE_BATCH_MAX_MB). */
  readonly batch: { readonly maxRows: number; readonly maxBytes: number };
}

export interface TrainingLimits {
  /**
   * The memory one training job may use in viz (TRAIN_MAX_MEMORY_MB; default a quarter of the
   * container's memory). Jobs whose estimate exceeds it are refused before they are queued, and a
   * job whose process grows past it while running is stopped.
   */
  readonly maxMemoryBytes: number;
  /** Grid-search worker threads (TRAIN_WORKERS; default one per core). The estimate counts that many fits at once. */
  readonly workers: number;
  /** Queued or running training jobs one user may have (TRAIN_MAX_ACTIVE_JOBS). */
  readonly maxActiveJobs: number;
}

export type TestSuite = 'unit' | 'integration' | 'e2e';
export const TEST_SUITES: readonly TestSuite[] = ['unit', 'integration', 'e2e'];

export interface TestRunnerConfig {
  /** A run still going after this long is killed with its whole process group. */
  readonly timeoutMs: number;
  /** Where each run's output and HTML reports are kept. */
  readonly reportsDir: string;
  /** How many runs per suite keep their reports on disk (the history rows stay). */
  readonly keep: number;
  /** Extra arguments per suite, e.g. a test path pattern to run a part of it from the page. */
  readonly args: Readonly<Record<TestSuite, readonly string[]>>;
}

/**
 * Which secrets each process needs; a process never reads the others. serve reads
 * db_serve_password when MYSQL_SERVE_USER names its own account, else db_user_password.
 */
export const SECRETS_FOR: Readonly<Record<Role, readonly SecretName[]>> = {
  web: ['db_user_password', 'web_secret_key', 'viz_secret_key'],
  viz: ['db_user_password', 'viz_secret_key'],
  serve: [],
};

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The memory this process may use: the cgroup limit when there is one (v2 `memory.max`, v1
 * `memory.limit_in_bytes`; "max" or v1's huge unlimited figure mean none), else the machine's.
 */
export function containerMemoryBytes(read: (path: string) => string | null = readOptional): number {
  const machine = totalmem();
  for (const path of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    const raw = read(path)?.trim();
    if (!raw || raw === 'max') continue;
    const n = Number(raw);
    if (Number.isFinite(n) && n > 0 && n < machine) return n;
  }
  return machine;
}

function readOptional(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

function text(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  return raw === undefined || raw === '' ? fallback : raw;
}

function account(env: Env, name: string, fallback: string): string {
  const user = text(env, name, fallback);
  if (!/^[A-Za-z0-9_.@-]{1,32}$/.test(user)) {
    throw new ConfigError(`${name} must be 1–32 letters, digits or _.@-, got "${user}"`);
  }
  return user;
}

function publicUrl(env: Env): string | null {
  const raw = env.PUBLIC_URL;
  if (raw === undefined || raw === '') return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`PUBLIC_URL must be an http(s) URL such as https://ml.example.org, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError(`PUBLIC_URL must be an http(s) URL, got "${raw}"`);
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

function servePublicUrl(env: Env): string {
  const raw = text(env, 'SERVE_PUBLIC_URL', '');
  if (raw === '') return '';
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError(`SERVE_PUBLIC_URL must be an http(s) URL such as https://predict.example.com, got "${raw}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new ConfigError(`SERVE_PUBLIC_URL must be an http(s) URL such as https://predict.example.com, got "${raw}"`);
  return raw.replace(/\/+$/, '');
}

/** Where web reaches serve inside the deployment (SERVE_URL), for the pages' batch scoring; default this host's SERVE_PORT. */
function serveInternalUrl(env: Env, port: number): string {
  const raw = text(env, 'SERVE_URL', '');
  if (raw === '') return `http://127.0.0.1:${port}`;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError(`SERVE_URL must be an http(s) URL such as http://serve:8000, got "${raw}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new ConfigError(`SERVE_URL must be an http(s) URL such as http://serve:8000, got "${raw}"`);
  return raw.replace(/\/+$/, '');
}

function words(env: Env, name: string): readonly string[] {
  return Object.freeze((env[name] ?? '').split(/\s+/).filter((w) => w !== ''));
}

export function loadConfig(role: Role, env: Env = process.env): Config {
  const nodeEnv = text(env, 'NODE_ENV', 'production');
  if (nodeEnv !== 'production' && nodeEnv !== 'development' && nodeEnv !== 'test') {
    throw new ConfigError(`NODE_ENV must be production, development or test, got "${nodeEnv}"`);
  }
  const secretsDir = text(env, 'SECRETS_DIR', '/run/secrets');
  const secrets: Partial<Record<SecretName, Secret>> = {};
  for (const name of SECRETS_FOR[role]) secrets[name] = readSecret(secretsDir, name);
  const adminUser = account(env, 'MYSQL_USER', 'enchilada');
  const servingAccount = env.MYSQL_SERVE_USER ? account(env, 'MYSQL_SERVE_USER', '') : null;
  let user = adminUser;
  if (role === 'serve') {
    // Its own account when one is named (compose); else, in development and tests, the application's.
    if (servingAccount) {
      secrets.db_serve_password = readSecret(secretsDir, 'db_serve_password');
      user = servingAccount;
    } else {
      secrets.db_user_password = readSecret(secretsDir, 'db_user_password');
    }
  }
  const dbPassword = secrets.db_serve_password ?? secrets.db_user_password;
  if (!dbPassword) throw new ConfigError('db_user_password is required');
  const webPort = int(env, 'WEB_PORT', 5000, 1, 65535);
  const vizPort = int(env, 'VIZ_PORT', 5006, 1, 65535);
  return Object.freeze({
    role,
    env: nodeEnv,
    host: text(env, 'HOST', '0.0.0.0'),
    webPort,
    vizPort,
    vizUrl: text(env, 'VIZ_URL', `http://127.0.0.1:${vizPort}`).replace(/\/$/, ''),
    logLevel: text(env, 'LOG_LEVEL', 'info'),
    secretsDir,
    mysql: Object.freeze({
      host: text(env, 'MYSQL_HOST', '127.0.0.1'),
      port: int(env, 'MYSQL_PORT', 3306, 1, 65535),
      user,
      database: text(env, 'MYSQL_DATABASE', 'ml_data'),
      password: dbPassword,
    }),
    adminUser,
    servingAccount,
    publicUrl: publicUrl(env),
    loginRateLimit: Object.freeze({
      max: int(env, 'LOGIN_RATE_LIMIT', 10, 1, 100000),
      windowMs: int(env, 'LOGIN_RATE_WINDOW_S', 60, 1, 86400) * 1000,
    }),
    sessionMaxHours: int(env, 'SESSION_MAX_HOURS', 12, 1, 24 * 30),
    uploadDir: text(env, 'UPLOAD_DIR', join(tmpdir(), 'enchilada-uploads')),
    uploadMaxBytes: int(env, 'UPLOAD_MAX_MB', 200, 1, 100000) * 1_000_000,
    maxFits: int(env, 'TRAIN_MAX_FITS', 5000, 1, 1_000_000),
    training: Object.freeze({
      maxMemoryBytes:
        int(
          env,
          'TRAIN_MAX_MEMORY_MB',
          Math.max(64, Math.floor(containerMemoryBytes() / 4 / 1_048_576)),
          64,
          10_000_000,
        ) * 1_048_576,
      workers: int(env, 'TRAIN_WORKERS', Math.max(1, availableParallelism()), 1, 256),
      maxActiveJobs: int(env, 'TRAIN_MAX_ACTIVE_JOBS', 2, 1, 1000),
    }),
    uploadQuota: Object.freeze({
      maxPending: int(env, 'UPLOAD_MAX_PENDING', 5, 1, 10_000),
      maxPendingBytes: int(env, 'UPLOAD_MAX_PENDING_MB', 1000, 1, 1_000_000) * 1_000_000,
    }),
    testRunner: Object.freeze({
      timeoutMs: int(env, 'TEST_RUN_TIMEOUT_S', 1800, 1, 86400) * 1000,
      reportsDir: resolve(text(env, 'TEST_REPORTS_DIR', join('reports', 'runs'))),
      keep: int(env, 'TEST_REPORTS_KEEP', 10, 1, 1000),
      args: Object.freeze({
        unit: words(env, 'TEST_RUN_ARGS_UNIT'),
        integration: words(env, 'TEST_RUN_ARGS_INTEGRATION'),
        e2e: words(env, 'TEST_RUN_ARGS_E2E'),
      }),
    }),
    alerts: Object.freeze({
      intervalMs: int(env, 'ALERT_INTERVAL_MS', 60_000, 0, 86_400_000),
      webhookAllowPrivate: text(env, 'ALERT_WEBHOOK_ALLOW_PRIVATE', '0') === '1',
      webhookHosts: Object.freeze(words(env, 'ALERT_WEBHOOK_HOSTS').map((h) => h.toLowerCase())),
      webhookTimeoutMs: int(env, 'ALERT_WEBHOOK_TIMEOUT_MS', 5000, 100, 60_000),
    }),
    serve: Object.freeze({
      port: int(env, 'SERVE_PORT', 8000, 1, 65535),
      rateLimit: Object.freeze({
        max: int(env, 'SERVE_RATE_LIMIT', 600000, 1, 100_000_000),
        windowMs: int(env, 'SERVE_RATE_WINDOW_S', 60, 1, 86400) * 1000,
      }),
      unknownKeyLimit: int(env, 'SERVE_UNKNOWN_KEY_LIMIT', 30, 1, 100_000_000),
      seedRateLimit: int(env, 'SERVE_SEED_RATE_LIMIT', 6000, 1, 100_000_000),
      pollMs: int(env, 'SERVE_POLL_MS', 500, 50, 1000),
      maxInstances: int(env, 'SERVE_MAX_INSTANCES', 1000, 1, 1000),
      bodyLimitBytes: int(env, 'SERVE_BODY_LIMIT_KB', 4096, 1, 65536) * 1024,
      seedModelName: text(env, 'SEED_MODEL_NAME', ''),
      publicUrl: servePublicUrl(env),
      internalUrl: serveInternalUrl(env, int(env, 'SERVE_PORT', 8000, 1, 65535)),
      workers: int(env, 'SERVE_WORKERS', 1, 1, 64),
      explainThreads: int(
        env,
        'SERVE_EXPLAIN_THREADS',
        Math.max(1, Math.floor(availableParallelism() / int(env, 'SERVE_WORKERS', 1, 1, 64))),
        1,
        64,
      ),
      batch: Object.freeze({
        maxRows: int(env, 'SERVE_BATCH_MAX_ROWS', 2_000_000, 1, 100_000_000),
        maxBytes: int(env, 'SERVE_BATCH_MAX_MB', 512, 1, 102_400) * 1024 * 1024,
      }),
    }),
    secrets: Object.freeze(secrets),
  });
}

export function secret(config: Config, name: SecretName): Secret {
  const s = config.secrets[name];
  if (!s) throw new ConfigError(`the ${config.role} process was not given the ${name} secret`);
  return s;
}
