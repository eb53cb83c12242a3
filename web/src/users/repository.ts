// The users table: the only module that writes SQL for it.
import type { Pool, ResultSetHeader, RowDataPacket } from '@enchilada/core';
import { hashPassword } from './passwords.js';

export type UserRole = 'admin' | 'user';
export interface User { readonly id: number; readonly username: string; readonly role: UserRole }
export interface UserWithHash extends User { readonly passwordHash: string }

const toUser = (r: RowDataPacket): User => ({ id: Number(r.id), username: String(r.username), role: r.role === 'admin' ? 'admin' : 'user' });

export class UserRepository {
  constructor(private readonly pool: Pool) {}

  async findActiveById(id: number): Promise<User | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT id, username, role FROM users WHERE id = ? AND active = 1', [id]);
    return rows.length ? toUser(rows[0]) : null;
  }

  async findActiveByName(username: string): Promise<UserWithHash | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT id, username, role, password_hash FROM users WHERE username = ? AND active = 1', [username]);
    return rows.length ? { ...toUser(rows[0]), passwordHash: String(rows[0].password_hash) } : null;
  }

  /** Creates the user unless the name exists; true when created. Safe when two processes race. */
  async createIfMissing(username: string, password: string, role: UserRole): Promise<boolean> {
    const hash = await hashPassword(password);
    const [res] = await this.pool.query<ResultSetHeader>(
      'INSERT IGNORE INTO users (username, password_hash, role) VALUES (?, ?, ?)', [username, hash, role]);
    return res.affectedRows === 1;
  }

  async recordLogin(id: number): Promise<void> {
    await this.pool.query('UPDATE users SET last_login_at = CURRENT_TIMESTAMP WHERE id = ?', [id]);
  }
}
