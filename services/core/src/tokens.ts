// Tokens web mints for viz: HS256 with viz_secret_key, audience viz, subject = user, `doc` = the one
// document or job the bearer may touch, at most ten minutes.
import jwt from 'jsonwebtoken';
import type { Secret } from './secrets.js';
import { UnauthorizedError } from './errors.js';

export const VIZ_AUDIENCE = 'viz';
export const TOKEN_ISSUER = 'enchilada-web';
export const MAX_TOKEN_SECONDS = 600;

export interface VizClaims {
  readonly sub: string;
  readonly doc: string;
  readonly role?: string;
}

export function signVizToken(claims: VizClaims, key: Secret, ttlSeconds = 300): string {
  if (ttlSeconds <= 0 || ttlSeconds > MAX_TOKEN_SECONDS)
    throw new RangeError(`token lifetime must be 1–${MAX_TOKEN_SECONDS} s`);
  return jwt.sign({ doc: claims.doc, role: claims.role }, key.reveal(), {
    algorithm: 'HS256',
    audience: VIZ_AUDIENCE,
    issuer: TOKEN_ISSUER,
    subject: claims.sub,
    expiresIn: ttlSeconds,
  });
}

export class TokenError extends UnauthorizedError {
  constructor(message: string) {
    super(message);
    this.name = 'TokenError';
  }
}

/** Verifies a bearer token and that it names `doc`; throws TokenError (401) saying why not. */
export function verifyVizToken(token: string | undefined, key: Secret, doc: string): VizClaims {
  if (!token) throw new TokenError('missing token');
  let payload: string | jwt.JwtPayload;
  try {
    payload = jwt.verify(token, key.reveal(), { algorithms: ['HS256'], audience: VIZ_AUDIENCE, issuer: TOKEN_ISSUER });
  } catch (err) {
    if (err instanceof jwt.TokenExpiredError) throw new TokenError('token expired');
    if (err instanceof jwt.JsonWebTokenError && /audience/.test(err.message))
      throw new TokenError('token is for another audience');
    throw new TokenError('invalid token');
  }
  if (typeof payload === 'string' || typeof payload.sub !== 'string' || typeof payload.doc !== 'string') {
    throw new TokenError('token lacks its claims');
  }
  if (
    typeof payload.exp !== 'number' ||
    typeof payload.iat !== 'number' ||
    payload.exp - payload.iat > MAX_TOKEN_SECONDS
  ) {
    throw new TokenError('token lifetime exceeds ten minutes');
  }
  if (payload.doc !== doc) throw new TokenError(`token does not grant ${doc}`);
  return { sub: payload.sub, doc: payload.doc, role: typeof payload.role === 'string' ? payload.role : undefined };
}

/** The token from an `Authorization: Bearer …` header. */
export function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer ([A-Za-z0-9._-]+)$/.exec(header ?? '');
  return m ? m[1] : undefined;
}
