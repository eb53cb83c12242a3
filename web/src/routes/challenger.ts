// Champion and challenger, the web side (issue 19): set a published name's challenger (the checks a
// publish makes: the name's owner or an administrator, a model one may publish, the champion's
// task, confirmation of a change of columns), promote it (a swap, published as the name's next
// version) and remove it. serve follows through serving_changes within a poll, without a restart.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ForbiddenError, NotFoundError } from '@enchilada/core';
import { SchemaChangeError, type Challengers, type ModelRegistry } from '@enchilada/models';
import { notify } from '../plugins/pages.js';
import { signedIn } from '../plugins/guard.js';

export interface ChallengerRouteOptions {
  readonly registry: ModelRegistry;
  readonly challengers: Challengers;
}

const nameParams = { type: 'object', required: ['name'], properties: { name: { type: 'string', maxLength: 64 } } } as const;
const csrfOnly = { type: 'object', properties: { _csrf: { type: 'string' }, back: { type: 'string', enum: ['monitor'] } } } as const;
const wantsPage = (req: FastifyRequest) => (req.headers.accept ?? '').includes('text/html');
/** Where a form goes back to: the name's monitoring page, or the Published page. */
const backTo = (name: string, back?: string) => (back === 'monitor' ? `/published/${name}/monitor` : '/published');

export default async function challengerRoutes(app: FastifyInstance, opts: ChallengerRouteOptions) {
  const { registry, challengers } = opts;

  app.post('/published/:name/challenger', {
    schema: {
      params: nameParams,
      body: {
        type: 'object', required: ['model'],
        properties: { model: { type: 'integer', minimum: 1 }, confirm: { type: 'string', enum: ['yes'] }, back: { type: 'string', enum: ['monitor'] }, _csrf: { type: 'string' } },
      },
    },
  }, async (req: FastifyRequest<{ Params: { name: string }; Body: { model: number; confirm?: 'yes'; back?: 'monitor' } }>, reply) => {
    const { name } = req.params;
    const user = signedIn(req);
    const m = await registry.get(req.body.model);
    if (!m) throw new NotFoundError(`there is no model ${req.body.model} (it may have been deleted)`);
    if (m.createdBy !== user.id && user.role !== 'admin') throw new ForbiddenError('only the owner of a model or an administrator can make it a challenger');
    try {
      await challengers.set(name, m.id, { actor: user, confirm: req.body.confirm === 'yes' });
    } catch (err) {
      if (err instanceof SchemaChangeError && wantsPage(req)) {
        return reply.code(409).page('publish-confirm.ejs', {
          title: `Change "${name}"?`, active: 'published', name, changes: err.changes, action: `/published/${name}/challenger`,
          fields: { model: String(m.id), ...(req.body.back ? { back: req.body.back } : {}) },
        });
      }
      throw err;
    }
    if (!wantsPage(req)) return { name, challenger: m.id };
    notify(reply, 'success', `Model ${m.id} is now the challenger of "${name}": serve scores every request with it too (logged, not answered) within a few seconds.`);
    return reply.redirect(backTo(name, req.body.back), 303);
  });

  app.post('/published/:name/promote', { schema: { params: nameParams, body: csrfOnly } },
    async (req: FastifyRequest<{ Params: { name: string }; Body: { back?: 'monitor' } | undefined }>, reply) => {
      const { name } = req.params;
      const r = await challengers.promote(name, signedIn(req));
      if (!wantsPage(req)) return { name, version: r.version, champion: r.modelId };
      notify(reply, 'success', `Promoted: "${name}" version ${r.version} serves model ${r.modelId}; the former champion is now the challenger. serve switches within a few seconds.`);
      return reply.redirect(backTo(name, req.body?.back), 303);
    });

  app.post('/published/:name/challenger/remove', { schema: { params: nameParams, body: csrfOnly } },
    async (req: FastifyRequest<{ Params: { name: string }; Body: { back?: 'monitor' } | undefined }>, reply) => {
      const { name } = req.params;
      const removed = await challengers.remove(name, signedIn(req));
      if (!wantsPage(req)) return { name, removed };
      notify(reply, removed ? 'success' : 'info', removed ? `"${name}" has no challenger any more.` : `"${name}" had no challenger.`);
      return reply.redirect(backTo(name, req.body?.back), 303);
    });
}
