// Stateless encrypted session cookie (@fastify/secure-session), sign-in with @fastify/passport's
// local strategy, and CSRF tokens kept in that session. The cookie holds the user's id and the
// instant it was issued; each request checks that instant against the user's "sessions valid
// after" stamp and the absolute lifetime, so sign-out and deactivation end every copy of a cookie.
import { createHash } from 'node:crypto';
import fp from 'fastify-plugin';
import secureSession from '@fastify/secure-session';
import csrf from '@fastify/csrf-protection';
import fastifyPassport from '@fastify/passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { FastifyInstance } from 'fastify';
import type { Secret } from '@enchilada/core';
import type { SessionStamp, User, UserService } from '@enchilada/users';

declare module 'fastify' {
  // Declaration merging: passport's user type is ours (an interface, so it merges; a type alias would not).
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface PassportUser extends User {}
  interface FastifyInstance {
    passport: InstanceType<typeof fastifyPassport.Authenticator>;
  }
}

export interface SessionOptions {
  readonly secretKey: Secret;
  readonly users: UserService;
  readonly maxAgeHours: number;
  readonly clock?: () => number;
}

export const SESSION_COOKIE = 'enchilada_session';

const isStamp = (v: unknown): v is SessionStamp =>
  typeof v === 'object' &&
  v !== null &&
  Number.isInteger((v as SessionStamp).id) &&
  Number.isFinite((v as SessionStamp).at);

export default fp(async function session(app: FastifyInstance, opts: SessionOptions) {
  const clock = opts.clock ?? Date.now;
  const maxAgeMs = opts.maxAgeHours * 3_600_000;
  // secure-session needs exactly 32 key bytes; derive them from the secret of any length.
  const key = createHash('sha256').update('enchilada-session\0').update(opts.secretKey.reveal()).digest();
  await app.register(secureSession, {
    key,
    cookieName: SESSION_COOKIE,
    // The cookie's own expiry is renewed while it is used; the absolute lifetime is the stamp's.
    expiry: opts.maxAgeHours * 3600,
    cookie: { path: '/', httpOnly: true, sameSite: 'lax', secure: 'auto' },
  });
  await app.register(csrf, { sessionPlugin: '@fastify/secure-session' });

  const passport = new fastifyPassport.Authenticator({ clearSessionOnLogin: true });
  passport.use(
    'local',
    new LocalStrategy({ usernameField: 'username', passwordField: 'password' }, (username, password, done) => {
      opts.users
        .authenticate(username, password)
        .then((user) => (user ? done(null, user) : done(null, false, { message: 'Wrong user name or password.' })))
        .catch((err: unknown) => done(err));
    }),
  );
  passport.registerUserSerializer(async (user: User): Promise<SessionStamp> => ({ id: user.id, at: clock() }));
  // Looked up again on every request: a removed, deactivated or signed-out user loses access at once.
  // Cookies of the earlier format (a bare id) carry no issue time and are refused: sign in again.
  passport.registerUserDeserializer(async (stored: unknown) =>
    isStamp(stored) ? opts.users.sessionUser(stored, maxAgeMs) : null,
  );
  await app.register(passport.initialize());
  await app.register(passport.secureSession());
  app.decorate('passport', passport);
});
