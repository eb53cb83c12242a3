// Serving, the web side: publish a model under a name (owner or admin), each name's version
// history with rollback, tutorial mode's name (admins), and API keys (admins: create — shown once
// with a ready request —, revoke). serve picks the changes up from the database within a second or two.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import { BadRequestError, ForbiddenError, NotFoundError } from '@enchilada/core';
import {
  MODEL_NAME,
  SchemaChangeError,
  type ApiKeys,
  type TutorialMode,
  type ModelRegistry,
  type PredictionFilter,
  type Predictions,
  type PublishedModels,
  type StoredPrediction,
} from '@enchilada/models';
import { csvLine } from '@enchilada/data';
import { notify } from '../plugins/pages.js';
import { signedIn } from '../plugins/guard.js';
import { keyedRequest, serveAddress, tutorialRequests } from '../serving/example-requests.js';
import { idParams } from './schemas.js';

export interface ServingRouteOptions {
  readonly registry: ModelRegistry;
  readonly published: PublishedModels;
  readonly apiKeys: ApiKeys;
  readonly predictions: Predictions;
  readonly tutorial: TutorialMode;
  /** serve's port, public address (may be empty) and SEED_MODEL_NAME (tutorial mode's name until an administrator chooses). */
  readonly serve: { readonly port: number; readonly publicUrl: string; readonly seedModelName: string };
  /** The name page's alert rules and history (routes/alerts.ts). */
  readonly alertsPanel?: (name: string, user: { id: number; role: string }) => Promise<unknown>;
}

/** Rows per page the Predictions page offers (SQL LIMIT/OFFSET: only one page is read). */
const PAGE_SIZES = [25, 50, 100, 250];
const PAGE_DEFAULT = 50;
const predictionQuery = Type.Object({
  name: Type.Optional(Type.String({ maxLength: 64 })),
  from: Type.Optional(Type.String({ format: 'date' })),
  to: Type.Optional(Type.String({ format: 'date' })),
  outcome: Type.Optional(Type.Enum(['any', 'with', 'without'])),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
  size: Type.Optional(Type.Integer({ enum: PAGE_SIZES })),
});
type PredictionQuery = Static<typeof predictionQuery>;
const csrf = Type.Optional(Type.String());
const confirm = Type.Optional(Type.Enum(['yes']));
const tutorialBody = Type.Object({ name: Type.String({ maxLength: 64 }), _csrf: csrf });
const publishBody = Type.Object({ name: Type.String({ maxLength: 64 }), confirm, _csrf: csrf });
const monitorParams = Type.Object({ name: Type.String({ pattern: MODEL_NAME.source }) });
const monitorQuery = Type.Object({ hours: Type.Integer({ enum: [1, 6, 24, 168], default: 1 }) });
const nameParams = Type.Object({ name: Type.String({ maxLength: 64 }) });
const rollbackBody = Type.Object({ version: Type.Integer({ minimum: 1 }), confirm, _csrf: csrf });
const apiKeyBody = Type.Object({
  label: Type.String({ minLength: 1, maxLength: 100 }),
  scope: Type.Optional(Type.String({ maxLength: 64 })),
  _csrf: csrf,
});

function filterOf(q: PredictionQuery): PredictionFilter {
  return {
    ...(q.name ? { modelName: q.name } : {}),
    ...(q.from ? { from: new Date(`${q.from}T00:00:00Z`) } : {}),
    // "to" is inclusive: the whole day
    ...(q.to ? { to: new Date(Date.parse(`${q.to}T00:00:00Z`) + 86_400_000) } : {}),
    ...(q.outcome === 'with' ? { withOutcome: true } : q.outcome === 'without' ? { withOutcome: false } : {}),
  };
}

