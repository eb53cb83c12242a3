// The Users page (administrators: create with a one-time password, roles, deactivate, reset) and
// the Account page (change your own password). Rules live in UserService; these parse and delegate.
// Each schema is also its request's type (TypeBox): what is validated is what the handler reads.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { BadRequestError } from '@enchilada/core';
import { notify } from '../plugins/pages.js';
import { InvitationUnusableError, MIN_PASSWORD_LENGTH, ROLES, type UserService } from '@enchilada/users';
import { signedIn } from '../plugins/guard.js';
import { idParams } from './schemas.js';

/** `publicUrl`: PUBLIC_URL, else links are made from the request's own address. */
export interface UserRouteOptions {
  readonly users: UserService;
  readonly publicUrl: string | null;
  /** The sign-in limit: a link's password form is another way to guess. */
  readonly rateLimit: { readonly max: number; readonly windowMs: number };
}

/** Every form posts its CSRF token beside its fields (checked by the CSRF hook, not here). */
const csrf = Type.Optional(Type.String());
const csrfOnly = Type.Object({ _csrf: csrf });
const role = Type.String({ maxLength: 16 });
const password = Type.String({ maxLength: 1024 });
const newUser = Type.Object({ username: Type.String({ maxLength: 64 }), role, _csrf: csrf });
type OneTime = { readonly username: string; readonly password: string; readonly why: string } | null;
type NewInvitation = { readonly username: string; readonly link: string; readonly expiresAt: Date } | null;
const tokenParams = Type.Object({ token: Type.String({ maxLength: 128 }) });

