// The users and invitations tables: the only module that writes SQL for them.
import { firstRow, withTransaction, type Pool, type ResultSetHeader, type RowDataPacket } from '@enchilada/core';
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
export interface UserWithHash extends User {
  readonly passwordHash: string;
}
/** What the session check needs: sessions issued at or before this instant (ms) are ended. */
export interface SessionUser extends User {
  readonly sessionsValidAfter: number | null;
}
export interface UserListing extends User {
  readonly active: boolean;
  /** Created by an invitation not yet accepted: inactive, with no password anyone could know. */
  readonly invited: boolean;
  readonly createdAt: Date;
  readonly lastLoginAt: Date | null;
}

// An unknown role in the table (edited by hand) gets the least rights, not an error on every page.
const toUser = (r: RowDataPacket): User => ({
  id: Number(r.id),
  username: String(r.username),
  role: isRole(r.role) ? r.role : 'viewer',
  mustChangePassword: Number(r.must_change_password) === 1,
});
const withHash = (r: RowDataPacket | undefined): UserWithHash | null =>
  r ? { ...toUser(r), passwordHash: String(r.password_hash) } : null;
const COLS = 'id, username, role, must_change_password';

/**
 * The password_hash of a user created by an invitation until they choose a password: not a scrypt
 * hash, so verifyPassword refuses every password against it.
 */
export const INVITED_HASH = '!invited';

export type InvitationState = 'pending' | 'used' | 'revoked' | 'expired';

export interface Invitation {
  readonly id: number;
  /** The invited user; null once a revocation removed them. */
  readonly userId: number | null;
  readonly username: string;
  readonly role: UserRole | null;
  readonly createdAt: Date;
  readonly createdByName: string | null;
  /** ms since the epoch (web's clock). */
  readonly expiresAt: number;
  readonly usedAt: Date | null;
  readonly revokedAt: Date | null;
}

/** What a link can still do at `now`. */
export function invitationState(inv: Invitation, now: number): InvitationState {
  if (inv.usedAt) return 'used';
  if (inv.revokedAt) return 'revoked';
  return now >= inv.expiresAt ? 'expired' : 'pending';
}

const INVITATION = `i.id, i.user_id, i.username, u.role, i.created_at, c.username AS created_by_name, i.expires_at, i.used_at, i.revoked_at
  FROM invitations i LEFT JOIN users u ON u.id = i.user_id LEFT JOIN users c ON c.id = i.created_by`;
const toInvitation = (r: RowDataPacket): Invitation => ({
  id: Number(r.id),
  userId: r.user_id === null ? null : Number(r.user_id),
  username: String(r.username),
  role: r.role === null ? null : isRole(r.role) ? r.role : 'viewer',
  createdAt: new Date(r.created_at),
  createdByName: r.created_by_name === null ? null : String(r.created_by_name),
  expiresAt: Number(r.expires_at),
  usedAt: r.used_at === null ? null : new Date(r.used_at),
  revokedAt: r.revoked_at === null ? null : new Date(r.revoked_at),
});

export class UserRepository {
  constructor(private readonly pool: Pool) {}

