import {
  SCRYPT,
  hashPassword,
  needsRehash,
  oneTimePassword,
  passwordProblem,
  verifyPassword,
} from '../src/passwords.js';
import type { SessionUser, UserRepository } from '../src/repository.js';
import { UserService } from '../src/service.js';

jest.setTimeout(30_000);

describe('password hashes', () => {
  it("are scrypt at OWASP's minimum (N=2^17, r=8, p=1) and verify", async () => {
    const hash = await hashPassword('a good long password');
    expect(hash).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(SCRYPT).toEqual({ N: 131072, r: 8, p: 1 });
    expect(await verifyPassword('a good long password', hash)).toBe(true);
    expect(await verifyPassword('a good long passworD', hash)).toBe(false);
    expect(needsRehash(hash)).toBe(false);
  });

  it('ask for a rehash when made with older parameters', () => {
    expect(needsRehash('scrypt$32768$8$1$AAAA$AAAA')).toBe(true);
  });

  it("refuse a stored hash that asks for more work than today's parameters, without computing it", async () => {
    const t0 = Date.now();
    expect(
      await verifyPassword(
        'x',
        `scrypt$${1 << 22}$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=`,
      ),
    ).toBe(false);
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});

describe('chosen and one-time passwords', () => {
  it('refuses a password shorter than 12 characters', () => {
    expect(passwordProblem('elevenchars')).toBe('a password needs at least 12 characters');
    expect(passwordProblem('twelve chars')).toBeNull();
  });

  it('makes one-time passwords of 20 URL-safe characters, different each time', () => {
    const a = oneTimePassword();
    expect(a).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(oneTimePassword()).not.toBe(a);
  });
});

describe('UserService.sessionUser', () => {
  const user: SessionUser = {
    id: 7,
    username: 'u',
    role: 'editor',
    mustChangePassword: false,
    sessionsValidAfter: 1_000,
  };
  const repo = { findActiveById: async (id: number) => (id === 7 ? user : null) } as unknown as UserRepository;
  const hour = 3_600_000;

  it('accepts a session issued after the stamp and within the lifetime', async () => {
    expect(await new UserService(repo, () => 2_000 + hour).sessionUser({ id: 7, at: 2_000 }, 12 * hour)).toEqual(
      expect.objectContaining({ id: 7, role: 'editor' }),
    );
  });

  it('refuses a session issued at or before the stamp (signed out, deactivated, reset)', async () => {
    expect(await new UserService(repo, () => 5_000).sessionUser({ id: 7, at: 1_000 }, 12 * hour)).toBeNull();
  });

  it('refuses a session older than the absolute lifetime, and one from the future', async () => {
    expect(
      await new UserService(repo, () => 2_000 + 12 * hour).sessionUser({ id: 7, at: 2_000 }, 12 * hour),
    ).toBeNull();
    expect(await new UserService(repo, () => 2_000).sessionUser({ id: 7, at: 9_000 }, 12 * hour)).toBeNull();
  });

  it('refuses a session of a user who is gone or deactivated', async () => {
    expect(await new UserService(repo, () => 3_000).sessionUser({ id: 8, at: 2_000 }, 12 * hour)).toBeNull();
  });
});
