// Stateless encrypted session cookie (@fastify/secure-session), sign-in with @fastify/passport's
// local strategy, and CSRF tokens kept in that session.
import { createHash } from 'node:crypto';
import fp from 'fastify-plugin';
import secureSession from '@fastify/secure-session';
import csrf from '@fastify/csrf-protection';
import fastifyPassport from '@fastify/passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { FastifyInstance } from 'fastify';
import type { Secret } from '@enchilada/core';
import { DUMMY_HASH, verifyPassword } from '../users/passwords.js';
import type { User, UserRepository } from '../users/repository.js';

declare module 'fastify' {
  interface PassportUser extends User {}
  interface FastifyInstance { passport: InstanceType<typeof fastifyPassport.Authenticator> }
}

export interface SessionOptions {
  readonly secretKey: Secret;
  readonly users: UserRepository;
  readonly maxAgeSeconds?: number;
}

export const SESSION_COOKIE = 'enchilada_session';

export default fp(async function session(app: FastifyInstance, opts: SessionOptions) {
  // secure-session needs exactly 32 key bytes; derive them from the secret of any length.
  const key = createHash('sha256').update('enchilada-session\0').update(opts.secretKey.reveal()).digest();
  await app.register(secureSession, {
    key,
    cookieName: SESSION_COOKIE,
    expiry: opts.maxAgeSeconds ?? 8 * 3600,
    cookie: { path: '/', httpOnly: true, sameSite: 'lax', secure: 'auto' },
  });
  await app.register(csrf, { sessionPlugin: '@fastify/secure-session' });

  const passport = new fastifyPassport.Authenticator({ clearSessionOnLogin: true });
  passport.use('local', new LocalStrategy({ usernameField: 'username', passwordField: 'password' }, (username, password, done) => {
    opts.users.findActiveByName(username)
      .then(async (user) => {
        // Always hash once, so a wrong name takes as long as a wrong password.
        const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
        if (!user || !ok) return done(null, false, { message: 'Wrong user name or password.' });
        return done(null, { id: user.id, username: user.username, role: user.role });
      })
      .catch((err: unknown) => done(err));
  }));
  passport.registerUserSerializer(async (user: User) => user.id);
  // The user is looked up again on every request: a removed or deactivated user loses access at once.
  passport.registerUserDeserializer(async (id: unknown) => (typeof id === 'number' ? opts.users.findActiveById(id) : null));
  await app.register(passport.initialize());
  await app.register(passport.secureSession());
  app.decorate('passport', passport);
});