const CSV_HEADER = csvLine([
  'row_id',
  'model_name',
  'version',
  'model_id',
  'id',
  'created_at',
  'prediction',
  'probabilities',
  'outcome',
  'outcome_at',
  'latency_ms',
  'observation',
]);
/** One prediction as a CSV line, by the writer every export shares (formulas defused). */
function predictionLine(p: StoredPrediction): string {
  const out = (p.output ?? {}) as { prediction?: unknown; probabilities?: unknown };
  return csvLine([
    p.rowId,
    p.modelName,
    p.version,
    p.modelId,
    p.clientId,
    p.createdAt.toISOString(),
    out.prediction,
    out.probabilities ?? null,
    p.outcome,
    p.outcomeAt ? p.outcomeAt.toISOString() : null,
    p.latencyMs,
    p.observation,
  ]);
}

/** A form posted by a page (which then gets a page back), not a JSON client. */
const wantsPage = (req: FastifyRequest) => (req.headers.accept ?? '').includes('text/html');

const NAME_HELP = 'a name is 1–64 lower-case letters, digits and hyphens, starting and ending with a letter or digit';

export default async function servingRoutes(instance: FastifyInstance, opts: ServingRouteOptions) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { registry, published, apiKeys, predictions, tutorial } = opts;
  const serveUrl = (req: FastifyRequest) =>
    serveAddress(opts.serve.publicUrl, req.protocol, req.hostname, opts.serve.port);

  app.get('/predictions', { schema: { querystring: predictionQuery } }, async (req, reply) => {
    const q = req.query;
    const filter = filterOf(q);
    const page = q.page ?? 1;
    const size = q.size ?? PAGE_DEFAULT;
    const [rows, total, names] = await Promise.all([
      predictions.list(filter, size, (page - 1) * size),
      predictions.countWhere(filter),
      published.list(),
    ]);
    const params = new URLSearchParams(
      Object.entries({ name: q.name, from: q.from, to: q.to, outcome: q.outcome }).filter(
        (e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '',
      ),
    );
    // One column per feature: the observation's fields in the order the page's rows first show them.
    const features = [
      ...new Set(
        rows.flatMap((r) => (r.observation && typeof r.observation === 'object' ? Object.keys(r.observation) : [])),
      ),
    ];
    const paging = new URLSearchParams(params);
    if (q.size) paging.set('size', String(size));
    // Class names of the page's models (its dataset's label names), so predictions and outcomes read
    // "malignant (0)", not "0": a page holds a handful of models at most.
    const modelIds = [...new Set(rows.map((r) => r.modelId))];
    const served = await Promise.all(modelIds.map((mid) => registry.servingModel(mid)));
    const classLabels = Object.fromEntries(served.flatMap((m) => (m?.classLabels ? [[m.id, m.classLabels]] : [])));
    return reply.page('predictions.ejs', {
      title: 'Predictions',
      active: 'predictions',
      rows,
      total,
      page,
      size,
      sizes: PAGE_SIZES,
      pages: Math.max(1, Math.ceil(total / size)),
      q,
      names,
      features,
      query: params.toString(),
      pagingQuery: paging.toString(),
      classLabels,
    });
  });

  app.get('/predictions.csv', { schema: { querystring: predictionQuery } }, async (req, reply) => {
    const filter = filterOf(req.query);
    async function* lines(): AsyncGenerator<string> {
      yield CSV_HEADER;
      let beforeId: number | undefined;
      for (;;) {
        const rows = await predictions.list({ ...filter, ...(beforeId === undefined ? {} : { beforeId }) }, 5000);
        const last = rows.at(-1);
        if (!last) return;
        yield rows.map(predictionLine).join('');
        beforeId = last.rowId;
      }
    }
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header(
        'content-disposition',
        `attachment; filename="predictions${req.query.name ? `-${req.query.name}` : ''}.csv"`,
      )
      .send(Readable.from(lines()));
  });

  app.get('/published', async (req, reply) => {
    const [names, history, choice] = await Promise.all([published.list(), published.history(), tutorial.get()]);
    // What serve's keyless /predict and /update answer for: the stored choice, else SEED_MODEL_NAME.
    const name = choice.chosen ? choice.name : opts.serve.seedModelName || null;
    const current = name === null ? undefined : names.find((n) => n.name === name);
    const model = current ? await registry.get(current.modelId) : null;
    const mode = {
      name,
      source: choice.chosen ? 'chosen' : 'default',
      published: current !== undefined,
      requests: model ? tutorialRequests(serveUrl(req), model) : null,
    };
    return reply.page('published.ejs', {
      title: 'Published models',
      active: 'published',
      names,
      history,
      mode,
      serveUrl: serveUrl(req),
    });
  });

  app.post(
    '/published/tutorial',
    {
      config: { admin: true },
      schema: { body: tutorialBody },
    },
    async (req, reply) => {
      const name = req.body.name.trim();
      if (name === '') {
        await tutorial.set(null, signedIn(req).id);
        notify(
          reply,
          'success',
          'Tutorial mode is off: serve answers POST /predict and /update with 404 within a few seconds.',
        );
        return reply.redirect('/published', 303);
      }
      if (!(await published.list()).some((n) => n.name === name))
        throw new BadRequestError(
          `nothing is published under the name "${name}": publish a model under it first`,
          'name',
        );
      await tutorial.set(name, signedIn(req).id);
      notify(
        reply,
        'success',
        `Tutorial mode: serve's POST /predict and /update answer for "${name}" within a few seconds.`,
      );
      return reply.redirect('/published', 303);
    },
  );

  // A change of the name's task or columns answers 409 with a page that lists the changes and offers
  // the same form again with `confirm`, so nobody breaks the name's API clients by accident.
  const confirmPage = (reply: FastifyReply, err: SchemaChangeError, action: string, fields: Record<string, string>) =>
    reply.code(409).page('publish-confirm.ejs', {
      title: `Change "${err.publishedName}"?`,
      active: 'published',
      name: err.publishedName,
      changes: err.changes,
      action,
      fields,
    });

  app.post(
    '/models/:id/publish',
    {
      schema: { params: idParams, body: publishBody },
    },
    async (req, reply) => {
      const m = await registry.get(req.params.id);
      if (!m) throw new NotFoundError('there is no such model (it may have been deleted)');
      if (m.createdBy !== signedIn(req).id && signedIn(req).role !== 'admin')
        throw new ForbiddenError('only the owner or an administrator can publish this model');
      const name = req.body.name.trim();
      if (!MODEL_NAME.test(name)) throw new BadRequestError(`"${name}" is not a valid name: ${NAME_HELP}`, 'name');
      let version: number;
      try {
        version = await published.publish(name, m.id, signedIn(req).id, 'publish', {
          actor: signedIn(req),
          confirm: req.body.confirm === 'yes',
        });
      } catch (err) {
        if (err instanceof SchemaChangeError && wantsPage(req))
          return confirmPage(reply, err, `/models/${m.id}/publish`, { name });
        throw err;
      }
      notify(
        reply,
        'success',
        `Published model ${m.id} as "${name}" version ${version}; serve switches to it within a few seconds.`,
      );
      return reply.redirect('/published', 303);
    },
  );

  app.get(
    '/published/:name/monitor',
    {
      schema: { params: monitorParams, querystring: monitorQuery },
    },
    async (req, reply) => {
      const p = (await published.list()).find((n) => n.name === req.params.name);
      if (!p) throw new NotFoundError(`nothing is published under the name "${req.params.name}"`);
      const alertsPanel = opts.alertsPanel ? await opts.alertsPanel(p.name, signedIn(req)) : null;
      return reply.page('monitor.ejs', {
        title: `Monitoring ${p.name}`,
        active: 'published',
        p,
        hours: req.query.hours,
        alertsPanel,
      });
    },
  );

  app.post(
    '/published/:name/rollback',
    {
      schema: { params: nameParams, body: rollbackBody },
    },
    async (req, reply) => {
      const { name } = req.params;
      const target = (await published.history(name)).find((h) => h.version === req.body.version);
      if (!target) throw new NotFoundError(`"${name}" has no version ${req.body.version}`);
      const m = await registry.get(target.modelId);
      if (!m) throw new NotFoundError(`the model of version ${req.body.version} was deleted`);
      // Who may roll back is the name's owner (or an administrator), checked with the publish itself.
      let version: number | null;
      try {
        version = await published.rollback(name, req.body.version, signedIn(req).id, {
          actor: signedIn(req),
          confirm: req.body.confirm === 'yes',
        });
      } catch (err) {
        if (err instanceof SchemaChangeError && wantsPage(req))
          return confirmPage(reply, err, `/published/${name}/rollback`, { version: String(req.body.version) });
        throw err;
      }
      notify(reply, 'success', `"${name}" now serves model ${m.id} again, as version ${version ?? '?'}.`);
      return reply.redirect('/published', 303);
    },
  );

  app.get('/api-keys', { config: { admin: true } }, async (req, reply) => {
    const [keys, names] = await Promise.all([apiKeys.list(), published.list()]);
    return reply.page('api-keys.ejs', {
      title: 'API keys',
      active: 'api-keys',
      keys,
      names,
      newKey: null,
      serveUrl: serveUrl(req),
    });
  });

  app.post(
    '/api-keys',
    {
      config: { admin: true },
      schema: { body: apiKeyBody },
    },
    async (req, reply) => {
      const scope = req.body.scope && req.body.scope !== '*' ? req.body.scope : null;
      if (scope !== null && !MODEL_NAME.test(scope))
        throw new BadRequestError(`"${scope}" is not a valid name: ${NAME_HELP}`, 'scope');
      const created = await apiKeys.create(req.body.label.trim(), scope, signedIn(req).id);
      const [keys, names] = await Promise.all([apiKeys.list(), published.list()]);
      // A ready request for one of the key's names: its own, or the first published one.
      const target = scope === null ? names[0] : names.find((n) => n.name === scope);
      const model = target ? await registry.get(target.modelId) : null;
      const example =
        target && model
          ? { name: target.name, curl: keyedRequest(serveUrl(req), target.name, created.key, model) }
          : null;
      // The key itself is shown on this answer only; the database keeps its hash.
      return reply.header('cache-control', 'no-store').page('api-keys.ejs', {
        title: 'API keys',
        active: 'api-keys',
        keys,
        names,
        newKey: { id: created.id, key: created.key, example },
        serveUrl: serveUrl(req),
      });
    },
  );

  app.post('/api-keys/:id/revoke', { config: { admin: true }, schema: { params: idParams } }, async (req, reply) => {
    if (!(await apiKeys.revoke(req.params.id)))
      throw new NotFoundError('there is no such key, or it is already revoked');
    notify(reply, 'success', `Revoked key ${req.params.id}; serve refuses it within a few seconds.`);
    return reply.redirect('/api-keys', 303);
  });

  // A tutorial client pointed at this port (5000) instead of serve's: say where the API is, whoever
  // asks (no session, no CSRF token: it changes nothing and reads nothing).
  for (const path of ['/predict', '/update']) {
    app.post(path, { config: { public: true, csrfExempt: true } }, async (req, reply) => {
      const url = serveUrl(req);
      // 421 Misdirected Request: this server cannot answer it, the one named in the message can.
      return reply.code(421).send({
        message: `this is the web app; the prediction API is serve, on port ${opts.serve.port}: POST ${url}${path} (tutorial mode, chosen on the Published page) or POST ${url}/v1/models/<name>/predict with an API key. Its documentation: ${url}/docs`,
        code: 'wrong_port',
        predictionApi: url,
        docs: `${url}/docs`,
      });
    });
  }
}
