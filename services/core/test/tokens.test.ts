import jwt from 'jsonwebtoken';
import { Secret, TokenError, bearer, signVizToken, verifyVizToken } from '../src/index.js';

const key = new Secret('viz-key-for-tests');
const other = new Secret('another-key');
const now = () => Math.floor(Date.now() / 1000);

describe('viz tokens', () => {
  it('accepts a fresh token for the document it names and returns its claims', () => {
    const t = signVizToken({ sub: 'alice', doc: 'overview', role: 'admin' }, key);
    expect(verifyVizToken(t, key, 'overview')).toEqual({ sub: 'alice', doc: 'overview', role: 'admin' });
  });

  it.each([
    ['missing', () => undefined, /missing token/],
    [
      'expired',
      () =>
        jwt.sign({ doc: 'overview' }, 'viz-key-for-tests', {
          algorithm: 'HS256',
          audience: 'viz',
          issuer: 'enchilada-web',
          subject: 'a',
          expiresIn: -10,
        }),
      /expired/,
    ],
    [
      'tampered',
      () => {
        const t = signVizToken({ sub: 'a', doc: 'overview' }, key);
        const [h, p, s] = t.split('.');
        const body = JSON.parse(Buffer.from(p ?? '', 'base64url').toString());
        body.doc = 'overview';
        body.sub = 'mallory';
        return [h, Buffer.from(JSON.stringify(body)).toString('base64url'), s].join('.');
      },
      /invalid token/,
    ],
    ['signed with another key', () => signVizToken({ sub: 'a', doc: 'overview' }, other), /invalid token/],
    [
      'for another audience',
      () =>
        jwt.sign({ doc: 'overview' }, 'viz-key-for-tests', {
          algorithm: 'HS256',
          audience: 'serve',
          issuer: 'enchilada-web',
          subject: 'a',
          expiresIn: 60,
        }),
      /another audience/,
    ],
    ['for another document', () => signVizToken({ sub: 'a', doc: 'eda:2' }, key), /does not grant overview/],
    [
      'unsigned (alg none)',
      () => jwt.sign({ doc: 'overview', aud: 'viz', iss: 'enchilada-web', sub: 'a' }, '', { algorithm: 'none' }),
      /invalid token/,
    ],
    [
      'living longer than ten minutes',
      () =>
        jwt.sign({ doc: 'overview', iat: now(), exp: now() + 3600 }, 'viz-key-for-tests', {
          algorithm: 'HS256',
          audience: 'viz',
          issuer: 'enchilada-web',
          subject: 'a',
        }),
      /ten minutes/,
    ],
  ])('refuses a token that is %s', (_name, make, message) => {
    expect(() => verifyVizToken(make(), key, 'overview')).toThrow(TokenError);
    expect(() => verifyVizToken(make(), key, 'overview')).toThrow(message);
  });

  it('refuses to mint a token living longer than ten minutes', () => {
    expect(() => signVizToken({ sub: 'a', doc: 'x' }, key, 601)).toThrow(RangeError);
  });

  it('reads only well-formed bearer headers', () => {
    expect(bearer('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearer('bearer abc')).toBeUndefined();
    expect(bearer('Basic abc')).toBeUndefined();
    expect(bearer(undefined)).toBeUndefined();
  });
});
