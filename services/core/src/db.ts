// The mysql2 pool and the one helper that quotes identifiers. Every value goes through placeholders.
import mysql from 'mysql2/promise';
import type { MysqlConfig } from './config.js';

export type Pool = mysql.Pool;
export type PoolConnection = mysql.PoolConnection;
export type RowDataPacket = mysql.RowDataPacket;
export type ResultSetHeader = mysql.ResultSetHeader;

export interface PoolOptions {
  readonly connectionLimit?: number;
  readonly database?: string;
  /** Capture the caller's stack on every query for error messages (mysql2's default); off on hot paths. */
  readonly trace?: boolean;
}

export function createPool(cfg: MysqlConfig, options: PoolOptions = {}): Pool {
  const pool = mysql.createPool({
    host: cfg.host,
    port: cfg.port,
    user: cfg.user,
    password: cfg.password.reveal(),
    database: options.database ?? cfg.database,
    connectionLimit: options.connectionLimit ?? 10,
    waitForConnections: true,
    // Portable between MySQL 8.4 and MariaDB 10.11: no auth-plugin or collation specifics here.
    charset: 'utf8mb4',
    timezone: 'Z',
    dateStrings: false,
    supportBigNumbers: true,
    bigNumberStrings: false,
    decimalNumbers: true,
    multipleStatements: false,
    connectTimeout: 5000,
    trace: options.trace ?? true,
  });
  // mysql2 reads and writes dates as UTC ('Z'); the session must agree, whatever the server's own
  // zone, or TIMESTAMP columns and Date placeholders shift by its offset.
  // The event hands over the callback-style connection; a failure here shows on the next query.
  pool.on('connection', (conn) => {
    (conn as unknown as { query(sql: string, cb: (err: unknown) => void): void }).query(
      "SET time_zone = '+00:00'",
      () => undefined,
    );
  });
  return pool;
}

const IDENT = /^[\p{L}\p{N}_ $-]{1,64}$/u;

/**
 * Quotes a table or column name. Names are validated first (letters, digits, underscore, space,
 * dollar, hyphen; 1–64 characters, MySQL's limit), so quoting never has to escape anything odd.
 */
export function quoteIdent(name: string): string {
  if (!IDENT.test(name) || name !== name.trim()) {
    throw new RangeError(`invalid SQL identifier ${JSON.stringify(name)}`);
  }
  return '`' + name.replace(/`/g, '``') + '`';
}

/** Runs `fn` in a transaction on one connection: committed if it returns, rolled back if it throws. */
export async function withTransaction<T>(
  pool: Pool,
  fn: (conn: PoolConnection) => Promise<T>,
  isolation?: 'READ COMMITTED',
): Promise<T> {
  const conn = await pool.getConnection();
  try {
    if (isolation) await conn.query(`SET TRANSACTION ISOLATION LEVEL ${isolation}`);
    await conn.beginTransaction();
    const out = await fn(conn);
    await conn.commit();
    return out;
  } catch (err) {
    await conn.rollback().catch(() => undefined);
    throw err;
  } finally {
    conn.release();
  }
}

/** Waits until the database answers (a container starting beside it), up to `attempts` seconds. */
export async function waitForDatabase(pool: Pool, log: (msg: string) => void, attempts = 60): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await pool.query('SELECT 1');
      return;
    } catch (err) {
      if (attempt >= attempts) throw err;
      if (attempt === 1 || attempt % 10 === 0) log(`waiting for the database: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
