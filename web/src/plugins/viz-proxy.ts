// /viz/* is proxied to the viz service so the browser talks to one origin. web checks the session,
// mints a short token naming the one document asked for, and sends it in the Authorization header;
// the browser's cookies never reach viz.
import replyFrom from '@fastify/reply-from';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { documentClaim as claimOf, signVizToken, type Secret } from '@enchilada/core';
import { MODEL_NAME } from '@enchilada/models';

export interface VizProxyOptions {
  readonly vizUrl: string;
  readonly vizKey: Secret;
}

/** The document claim a viz path needs; viz derives the same string from the request it gets. */
export function documentClaim(path: string, query: Record<string, unknown>): string | null {
  return claimOf(path, query, (name) => MODEL_NAME.test(name));
}

export default async function vizProxy(app: FastifyInstance, opts: VizProxyOptions) {
  await app.register(replyFrom, { base: opts.vizUrl, http: { requestOptions: { timeout: 60_000 } } });

  app.get(
    '/viz/*',
    {
      schema: { params: { type: 'object', properties: { '*': { type: 'string', maxLength: 200 } } } },
    },
    async (req: FastifyRequest<{ Params: { '*': string }; Querystring: Record<string, unknown> }>, reply) => {
      const path = '/' + req.params['*'];
      const doc = documentClaim(path, req.query);
      if (!doc || !req.user) return reply.code(404).send({ message: 'no such document' });
      const token = signVizToken({ sub: req.user.username, doc, role: req.user.role }, opts.vizKey, 300);
      const qs = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
      return reply.from(path + qs, {
        rewriteRequestHeaders: (_r, headers) => {
          const { cookie: _c, 'x-csrf-token': _x, ...rest } = headers;
          return { ...rest, authorization: `Bearer ${token}` };
        },
        onError: (rep, { error }) => {
          req.log.warn({ err: error }, 'viz unavailable');
          rep.code(503).send({ message: 'The visualisation service is unavailable. Try again in a moment.' });
        },
      });
    },
  );
}
