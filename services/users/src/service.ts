// The rules about people: who may sign in, creating users with one-time passwords, roles,
// deactivation, password changes and resets. Routes and the CLI parse and call this; SQL stays in
// the repository.
import { createHash, randomBytes } from 'node:crypto';
import { BadRequestError, ConflictError, ForbiddenError, HttpError, NotFoundError } from '@enchilada/core';
import {
  DUMMY_HASH,
  hashPassword,
  needsRehash,
  oneTimePassword,
  passwordProblem,
  verifyPassword,
} from './passwords.js';
import {
  invitationState,
  isRole,
  type Invitation,
  type InvitationState,
  type SessionUser,
  type User,
  type UserListing,
  type UserRepository,
  type UserRole,
} from './repository.js';

export const USERNAME = /^[A-Za-z0-9_.@-]{1,64}$/;
/** How long an invitation link works. */
export const INVITATION_HOURS = 72;
/** An invitation token: 32 random bytes, base64url. */
export const INVITATION_TOKEN = /^[A-Za-z0-9_-]{43}$/;

// 256 random bits: a plain SHA-256 is enough at rest, as for API keys; no slow hash is needed
// against guessing, and the link's token never reaches the database.
const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/** An invitation link that cannot be used: its page says why (404 unknown, 410 used, revoked or expired). */
export class InvitationUnusableError extends HttpError {
  constructor(
    readonly state: InvitationState | 'unknown',
    readonly username: string | null,
  ) {
    super(state === 'unknown' ? 404 : 410, INVITATION_PROBLEM[state]);
  }
}

export const INVITATION_PROBLEM: Readonly<Record<InvitationState | 'unknown', string>> = {
  pending: 'this invitation can be used',
  unknown: 'this invitation link is not known: check that it was copied whole, or ask an administrator for a new one',
  used: 'this invitation has been used already: sign in with the password chosen then',
  revoked: 'this invitation was revoked by an administrator: ask them for a new one',
  expired: `this invitation has expired (a link works for ${INVITATION_HOURS} hours): ask an administrator for a new one`,
};

/** The moment a session was issued, as stored in its cookie. */
export interface SessionStamp {
  readonly id: number;
  readonly at: number;
}

export class UserService {
  constructor(
    private readonly users: UserRepository,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The user for a name and password, or null; a hash made with older parameters is replaced. */
  async authenticate(username: string, password: string): Promise<User | null> {
    const user = await this.users.findActiveByName(username);
    // Always hash once, so a wrong name takes as long as a wrong password.
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok) return null;
    if (needsRehash(user.passwordHash))
      await this.users.replaceHash(user.id, user.passwordHash, await hashPassword(password));
    return { id: user.id, username: user.username, role: user.role, mustChangePassword: user.mustChangePassword };
  }

  /**
   * The user a session cookie stands for, or null when the session has ended: the user is gone or
   * deactivated, signed out (or was reset) after the cookie was issued, or the cookie is older than
   * the absolute lifetime.
   */
  async sessionUser(stamp: SessionStamp, maxAgeMs: number): Promise<User | null> {
    const now = this.clock();
    if (!(stamp.at <= now && now - stamp.at < maxAgeMs)) return null;
    const user: SessionUser | null = await this.users.findActiveById(stamp.id);
    if (!user || (user.sessionsValidAfter !== null && stamp.at <= user.sessionsValidAfter)) return null;
    return { id: user.id, username: user.username, role: user.role, mustChangePassword: user.mustChangePassword };
  }

  /**
   * The first administrator, from the database password (the compose file's MySQL user): asked to
   * choose their own password at first sign-in, so the web and database passwords part ways.
   * True when created; a later start finds the name taken and changes nothing.
   */
  async bootstrapAdmin(username: string, databasePassword: string): Promise<boolean> {
    return (await this.users.insert(username, await hashPassword(databasePassword), 'admin', true)) !== null;
  }

  /** Sign-out: every session of this user ends, on every device and replica. */
  async endSessions(id: number): Promise<void> {
    await this.users.endSessions(id, this.clock());
  }

  recordLogin(id: number): Promise<void> {
    return this.users.recordLogin(id);
  }

  list(): Promise<UserListing[]> {
    return this.users.list();
  }

  /** Creates a user with a one-time password, returned once, which they must change at first sign-in. */
  async create(username: string, role: unknown): Promise<{ id: number; password: string }> {
    if (!USERNAME.test(username)) throw new BadRequestError('a user name is 1–64 letters, digits or _.@-', 'username');
    const r = this.role(role);
    const password = oneTimePassword();
    const id = await this.users.insert(username, await hashPassword(password), r, true);
    if (id === null) throw new ConflictError(`a user named "${username}" exists already`);
    return { id, password };
  }