  async findActiveById(id: number): Promise<SessionUser | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT ${COLS}, sessions_valid_after FROM users WHERE id = ? AND active = 1`,
      [id],
    );
    const row = rows[0];
    if (!row) return null;
    const after = row.sessions_valid_after;
    return { ...toUser(row), sessionsValidAfter: after === null ? null : Number(after) };
  }

  async findActiveByName(username: string): Promise<UserWithHash | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT ${COLS}, password_hash FROM users WHERE username = ? AND active = 1`,
      [username],
    );
    return withHash(rows[0]);
  }

  async findWithHash(id: number): Promise<UserWithHash | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>(`SELECT ${COLS}, password_hash FROM users WHERE id = ?`, [
      id,
    ]);
    return withHash(rows[0]);
  }

  async list(): Promise<UserListing[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT ${COLS}, active, password_hash = ? AS invited, created_at, last_login_at FROM users ORDER BY username`,
      [INVITED_HASH],
    );
    return rows.map((r) => ({
      ...toUser(r),
      active: Number(r.active) === 1,
      invited: Number(r.invited) === 1 && Number(r.active) === 0,
      createdAt: new Date(r.created_at),
      lastLoginAt: r.last_login_at === null ? null : new Date(r.last_login_at),
    }));
  }

  async findByName(username: string): Promise<UserListing | null> {
    return (await this.list()).find((u) => u.username === username) ?? null;
  }

  /** Inserts a user; null when the name is taken (the unique key decides, so two requests cannot both win). */
  async insert(
    username: string,
    passwordHash: string,
    role: UserRole,
    mustChangePassword: boolean,
  ): Promise<number | null> {
    const [res] = await this.pool.query<ResultSetHeader>(
      'INSERT IGNORE INTO users (username, password_hash, role, must_change_password) VALUES (?, ?, ?, ?)',
      [username, passwordHash, role, mustChangePassword ? 1 : 0],
    );
    return res.affectedRows === 1 ? res.insertId : null;
  }

  /** Creates the user unless the name exists; true when created. Safe when two processes race. */
  async createIfMissing(
    username: string,
    password: string,
    role: UserRole,
    opts: { mustChangePassword?: boolean } = {},
  ): Promise<boolean> {
    return (await this.insert(username, await hashPassword(password), role, opts.mustChangePassword === true)) !== null;
  }

  async setRole(id: number, role: UserRole): Promise<boolean> {
    const [res] = await this.pool.query<ResultSetHeader>('UPDATE users SET role = ? WHERE id = ?', [role, id]);
    return res.affectedRows === 1;
  }

  /** Deactivating also ends the user's sessions, in the same statement. */
  async setActive(id: number, active: boolean, now: number): Promise<boolean> {
    const [res] = await this.pool.query<ResultSetHeader>(
      active
        ? 'UPDATE users SET active = 1 WHERE id = ?'
        : 'UPDATE users SET active = 0, sessions_valid_after = ? WHERE id = ?',
      active ? [id] : [now, id],
    );
    return res.affectedRows === 1;
  }

  /** A new hash; `endSessionsAt` also ends every session issued until then (a reset by an administrator). */
  async setPassword(
    id: number,
    passwordHash: string,
    mustChangePassword: boolean,
    endSessionsAt?: number,
  ): Promise<boolean> {
    const [res] = await this.pool.query<ResultSetHeader>(
      endSessionsAt === undefined
        ? 'UPDATE users SET password_hash = ?, must_change_password = ? WHERE id = ?'
        : 'UPDATE users SET password_hash = ?, must_change_password = ?, sessions_valid_after = ? WHERE id = ?',
      endSessionsAt === undefined
        ? [passwordHash, mustChangePassword ? 1 : 0, id]
        : [passwordHash, mustChangePassword ? 1 : 0, endSessionsAt, id],
    );
    return res.affectedRows === 1;
  }

  /** Replaces a hash made with older parameters, unless the password changed meanwhile. */
  async replaceHash(id: number, oldHash: string, newHash: string): Promise<void> {
    await this.pool.query('UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?', [
      newHash,
      id,
      oldHash,
    ]);
  }

  async endSessions(id: number, now: number): Promise<void> {
    await this.pool.query('UPDATE users SET sessions_valid_after = ? WHERE id = ?', [now, id]);
  }

  async countActiveAdmins(): Promise<number> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      "SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND active = 1",
    );
    return Number(rows[0]?.n ?? 0);
  }

  async recordLogin(id: number): Promise<void> {
    await this.pool.query('UPDATE users SET last_login_at = CURRENT_TIMESTAMP WHERE id = ?', [id]);
  }

  /**
   * An inactive user without a usable password and their invitation, in one transaction; null when
   * the name is taken (the unique key decides).
   */
  async insertInvited(
    username: string,
    role: UserRole,
    tokenHash: string,
    expiresAt: number,
    createdBy: number | null,
  ): Promise<number | null> {
    return withTransaction(this.pool, async (conn) => {
      const [user] = await conn.query<ResultSetHeader>(
        'INSERT IGNORE INTO users (username, password_hash, role, active, must_change_password) VALUES (?, ?, ?, 0, 0)',
        [username, INVITED_HASH, role],
      );
      if (user.affectedRows !== 1) return null;
      const [inv] = await conn.query<ResultSetHeader>(
        'INSERT INTO invitations (user_id, username, token_hash, created_by, expires_at) VALUES (?, ?, ?, ?, ?)',
        [user.insertId, username, tokenHash, createdBy, expiresAt],
      );
      return inv.insertId;
    });
  }

  async invitationByHash(tokenHash: string): Promise<Invitation | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>(`SELECT ${INVITATION} WHERE i.token_hash = ?`, [tokenHash]);
    const row = rows[0];
    return row ? toInvitation(row) : null;
  }

  /** Invitations neither used nor revoked (expired ones included: revoking them frees the name). */
  async openInvitations(): Promise<Invitation[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT ${INVITATION} WHERE i.used_at IS NULL AND i.revoked_at IS NULL ORDER BY i.id`,
    );
    return rows.map(toInvitation);
  }

  /**
   * Sets the invited user's password and activates them, if the invitation is still pending at
   * `now`, under the invitation's row lock so that a link works once however many tabs submit it.
   */
  async acceptInvitation(
    tokenHash: string,
    passwordHash: string,
    now: number,
  ): Promise<{ state: InvitationState | 'unknown'; user?: User }> {
    return withTransaction(this.pool, async (conn) => {
      const [rows] = await conn.query<RowDataPacket[]>(`SELECT ${INVITATION} WHERE i.token_hash = ? FOR UPDATE`, [
        tokenHash,
      ]);
      const row = rows[0];
      if (!row) return { state: 'unknown' };
      const inv = toInvitation(row);
      const state = invitationState(inv, now);
      if (state !== 'pending' || inv.userId === null) return { state: state === 'pending' ? 'revoked' : state };
      await conn.query('UPDATE users SET password_hash = ?, active = 1, must_change_password = 0 WHERE id = ?', [
        passwordHash,
        inv.userId,
      ]);
      await conn.query('UPDATE invitations SET used_at = CURRENT_TIMESTAMP(3) WHERE id = ?', [inv.id]);
      const [users] = await conn.query<RowDataPacket[]>(`SELECT ${COLS} FROM users WHERE id = ?`, [inv.userId]);
      return { state: 'pending', user: toUser(firstRow(users, `user ${inv.userId} just activated`)) };
    });
  }

  /**
   * Revokes an open invitation and removes its user, who never had a password (so the name is free
   * again); null when there is no such open invitation.
   */
  async revokeInvitation(id: number): Promise<Invitation | null> {
    return withTransaction(this.pool, async (conn) => {
      const [rows] = await conn.query<RowDataPacket[]>(
        `SELECT ${INVITATION} WHERE i.id = ? AND i.used_at IS NULL AND i.revoked_at IS NULL FOR UPDATE`,
        [id],
      );
      const row = rows[0];
      if (!row) return null;
      const inv = toInvitation(row);
      await conn.query('UPDATE invitations SET revoked_at = CURRENT_TIMESTAMP(3) WHERE id = ?', [id]);
      if (inv.userId !== null)
        await conn.query('DELETE FROM users WHERE id = ? AND active = 0 AND password_hash = ?', [
          inv.userId,
          INVITED_HASH,
        ]);
      return inv;
    });
  }
}