export default async function userRoutes(instance: FastifyInstance, opts: UserRouteOptions) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { users } = opts;

  // The one-time password or invitation link is on this answer only (no-store); the database keeps its hash.
  const usersPage = async (reply: FastifyReply, oneTime: OneTime, status = 200, invitation: NewInvitation = null) =>
    reply
      .code(status)
      .header('cache-control', 'no-store')
      .page('users.ejs', {
        title: 'Users',
        active: 'users',
        people: await users.list(),
        roles: ROLES,
        oneTime,
        invitation,
        invitations: await users.openInvitations(),
      });
  const linkBase = (req: FastifyRequest) => opts.publicUrl ?? `${req.protocol}://${req.host}`;

  app.get('/users', { config: { admin: true } }, async (_req, reply) => usersPage(reply, null));

  app.post(
    '/users',
    {
      config: { admin: true },
      schema: { body: newUser },
    },
    async (req, reply) => {
      const username = req.body.username.trim();
      const created = await users.create(username, req.body.role);
      req.log.info({ user: username, role: req.body.role, by: req.user?.username }, 'user created');
      return usersPage(reply, { username, password: created.password, why: 'created' }, 201);
    },
  );

  app.post(
    '/users/invitations',
    {
      config: { admin: true },
      schema: { body: newUser },
    },
    async (req, reply) => {
      const username = req.body.username.trim();
      const { token, expiresAt } = await users.invite(username, req.body.role, req.user);
      req.log.info({ user: username, role: req.body.role, by: req.user?.username }, 'user invited');
      return usersPage(reply, null, 201, { username, link: `${linkBase(req)}/invitations/${token}`, expiresAt });
    },
  );

  app.post(
    '/users/invitations/:id/revoke',
    { config: { admin: true }, schema: { params: idParams, body: csrfOnly } },
    async (req, reply) => {
      const inv = await users.revokeInvitation(req.params.id);
      req.log.info({ user: inv.username, by: req.user?.username }, 'invitation revoked');
      notify(
        reply,
        'success',
        `Revoked the invitation of ${inv.username}: the link no longer works, and the name is free again.`,
      );
      return reply.redirect('/users', 303);
    },
  );

  // The link's page, for someone not signed in: choose a password (the rules of every password),
  // which activates the account and signs them in. A link that cannot be used says why.
  const invitationPage = (
    reply: FastifyReply,
    status: number,
    vars: {
      token: string;
      username: string | null;
      problem: string | null;
      error: { message: string; field?: string } | null;
    },
  ) =>
    reply
      .code(status)
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .view('invitation.ejs', {
        title: 'Invitation',
        csrfToken: reply.generateCsrf(),
        minLength: MIN_PASSWORD_LENGTH,
        ...vars,
      });

  app.get('/invitations/:token', { config: { public: true }, schema: { params: tokenParams } }, async (req, reply) => {
    try {
      const inv = await users.invitation(req.params.token);
      return await invitationPage(reply, 200, {
        token: req.params.token,
        username: inv.username,
        problem: null,
        error: null,
      });
    } catch (err) {
      if (err instanceof InvitationUnusableError)
        return invitationPage(reply, err.statusCode, {
          token: '',
          username: err.username,
          problem: err.message,
          error: null,
        });
      throw err;
    }
  });

  app.post(
    '/invitations/:token',
    {
      config: { public: true, rateLimit: { max: opts.rateLimit.max, timeWindow: opts.rateLimit.windowMs } },
      schema: {
        params: tokenParams,
        body: Type.Object({ password, repeat: password, _csrf: csrf }),
      },
    },
    async (req, reply) => {
      let user;
      try {
        user = await users.acceptInvitation(req.params.token, req.body.password, req.body.repeat);
      } catch (err) {
        if (err instanceof InvitationUnusableError)
          return invitationPage(reply, err.statusCode, {
            token: '',
            username: err.username,
            problem: err.message,
            error: null,
          });
        if (err instanceof BadRequestError) {
          const inv = await users.invitation(req.params.token);
          return invitationPage(reply, 400, {
            token: req.params.token,
            username: inv.username,
            problem: null,
            error: { message: err.message, field: err.field },
          });
        }
        throw err;
      }
      // Whoever was signed in in this browser is replaced by the person who accepted.
      await req.logIn(user);
      await users.recordLogin(user.id);
      req.log.info({ user: user.username }, 'invitation accepted');
      notify(reply, 'success', `Welcome, ${user.username}: your password is set and you are signed in.`);
      return reply.redirect('/', 303);
    },
  );

  app.post(
    '/users/:id/role',
    {
      config: { admin: true },
      schema: { params: idParams, body: Type.Object({ role, _csrf: csrf }) },
    },
    async (req, reply) => {
      const u = await users.setRole(req.params.id, req.body.role);
      notify(
        reply,
        'success',
        `${u.username} is now ${u.role === 'admin' ? 'an administrator' : `a${u.role === 'editor' ? 'n' : ''} ${u.role}`}.`,
      );
      return reply.redirect('/users', 303);
    },
  );

  app.post(
    '/users/:id/deactivate',
    { config: { admin: true }, schema: { params: idParams, body: csrfOnly } },
    async (req, reply) => {
      const u = await users.deactivate(req.params.id, signedIn(req));
      req.log.info({ user: u.username, by: req.user?.username }, 'user deactivated');
      notify(reply, 'success', `Deactivated ${u.username}: their sessions have ended.`);
      return reply.redirect('/users', 303);
    },
  );

  app.post(
    '/users/:id/reactivate',
    { config: { admin: true }, schema: { params: idParams, body: csrfOnly } },
    async (req, reply) => {
      const u = await users.reactivate(req.params.id);
      notify(reply, 'success', `Reactivated ${u.username}.`);
      return reply.redirect('/users', 303);
    },
  );

  app.post(
    '/users/:id/reset',
    { config: { admin: true }, schema: { params: idParams, body: csrfOnly } },
    async (req, reply) => {
      const { user, password } = await users.resetPassword(req.params.id);
      req.log.info({ user: user.username, by: req.user?.username }, 'password reset');
      return usersPage(reply, { username: user.username, password, why: 'reset' });
    },
  );

  const accountPage = (
    reply: FastifyReply,
    req: FastifyRequest,
    error: { message: string; field?: string } | null,
    status = 200,
  ) =>
    reply.code(status).page('account.ejs', {
      title: 'Account',
      active: 'account',
      error,
      minLength: MIN_PASSWORD_LENGTH,
      mustChange: req.user?.mustChangePassword === true,
    });

  app.get('/account', { config: { beforePasswordChange: true } }, async (req, reply) => accountPage(reply, req, null));

  app.post(
    '/account/password',
    {
      // A viewer changes their own password too; it is how a one-time password is replaced.
      config: { anyRole: true, beforePasswordChange: true },
      schema: { body: Type.Object({ current: password, password, repeat: password, _csrf: csrf }) },
    },
    async (req, reply) => {
      try {
        if (req.body.password !== req.body.repeat) throw new BadRequestError('the two new passwords differ', 'repeat');
        await users.changePassword(signedIn(req).id, req.body.current, req.body.password);
      } catch (err) {
        if (err instanceof BadRequestError)
          return accountPage(reply, req, { message: err.message, field: err.field }, 400);
        throw err;
      }
      req.log.info({ user: req.user?.username }, 'password changed');
      // The change ended every session of this user; this browser gets a new one (and a new CSRF secret).
      await req.logIn({ ...signedIn(req), mustChangePassword: false });
      notify(reply, 'success', 'Your password has been changed; your other sessions have ended.');
      return reply.redirect('/', 303);
    },
  );
}
