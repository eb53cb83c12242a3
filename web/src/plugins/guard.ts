// Every route needs a signed-in user unless it says `config: { public: true }`; every state-changing
// request needs a CSRF token and a role that may change things. Pages redirect to sign-in, JSON
// routes answer 401; a viewer's change answers 403 whatever the route.
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest, PassportUser } from 'fastify';
import { ForbiddenError, UnauthorizedError } from '@enchilada/core';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without signing in (sign-in page, health checks, static files). */
    public?: boolean;
    /** Only for administrators. */
    admin?: boolean;
    /** A state-changing request a viewer may make too: it changes only their own session or password. */
    anyRole?: boolean;
    /** Reachable before a one-time password has been changed (the Account page, sign-out). */
    beforePasswordChange?: boolean;
    /** A public POST that changes nothing and reads no session (the wrong-port /predict): no CSRF token needed. */
    csrfExempt?: boolean;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const VIEWER_REFUSAL = 'viewers can look but not change anything: ask an administrator for the editor role';
export const PASSWORD_FIRST = 'you signed in with a one-time password: choose your own on the Account page first';

export function wantsHtml(req: FastifyRequest): boolean {
  return (
    req.method === 'GET' &&
    !req.url.startsWith('/api/') &&
    !req.url.startsWith('/viz/') &&
    (req.headers.accept ?? '').includes('text/html')
  );
}

/** The signed-in user of a route the guard let through (any route not `public`): asserted once, here. */
export function signedIn(req: FastifyRequest): PassportUser {
  if (!req.user) throw new UnauthorizedError();
  return req.user;
}

export default fp(async function guard(app: FastifyInstance) {
  // preValidation runs after passport has read the session and before schemas are checked, so an
  // anonymous request learns nothing about a route's parameters.
  app.addHook('preValidation', async (req, reply) => {
    const config = req.routeOptions.config;
    // Authenticated responses must never be served from the browser's cache (back button after sign-out).
    if (!config.public) reply.header('cache-control', 'no-store');
    if (config.public) return;
    if (!req.user) {
      if (wantsHtml(req)) {
        const next = encodeURIComponent(req.url);
        return reply.redirect(`/login?next=${next}`);
      }
      throw new UnauthorizedError();
    }
    if (req.user.mustChangePassword && !config.beforePasswordChange) {
      if (wantsHtml(req)) return reply.redirect('/account');
      throw new ForbiddenError(PASSWORD_FIRST);
    }
    if (config.admin && req.user.role !== 'admin') throw new ForbiddenError('administrators only');
    if (UNSAFE.has(req.method) && req.user.role === 'viewer' && !config.anyRole)
      throw new ForbiddenError(VIEWER_REFUSAL);
  });
  app.addHook('preValidation', async (req, reply) => {
    const config = req.routeOptions.config;
    if (UNSAFE.has(req.method) && !(config.public && config.csrfExempt)) {
      await new Promise<void>((resolve, reject) => {
        app.csrfProtection(req, reply, (err?: Error) => (err ? reject(err) : resolve()));
      });
    }
  });
});
