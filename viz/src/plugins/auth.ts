// viz trusts nobody: every request carries a token minted by web that names the document it may read.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { bearer, verifyVizToken, type Secret, type VizClaims } from '@enchilada/core';

declare module 'fastify' {
  interface FastifyRequest {
    claims?: VizClaims;
  }
  interface FastifyContextConfig {
    /** The claim this route needs, from the request (e.g. `eda:12`); absent = public route. */
    doc?: (req: FastifyRequest) => string;
  }
}

export default fp(async function vizAuth(app: FastifyInstance, opts: { key: Secret }) {
  app.addHook('onRequest', async (req) => {
    const docOf = req.routeOptions.config.doc;
    if (!docOf) return;
    req.claims = verifyVizToken(bearer(req.headers.authorization), opts.key, docOf(req));
  });
});
