// Every route needs a signed-in user unless it says `config: { public: true }`; every state-changing
// request needs a CSRF token. Pages redirect to sign-in, JSON routes answer 401.
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthorizedError } from '@enchilada/core';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without signing in (sign-in page, health checks, static files). */
    public?: boolean;
    /** Only for administrators. */
    admin?: boolean;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function wantsHtml(req: FastifyRequest): boolean {
  return req.method === 'GET' && !req.url.startsWith('/api/') && !req.url.startsWith('/viz/') && (req.headers.accept ?? '').includes('text/html');
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
    if (config.admin && req.user.role !== 'admin') throw new ForbiddenError('administrators only');
  });
  app.addHook('preValidation', async (req, reply) => {
    if (UNSAFE.has(req.method)) {
      await new Promise<void>((resolve, reject) => {
        app.csrfProtection(req, reply, (err?: Error) => (err ? reject(err) : resolve()));
      });
    }
  });
});
