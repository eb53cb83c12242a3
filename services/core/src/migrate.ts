// Numbered SQL migrations (db/migrations/NNN_name.sql), applied in order, each once. A named
// server lock (GET_LOCK, on MySQL and MariaDB alike) makes two processes starting at once safe:
// the second waits, then finds everything applied.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pool, RowDataPacket } from './db.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

export async function readMigrations(dir: string): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{3,}_[a-z0-9_]+\.sql$/.test(f)).sort();
  const out: Migration[] = [];
  for (const file of files) {
    const sql = await readFile(join(dir, file), 'utf8');
    const version = Number(file.slice(0, file.indexOf('_')));
    if (out.some((m) => m.version === version)) throw new Error(`two migrations have number ${version}`);
    out.push({ version, name: file, sql, checksum: createHash('sha256').update(sql).digest('hex') });
  }
  return out;
}

/** Splits a migration file into statements at semicolons that end a line. */
export function statements(sql: string): string[] {
  return sql
    .split(/;\s*(?:\r?\n|$)/)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter((s) => s.length > 0);
}

export async function migrate(pool: Pool, dir: string, log?: (msg: string) => void): Promise<number[]> {
  const migrations = await readMigrations(dir);
  const conn = await pool.getConnection();
  const applied: number[] = [];
  try {
    const [lock] = await conn.query<RowDataPacket[]>("SELECT GET_LOCK('enchilada_migrations', 120) AS ok");
    if (lock[0]?.ok !== 1) throw new Error('could not take the migration lock within 120 s');
    try {
      await conn.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INT NOT NULL PRIMARY KEY,
        name VARCHAR(255) NOT NULL,
        checksum CHAR(64) NOT NULL,
        applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
      const [rows] = await conn.query<RowDataPacket[]>('SELECT version, checksum FROM schema_migrations');
      const done = new Map(rows.map((r) => [Number(r.version), String(r.checksum)]));
      for (const m of migrations) {
        const seen = done.get(m.version);
        if (seen !== undefined) {
          if (seen !== m.checksum) throw new Error(`migration ${m.name} was changed after it was applied`);
          continue;
        }
        // DDL commits implicitly in MySQL, so a migration is written to be re-runnable
        // (IF NOT EXISTS); the row is recorded only after every statement succeeded.
        for (const stmt of statements(m.sql)) await conn.query(stmt);
        await conn.query('INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)', [
          m.version,
          m.name,
          m.checksum,
        ]);
        applied.push(m.version);
        log?.(`applied migration ${m.name}`);
      }
    } finally {
      await conn.query("SELECT RELEASE_LOCK('enchilada_migrations')");
    }
  } finally {
    conn.release();
  }
  return applied;
}

/**
 * The newest migration's version: what a process that does not migrate (viz) waits for before it
 * touches a table. viz's image carries no migration files, hence a constant; a unit test keeps it
 * equal to the newest file in db/migrations.
 */
export const SCHEMA_VERSION = 17;

export interface WaitForSchemaOptions {
  /** Told once, when the schema is not there at the first look. */
  readonly log?: (msg: string) => void;
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Resolves once the database holds migrations up to `version` (web applies them at its start).
 * Until then — database unreachable, no schema_migrations table, an older schema — it looks again
 * every `pollMs`, having said once what it waits for, so a process started before web does not
 * fail on a missing table.
 */
export async function waitForSchema(
  pool: Pool,
  version = SCHEMA_VERSION,
  opts: WaitForSchemaOptions = {},
): Promise<void> {
  let told = false;
  for (;;) {
    let reason: string;
    try {
      const [rows] = await pool.query<RowDataPacket[]>('SELECT MAX(version) AS v FROM schema_migrations');
      const have = rows[0]?.v === null || rows[0]?.v === undefined ? 0 : Number(rows[0].v);
      if (have >= version) return;
      reason = `the database schema is at version ${have}`;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      reason =
        code === 'ER_NO_SUCH_TABLE'
          ? 'the database has no schema yet'
          : `the database does not answer (${String(code ?? (err as Error).message)})`;
    }
    if (!told) {
      opts.log?.(`waiting for the database schema version ${version} (web applies the migrations): ${reason}`);
      told = true;
    }
    if (opts.signal?.aborted) throw new Error('stopped while waiting for the database schema');
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 1000));
  }
}
