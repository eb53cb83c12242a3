// The Users page (administrators: create with a one-time password, roles, deactivate, reset) and
// the Account page (change your own password). Rules live in UserService; these parse and delegate.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BadRequestError } from '@enchilada/core';
import { notify } from '../plugins/pages.js';
import { MIN_PASSWORD_LENGTH } from '../users/passwords.js';
import { ROLES } from '../users/repository.js';
import type { UserService } from '../users/service.js';
import { signedIn } from '../plugins/guard.js';

export interface UserRouteOptions { readonly users: UserService }

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } as const;
const csrfOnly = { type: 'object', properties: { _csrf: { type: 'string' } } } as const;
type OneTime = { readonly username: string; readonly password: string; readonly why: string } | null;

export default async function userRoutes(app: FastifyInstance, opts: UserRouteOptions) {
  const { users } = opts;

  // The one-time password is on this answer only (no-store); the database keeps its hash.
  const usersPage = async (reply: FastifyReply, oneTime: OneTime, status = 200) =>
    reply.code(status).header('cache-control', 'no-store').page('users.ejs', { title: 'Users', active: 'users', people: await users.list(), roles: ROLES, oneTime });

  app.get('/users', { config: { admin: true } }, async (_req, reply) => usersPage(reply, null));

  app.post('/users', {
    config: { admin: true },
    schema: { body: { type: 'object', required: ['username', 'role'], properties: { username: { type: 'string', maxLength: 64 }, role: { type: 'string', maxLength: 16 }, _csrf: { type: 'string' } } } },
  }, async (req: FastifyRequest<{ Body: { username: string; role: string } }>, reply) => {
    const username = req.body.username.trim();
    const created = await users.create(username, req.body.role);
    req.log.info({ user: username, role: req.body.role, by: req.user?.username }, 'user created');
    return usersPage(reply, { username, password: created.password, why: 'created' }, 201);
  });

  app.post('/users/:id/role', {
    config: { admin: true },
    schema: { params: idParams, body: { type: 'object', required: ['role'], properties: { role: { type: 'string', maxLength: 16 }, _csrf: { type: 'string' } } } },
  }, async (req: FastifyRequest<{ Params: { id: number }; Body: { role: string } }>, reply) => {
    const u = await users.setRole(req.params.id, req.body.role);
    notify(reply, 'success', `${u.username} is now ${u.role === 'admin' ? 'an administrator' : `a${u.role === 'editor' ? 'n' : ''} ${u.role}`}.`);
    return reply.redirect('/users', 303);
  });

  app.post('/users/:id/deactivate', { config: { admin: true }, schema: { params: idParams, body: csrfOnly } }, async (req: FastifyRequest<{ Params: { id: number } }>, reply) => {
    const u = await users.deactivate(req.params.id, signedIn(req));
    req.log.info({ user: u.username, by: req.user?.username }, 'user deactivated');
    notify(reply, 'success', `Deactivated ${u.username}: their sessions have ended.`);
    return reply.redirect('/users', 303);
  });

  app.post('/users/:id/reactivate', { config: { admin: true }, schema: { params: idParams, body: csrfOnly } }, async (req: FastifyRequest<{ Params: { id: number } }>, reply) => {
    const u = await users.reactivate(req.params.id);
    notify(reply, 'success', `Reactivated ${u.username}.`);
    return reply.redirect('/users', 303);
  });

  app.post('/users/:id/reset', { config: { admin: true }, schema: { params: idParams, body: csrfOnly } }, async (req: FastifyRequest<{ Params: { id: number } }>, reply) => {
    const { user, password } = await users.resetPassword(req.params.id);
    req.log.info({ user: user.username, by: req.user?.username }, 'password reset');
    return usersPage(reply, { username: user.username, password, why: 'reset' });
  });

  const accountPage = (reply: FastifyReply, req: FastifyRequest, error: { message: string; field?: string } | null, status = 200) =>
    reply.code(status).page('account.ejs', { title: 'Account', active: 'account', error, minLength: MIN_PASSWORD_LENGTH, mustChange: req.user?.mustChangePassword === true });

  app.get('/account', { config: { beforePasswordChange: true } }, async (req, reply) => accountPage(reply, req, null));

  app.post('/account/password', {
    // A viewer changes their own password too; it is how a one-time password is replaced.
    config: { anyRole: true, beforePasswordChange: true },
    schema: {
      body: {
        type: 'object', required: ['current', 'password', 'repeat'],
        properties: { current: { type: 'string', maxLength: 1024 }, password: { type: 'string', maxLength: 1024 }, repeat: { type: 'string', maxLength: 1024 }, _csrf: { type: 'string' } },
      },
    },
  }, async (req: FastifyRequest<{ Body: { current: string; password: string; repeat: string } }>, reply) => {
    try {
      if (req.body.password !== req.body.repeat) throw new BadRequestError('the two new passwords differ', 'repeat');
      await users.changePassword(signedIn(req).id, req.body.current, req.body.password);
    } catch (err) {
      if (err instanceof BadRequestError) return accountPage(reply, req, { message: err.message, field: err.field }, 400);
      throw err;
    }
    req.log.info({ user: req.user?.username }, 'password changed');
    // The change ended every session of this user; this browser gets a new one (and a new CSRF secret).
    await req.logIn({ ...signedIn(req), mustChangePassword: false });
    notify(reply, 'success', 'Your password has been changed; your other sessions have ended.');
    return reply.redirect('/', 303);
  });
}
