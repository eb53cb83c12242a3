// Renders signed-in pages with what every page's layout needs: the user, a CSRF token for its
// forms, the dataset picker (all datasets and the session's current one) and a one-time notice.
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Catalog, Dataset } from '@enchilada/data';

declare module '@fastify/secure-session' {
  interface SessionData {
    dataset: number;
    notice: { kind: 'success' | 'danger' | 'info'; text: string };
  }
}

declare module 'fastify' {
  interface FastifyReply {
    page(template: string, vars: Record<string, unknown> & { title: string; active: string }): Promise<FastifyReply>;
  }
  interface FastifyRequest {
    currentDataset(): Promise<Dataset | null>;
  }
}

export default fp(async function pages(
  app: FastifyInstance,
  opts: { catalog: Catalog; banner?: () => Promise<readonly unknown[]> },
) {
  app.decorateRequest('currentDataset', async function (this: FastifyRequest) {
    const id = this.session.get('dataset');
    return typeof id === 'number' ? opts.catalog.get(id) : null;
  });
  app.decorateReply(
    'page',
    async function (
      this: FastifyReply,
      template: string,
      vars: Record<string, unknown> & { title: string; active: string },
    ) {
      const req = this.request;
      // Alerts firing now, on every page: every signed-in person can see every published name.
      const [datasets, alertBanner] = await Promise.all([
        opts.catalog.list(),
        opts.banner && req.user ? opts.banner() : [],
      ]);
      const currentId = req.session.get('dataset');
      const current = datasets.find((d) => d.id === currentId) ?? null;
      const notice = req.session.get('notice') ?? null;
      if (notice) req.session.set('notice', undefined);
      return this.view(template, {
        // canEdit hides what a viewer cannot use; the guard refuses it anyway.
        user: req.user,
        canEdit: req.user !== undefined && req.user !== null && req.user.role !== 'viewer',
        csrfToken: this.generateCsrf(),
        datasets,
        current,
        notice,
        alertBanner,
        ...vars,
      });
    },
  );
});

/** Sets a one-time message shown at the top of the next page. */
export function notify(reply: FastifyReply, kind: 'success' | 'danger' | 'info', text: string): void {
  reply.request.session.set('notice', { kind, text });
}
