// Shared by integration tests: a fresh MariaDB/MySQL database per test file on the real server
// (127.0.0.1:3306, root without password on CI; override with TEST_MYSQL_* variables), and a
// secrets folder in a temp dir.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { createPool, loadConfig, type Config, type Pool, type Role } from '@enchilada/core';

export const TEST_MYSQL_ROOT = {
  host: process.env.TEST_MYSQL_HOST ?? '127.0.0.1',
  port: Number(process.env.TEST_MYSQL_PORT ?? 3306),
  user: process.env.TEST_MYSQL_ROOT_USER ?? 'root',
  // A *_FILE variant keeps the password out of the environment (development compose: a Docker secret).
  password:
    process.env.TEST_MYSQL_ROOT_PASSWORD ??
    (process.env.TEST_MYSQL_ROOT_PASSWORD_FILE
      ? readFileSync(process.env.TEST_MYSQL_ROOT_PASSWORD_FILE, 'utf8').trim()
      : ''),
};
export const TEST_USER = 'enchilada_test';
export const TEST_PASSWORD = 'test-password-Zq7';

export function makeSecretsDir(values: Partial<Record<string, string>> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'enchilada-secrets-'));
  const all: Record<string, string> = {
    db_root_password: 'root-not-used',
    db_user_password: TEST_PASSWORD,
    web_secret_key: 'web-secret-key-for-tests-0123456789',
    viz_secret_key: 'viz-secret-key-for-tests-0123456789',
    ...values,
  };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) writeFileSync(join(dir, k), v);
  return dir;
}

export interface TestDb {
  readonly database: string;
  readonly pool: Pool;
  readonly secretsDir: string;
  config(role: Role, env?: Record<string, string>): Config;
  drop(): Promise<void>;
}

/**
 * Creates (after dropping) database `enchilada_t_<name>` and the test user with rights on it.
 * `TEST_DB_PREFIX` replaces `enchilada_t_`, so two checkouts can run the suites at once.
 */
export async function createTestDb(name: string): Promise<TestDb> {
  const prefix = (process.env.TEST_DB_PREFIX ?? 'enchilada_t_').replace(/[^a-z0-9_]/gi, '_');
  const database = `${prefix}${name.replace(/[^a-z0-9_]/gi, '_')}`.slice(0, 64);
  const root = await mysql.createConnection(TEST_MYSQL_ROOT);
  try {
    await root.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await root.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
    for (const host of ['%', 'localhost']) {
      await root.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [TEST_USER, host, TEST_PASSWORD]);
      await root.query(`GRANT ALL ON \`${database}\`.* TO ?@?`, [TEST_USER, host]);
    }
  } finally {
    await root.end();
  }
  const secretsDir = makeSecretsDir();
  // uploads waiting to be loaded are counted per user id: each test database gets its own folder,
  // or the users of two test files (or two checkouts testing at once) would share one quota
  const uploadDir = mkdtempSync(join(tmpdir(), 'enchilada-test-uploads-'));
  const config = (role: Role, env: Record<string, string> = {}) =>
    loadConfig(role, {
      NODE_ENV: 'test',
      SECRETS_DIR: secretsDir,
      MYSQL_HOST: TEST_MYSQL_ROOT.host,
      MYSQL_PORT: String(TEST_MYSQL_ROOT.port),
      MYSQL_USER: TEST_USER,
      MYSQL_DATABASE: database,
      LOG_LEVEL: 'silent',
      UPLOAD_DIR: uploadDir,
      ...env,
    });
  const pool = createPool(config('web').mysql, { connectionLimit: 5 });
  return {
    database,
    pool,
    secretsDir,
    config,
    async drop() {
      await pool.end();
      const r = await mysql.createConnection(TEST_MYSQL_ROOT);
      try {
        await r.query(`DROP DATABASE IF EXISTS \`${database}\``);
      } finally {
        await r.end();
      }
      rmSync(uploadDir, { recursive: true, force: true });
    },
  };
}

export const MIGRATIONS_DIR = join(__dirname, '..', 'db', 'migrations');
export const WEB_DIR = join(__dirname, '..', 'web');
export const DATASETS_DIR = join(__dirname, '..', 'db', 'datasets');

/** A value the test needs to go on: throws a clear error (instead of a `!` that only tells the compiler) when it is missing. */
export function present<T>(value: T | null | undefined, what = 'a value'): T {
  if (value === null || value === undefined) throw new Error(`expected ${what}, got ${String(value)}`);
  return value;
}
