// Slow salted password hashes with Node's built-in scrypt (RFC 7914): no native add-on to build,
// and memory-hard. Stored as scrypt$N$r$p$salt$hash (base64) so parameters can grow later: a hash
// made with older parameters still verifies, and sign-in replaces it (see needsRehash).
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

// OWASP's minimum for scrypt (Password Storage Cheat Sheet): N=2^17, r=8, p=1 — 128 MiB a hash.
export const SCRYPT = Object.freeze({ N: 1 << 17, r: 8, p: 1 });
const KEYLEN = 32;
/** The shortest password a person may choose. */
export const MIN_PASSWORD_LENGTH = 12;

function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

// scrypt needs 128·N·r bytes; Node refuses anything above `maxmem` (32 MiB by default), so it is
// raised to twice that, which also bounds what a stored hash with absurd parameters could ask for.
const maxmem = (n: number, r: number) => 256 * n * r;

export async function hashPassword(password: string): Promise<string> {
  const { N, r, p } = SCRYPT;
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, { N, r, p, maxmem: maxmem(N, r) });
  return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, nText, rText, pText, saltText, keyText, ...rest] = stored.split('$');
  if (kind !== 'scrypt' || keyText === undefined || rest.length > 0) return false;
  const [n, r, p] = [Number(nText), Number(rText), Number(pText)];
  const salt = Buffer.from(saltText ?? '', 'base64');
  const expected = Buffer.from(keyText, 'base64');
  if (![n, r, p].every(Number.isInteger) || expected.length === 0) return false;
  // A stored hash's parameters are data: never let one ask for more work than today's settings.
  if (n > SCRYPT.N || r > SCRYPT.r || p > SCRYPT.p) return false;
  const key = await scrypt(password, salt, expected.length, { N: n, r, p, maxmem: maxmem(n, r) });
  return timingSafeEqual(key, expected);
}

/** True when a stored hash was made with other parameters than today's: replace it at sign-in. */
export function needsRehash(stored: string): boolean {
  const [kind, n, r, p] = stored.split('$');
  return kind !== 'scrypt' || Number(n) !== SCRYPT.N || Number(r) !== SCRYPT.r || Number(p) !== SCRYPT.p;
}

/** A one-time password: 15 random bytes as 20 URL-safe characters (120 bits), shown once. */
export function oneTimePassword(): string {
  return randomBytes(15).toString('base64url');
}

/** Why a password a person chose is refused, or null when it is acceptable. */
export function passwordProblem(password: string): string | null {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `a password needs at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > 1024) return 'a password can have at most 1024 characters';
  return null;
}

/** A hash to compare against when the user does not exist, so timing does not reveal which names exist. */
export const DUMMY_HASH = `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=`;
