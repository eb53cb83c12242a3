// The users table: the only module that writes SQL for it.
import type { Pool, ResultSetHeader, RowDataPacket } from '@enchilada/core';
import { hashPassword } from './passwords.js';

export const ROLES = ['admin', 'editor', 'viewer'] as const;
export type UserRole = (typeof ROLES)[number];
export const isRole = (v: unknown): v is UserRole => typeof v === 'string' && (ROLES as readonly string[]).includes(v);

export interface User {
  readonly id: number;
  readonly username: string;
  readonly role: UserRole;
  /** Signed in with a one-time password: every page leads to the Account page until it is changed. */
  readonly mustChangePassword: boolean;
}
export interface UserWithHash extends User { readonly passwordHash: string }
/** What the session check needs: sessions issued at or before this instant (ms) are ended. */
export interface SessionUser extends User { readonly sessionsValidAfter: number | null }
export interface UserListing extends User {
  readonly active: boolean;
  readonly createdAt: Date;
  readonly lastLoginAt: Date | null;
}

// An unknown role in the table (edited by hand) gets the least rights, not an error on every page.
const toUser = (r: RowDataPacket): User => ({
  id: Number(r.id), username: String(r.username), role: isRole(r.role) ? r.role : 'viewer', mustChangePassword: Number(r.must_change_password) === 1,
});
const COLS = 'id, username, role, must_change_password';

export class UserRepository {
  constructor(private readonly pool: Pool) {}

  async findActiveById(id: number): Promise<SessionUser | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT ${COLS}, sessions_valid_after FROM users WHERE id = ? AND active = 1`, [id]);
    if (!rows.length) return null;
    const after = rows[0].sessions_valid_after;
    return { ...toUser(rows[0]), sessionsValidAfter: after === null ? null : Number(after) };
  }

  async findActiveByName(username: string): Promise<UserWithHash | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT ${COLS}, password_hash FROM users WHERE username = ? AND active = 1`, [username]);
    return rows.length ? { ...toUser(rows[0]), passwordHash: String(rows[0].password_hash) } : null;
  }

  async findWithHash(id: number): Promise<UserWithHash | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>(`SELECT ${COLS}, password_hash FROM users WHERE id = ?`, [id]);
    return rows.length ? { ...toUser(rows[0]), passwordHash: String(rows[0].password_hash) } : null;
  }

  async list(): Promise<UserListing[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT ${COLS}, active, created_at, last_login_at FROM users ORDER BY username`);
    return rows.map((r) => ({
      ...toUser(r), active: Number(r.active) === 1, createdAt: new Date(r.created_at),
      lastLoginAt: r.last_login_at === null ? null : new Date(r.last_login_at),
    }));
  }

  async findByName(username: string): Promise<UserListing | null> {
    return (await this.list()).find((u) => u.username === username) ?? null;
  }

  /** Inserts a user; null when the name is taken (the unique key decides, so two requests cannot both win). */
  async insert(username: string, passwordHash: string, role: UserRole, mustChangePassword: boolean): Promise<number | null> {
    const [res] = await this.pool.query<ResultSetHeader>(
      'INSERT IGNORE INTO users (username, password_hash, role, must_change_password) VALUES (?, ?, ?, ?)',
      [username, passwordHash, role, mustChangePassword ? 1 : 0]);
    return res.affectedRows === 1 ? res.insertId : null;
  }

  /** Creates the user unless the name exists; true when created. Safe when two processes race. */
  async createIfMissing(username: string, password: string, role: UserRole, opts: { mustChangePassword?: boolean } = {}): Promise<boolean> {
    return (await this.insert(username, await hashPassword(password), role, opts.mustChangePassword === true)) !== null;
  }

  async setRole(id: number, role: UserRole): Promise<boolean> {
    const [res] = await this.pool.query<ResultSetHeader>('UPDATE users SET role = ? WHERE id = ?', [role, id]);
    return res.affectedRows === 1;
  }

  /** Deactivating also ends the user's sessions, in the same statement. */
  async setActive(id: number, active: boolean, now: number): Promise<boolean> {
    const [res] = await this.pool.query<ResultSetHeader>(
      active ? 'UPDATE users SET active = 1 WHERE id = ?' : 'UPDATE users SET active = 0, sessions_valid_after = ? WHERE id = ?',
      active ? [id] : [now, id]);
    return res.affectedRows === 1;
  }

  /** A new hash; `endSessionsAt` also ends every session issued until then (a reset by an administrator). */
  async setPassword(id: number, passwordHash: string, mustChangePassword: boolean, endSessionsAt?: number): Promise<boolean> {
    const [res] = await this.pool.query<ResultSetHeader>(
      endSessionsAt === undefined
        ? 'UPDATE users SET password_hash = ?, must_change_password = ? WHERE id = ?'
        : 'UPDATE users SET password_hash = ?, must_change_password = ?, sessions_valid_after = ? WHERE id = ?',
      endSessionsAt === undefined ? [passwordHash, mustChangePassword ? 1 : 0, id] : [passwordHash, mustChangePassword ? 1 : 0, endSessionsAt, id]);
    return res.affectedRows === 1;
  }

  /** Replaces a hash made with older parameters, unless the password changed meanwhile. */
  async replaceHash(id: number, oldHash: string, newHash: string): Promise<void> {
    await this.pool.query('UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?', [newHash, id, oldHash]);
  }

  async endSessions(id: number, now: number): Promise<void> {
    await this.pool.query('UPDATE users SET sessions_valid_after = ? WHERE id = ?', [now, id]);
  }

  async countActiveAdmins(): Promise<number> {
    const [rows] = await this.pool.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND active = 1");
    return Number(rows[0]?.n ?? 0);
  }

  async recordLogin(id: number): Promise<void> {
    await this.pool.query('UPDATE users SET last_login_at = CURRENT_TIMESTAMP WHERE id = ?', [id]);
  }
}