  /**
   * Creates an inactive user and an invitation link's token, returned once (only its hash is
   * stored); the person chooses their password through the link, which activates the account.
   */
  async invite(username: string, role: unknown, actor?: User): Promise<{ id: number; token: string; expiresAt: Date }> {
    if (!USERNAME.test(username)) throw new BadRequestError('a user name is 1–64 letters, digits or _.@-', 'username');
    const r = this.role(role);
    const token = randomBytes(32).toString('base64url');
    const expiresAt = this.clock() + INVITATION_HOURS * 3600_000;
    const id = await this.users.insertInvited(username, r, tokenHash(token), expiresAt, actor?.id ?? null);
    if (id === null) throw new ConflictError(`a user named "${username}" exists already`);
    return { id, token, expiresAt: new Date(expiresAt) };
  }

  /** The pending invitation a link stands for; throws InvitationUnusableError saying why not. */
  async invitation(token: string): Promise<Invitation> {
    const inv = INVITATION_TOKEN.test(token) ? await this.users.invitationByHash(tokenHash(token)) : null;
    if (!inv) throw new InvitationUnusableError('unknown', null);
    const state = invitationState(inv, this.clock());
    if (state !== 'pending') throw new InvitationUnusableError(state, inv.username);
    return inv;
  }

  /** Sets the invited person's password (the rules of every password) and activates them, once. */
  async acceptInvitation(token: string, password: string, repeat: string): Promise<User> {
    await this.invitation(token);
    const problem = passwordProblem(password);
    if (problem) throw new BadRequestError(problem, 'password');
    if (password !== repeat) throw new BadRequestError('the two passwords differ', 'repeat');
    const r = await this.users.acceptInvitation(tokenHash(token), await hashPassword(password), this.clock());
    if (!r.user) throw new InvitationUnusableError(r.state === 'pending' ? 'revoked' : r.state, null);
    return r.user;
  }

  /** Invitations not yet used nor revoked, with their state (pending or expired). */
  async openInvitations(): Promise<(Invitation & { state: InvitationState })[]> {
    const now = this.clock();
    return (await this.users.openInvitations()).map((i) => ({ ...i, state: invitationState(i, now) }));
  }

  async revokeInvitation(id: number): Promise<Invitation> {
    const inv = await this.users.revokeInvitation(id);
    if (!inv) throw new NotFoundError('there is no such open invitation (used or revoked already?)');
    return inv;
  }

  async setRole(id: number, role: unknown): Promise<UserListing> {
    const r = this.role(role);
    const target = await this.existing(id);
    if (target.role === 'admin' && r !== 'admin' && target.active)
      await this.keepAnAdmin('take the administrator role from');
    await this.users.setRole(id, r);
    return { ...target, role: r };
  }

  /** `actor` is the administrator asking; the CLI (an operator with shell access) has none. */
  async deactivate(id: number, actor?: User): Promise<UserListing> {
    const target = await this.existing(id);
    if (actor && target.id === actor.id)
      throw new ForbiddenError('you cannot deactivate yourself: ask another administrator');
    if (target.role === 'admin' && target.active) await this.keepAnAdmin('deactivate');
    await this.users.setActive(id, false, this.clock());
    return { ...target, active: false };
  }

  async reactivate(id: number): Promise<UserListing> {
    const target = await this.existing(id);
    await this.users.setActive(id, true, this.clock());
    return { ...target, active: true };
  }

  /** A new one-time password, returned once; the user's sessions end and they must change it at sign-in. */
  async resetPassword(id: number): Promise<{ user: UserListing; password: string }> {
    const target = await this.existing(id);
    const password = oneTimePassword();
    await this.users.setPassword(id, await hashPassword(password), true, this.clock());
    return { user: target, password };
  }

  /**
   * A person changes their own password: the current one is required, the new one must be
   * acceptable and new. Their other sessions end.
   */
  async changePassword(id: number, current: string, next: string): Promise<void> {
    const user = await this.users.findWithHash(id);
    if (!user) throw new NotFoundError('there is no such user');
    if (!(await verifyPassword(current, user.passwordHash)))
      throw new BadRequestError('the current password is not right', 'current');
    const problem = passwordProblem(next);
    if (problem) throw new BadRequestError(problem, 'password');
    if (next === current) throw new BadRequestError('choose a password other than the current one', 'password');
    // Every other session of this user ends (a thief's copy of the cookie, an old tab); the caller
    // signs this browser in again, and its new session, issued from now on, is after the stamp.
    await this.users.setPassword(id, await hashPassword(next), false, this.clock() - 1);
  }

  /** The CLI's way in: by name, since ids are not what an operator knows. */
  async idOf(username: string): Promise<number> {
    const u = await this.users.findByName(username);
    if (!u) throw new NotFoundError(`there is no user named "${username}"`);
    return u.id;
  }

  private role(role: unknown): UserRole {
    if (!isRole(role)) throw new BadRequestError('a role is admin, editor or viewer', 'role');
    return role;
  }

  private async existing(id: number): Promise<UserListing> {
    const u = (await this.users.list()).find((x) => x.id === id);
    if (!u) throw new NotFoundError('there is no such user');
    return u;
  }

  // Nobody could manage people any more (but the CLI); refuse rather than lock the team out.
  private async keepAnAdmin(what: string): Promise<void> {
    if ((await this.users.countActiveAdmins()) <= 1)
      throw new ConflictError(`you cannot ${what} the last active administrator`);
  }
}
