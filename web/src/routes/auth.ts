// Sign-in and sign-out pages.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { User, UserService } from '@enchilada/users';

export interface AuthRouteOptions {
  readonly users: UserService;
  readonly rateLimit: { readonly max: number; readonly windowMs: number };
}

/** Only same-site paths may be a target after sign-in (no open redirect). */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) ? next : '/';
}

const isUser = (u: unknown): u is User => typeof u === 'object' && u !== null && typeof (u as User).id === 'number';

const loginBody = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
  next: Type.Optional(Type.String({ maxLength: 2048 })),
  _csrf: Type.Optional(Type.String()),
});
const loginQuery = Type.Object({ next: Type.Optional(Type.String({ maxLength: 2048 })) });

export default async function authRoutes(instance: FastifyInstance, opts: AuthRouteOptions) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const render = (reply: FastifyReply, status: number, vars: { error?: string; username?: string; next?: string }) =>
    reply
      .code(status)
      .header('cache-control', 'no-store')
      .view('login.ejs', {
        title: 'Sign in',
        csrfToken: reply.generateCsrf(),
        error: vars.error ?? null,
        username: vars.username ?? '',
        next: safeNext(vars.next),
      });

  app.get(
    '/login',
    {
      config: { public: true },
      schema: { querystring: loginQuery },
    },
    async (req, reply) => {
      if (req.user) return reply.redirect(safeNext(req.query.next));
      return render(reply, 200, { next: req.query.next });
    },
  );

  app.post(
    '/login',
    {
      config: { public: true, rateLimit: { max: opts.rateLimit.max, timeWindow: opts.rateLimit.windowMs } },
      schema: { body: loginBody },
      attachValidation: true,
    },
    async (req, reply) => {
      const body = req.body ?? {};
      if (req.validationError)
        return render(reply, 400, {
          error: 'Enter your user name and password.',
          username: body.username,
          next: body.next,
        });
      const handler = app.passport.authenticate(
        'local',
        async (request: FastifyRequest, _reply: FastifyReply, err: Error | null, user?: unknown) => {
          if (err) throw err;
          if (!isUser(user)) {
            await render(reply, 401, {
              error: 'Wrong user name or password.',
              username: body.username,
              next: body.next,
            });
            return;
          }
          await request.logIn(user);
          await opts.users.recordLogin(user.id);
          req.log.info({ user: user.username }, 'signed in');
          // A one-time password (new user, reset, the bootstrap administrator) is replaced first.
          await reply.redirect(user.mustChangePassword ? '/account' : safeNext(body.next), 303);
        },
      );
      return handler.call(app, req, reply);
    },
  );

  app.post('/logout', { config: { public: true } }, async (req, reply) => {
    if (req.user) {
      // Ends every copy of the cookie (another tab, a stolen one), not only this browser's.
      await opts.users.endSessions(req.user.id);
      req.log.info({ user: req.user.username }, 'signed out');
      await req.logOut();
    }
    req.session.delete();
    return reply.redirect('/login', 303);
  });
}
