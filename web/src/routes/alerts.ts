// Alert rules of a published name: anyone signed in reads them and the alert history (on the
// name's page, and as JSON); its owner or an administrator adds, changes and deletes them. The
// evaluator (web/src/alerts/evaluator.ts) turns them into alerts.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { BadRequestError, ForbiddenError, NotFoundError } from '@enchilada/core';
import {
  ALERT_METRICS,
  METRIC_LABELS,
  MODEL_NAME,
  describeRule,
  validateAlertRule,
  windowUnit,
  type Alert,
  type AlertRule,
  type AlertStore,
  type ModelRegistry,
  type PublishedModels,
  type RawAlertRule,
} from '@enchilada/models';
import { notify } from '../plugins/pages.js';
import { signedIn } from '../plugins/guard.js';

export interface AlertRouteOptions {
  readonly store: AlertStore;
  readonly published: PublishedModels;
  readonly registry: ModelRegistry;
}

/** What the name's page shows: the rules, the history, and whether this person may edit. */
export interface AlertsPanel {
  readonly name: string;
  readonly task: 'classification' | 'regression';
  readonly canEdit: boolean;
  readonly rules: readonly (Omit<AlertRule, 'webhookUrl'> & {
    readonly webhookUrl: string | null;
    readonly description: string;
    readonly unit: string;
  })[];
  readonly history: readonly (Alert & {
    readonly description: string;
    readonly notices: readonly { kind: string; status: string; attempts: number; lastError: string | null }[];
  })[];
  readonly metrics: readonly { readonly value: string; readonly label: string; readonly unit: string }[];
}

/**
 * A webhook address can hold a secret (Slack's path is the credential): people who may not edit the
 * rule see only its host.
 */
function shownUrl(url: string | null, full: boolean): string | null {
  if (url === null || full) return url;
  try {
    return `${new URL(url).origin}/…`;
  } catch {
    return '…';
  }
}

export async function alertsPanel(
  opts: AlertRouteOptions,
  name: string,
  user: { id: number; role: string },
): Promise<AlertsPanel | null> {
  const p = (await opts.published.list()).find((n) => n.name === name);
  if (!p) return null;
  const model = await opts.registry.get(p.modelId);
  const task = model?.task ?? 'classification';
  const canEdit = user.role === 'admin' || (user.role !== 'viewer' && p.ownerId === user.id);
  const [rules, history] = await Promise.all([opts.store.rules(name), opts.store.history(name)]);
  const notices = await opts.store.notices(history.map((a) => a.id));
  return {
    name,
    task,
    canEdit,
    rules: rules.map((r) => ({
      ...r,
      webhookUrl: shownUrl(r.webhookUrl, canEdit),
      description: describeRule(r),
      unit: windowUnit(r.metric),
    })),
    history: history.map((a) => ({ ...a, description: describeRule(a), notices: notices.get(a.id) ?? [] })),
    metrics: ALERT_METRICS.filter((m) =>
      task === 'classification' ? m !== 'mae' : m !== 'accuracy' && m !== 'f1',
    ).map((m) => ({ value: m, label: METRIC_LABELS[m], unit: windowUnit(m) })),
  };
}

const nameParams = Type.Object({ name: Type.String({ pattern: MODEL_NAME.source }) });
const ruleParams = Type.Object({ name: Type.String({ pattern: MODEL_NAME.source }), id: Type.Integer({ minimum: 1 }) });
// Strings as a form posts them (a JSON client's numbers and booleans are coerced); validateAlertRule names the bad field.
const text = (maxLength: number) => Type.Optional(Type.String({ maxLength }));
const ruleBody = Type.Object({
  metric: text(32),
  comparison: text(16),
  threshold: text(40),
  window: text(20),
  webhookUrl: text(2100),
  enabled: text(8),
  _csrf: Type.Optional(Type.String()),
});

const wantsPage = (req: FastifyRequest) => (req.headers.accept ?? '').includes('text/html');

export default async function alertRoutes(instance: FastifyInstance, opts: AlertRouteOptions) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { store, published, registry } = opts;

  /** The name's model task, after checking the person may edit its rules (owner or administrator). */
  async function editable(req: FastifyRequest, name: string): Promise<'classification' | 'regression'> {
    const p = (await published.list()).find((n) => n.name === name);
    if (!p) throw new NotFoundError(`nothing is published under the name "${name}"`);
    const user = signedIn(req);
    if (user.role !== 'admin' && p.ownerId !== user.id)
      throw new ForbiddenError('only the owner of this name or an administrator can change its alert rules');
    return (await registry.get(p.modelId))?.task ?? 'classification';
  }
  async function ruleOf(name: string, id: number): Promise<AlertRule> {
    const rule = await store.rule(id);
    if (!rule || rule.name !== name) throw new NotFoundError(`"${name}" has no alert rule ${id}`);
    return rule;
  }
  const done = (
    req: FastifyRequest,
    reply: FastifyReply,
    name: string,
    text: string,
    body: Record<string, unknown>,
    code = 200,
  ) => {
    if (!wantsPage(req)) return reply.code(code).send(body);
    notify(reply, 'success', text);
    return reply.redirect(`/published/${name}/monitor#alerts`, 303);
  };

  /**
   * A page's form with a bad field goes back to the name's page with the message (naming the field)
   * at the top, rather than to an error page; a JSON client gets the 400 from the error handler.
   */
  function backOnError<T>(req: FastifyRequest, reply: FastifyReply, name: string, fn: () => T): T | null {
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof BadRequestError) || !wantsPage(req)) throw err;
      notify(reply, 'danger', `Alert rule not saved: ${err.field ? `${err.field}: ` : ''}${err.message}.`);
      void reply.redirect(`/published/${name}/monitor`, 303);
      return null;
    }
  }

  app.get('/api/published/:name/alerts', { schema: { params: nameParams } }, async (req) => {
    const panel = await alertsPanel(opts, req.params.name, signedIn(req));
    if (!panel) throw new NotFoundError(`nothing is published under the name "${req.params.name}"`);
    return { name: panel.name, canEdit: panel.canEdit, rules: panel.rules, history: panel.history };
  });

  app.post('/published/:name/alert-rules', { schema: { params: nameParams, body: ruleBody } }, async (req, reply) => {
    const { name } = req.params;
    // A page's unticked "enabled" box is sent as nothing at all.
    const b = (req.body as RawAlertRule | undefined) ?? {};
    const task = await editable(req, name);
    const rule = backOnError(req, reply, name, () =>
      validateAlertRule({ ...b, enabled: b.enabled ?? (wantsPage(req) ? 'false' : undefined) }, task),
    );
    if (rule === null) return reply;
    const id = await store.create(name, rule, signedIn(req).id);
    return done(req, reply, name, `Added the alert rule: ${describeRule(rule)}.`, { id, ...rule }, 201);
  });

  app.post(
    '/published/:name/alert-rules/:id',
    { schema: { params: ruleParams, body: ruleBody } },
    async (req, reply) => {
      const { name, id } = req.params;
      const task = await editable(req, name);
      const current = await ruleOf(name, id);
      // A form that leaves the webhook out keeps it (the page does not echo a secret back); an empty field clears it.
      const b = (req.body as RawAlertRule | undefined) ?? {};
      const body: RawAlertRule = {
        ...b,
        webhookUrl: b.webhookUrl ?? current.webhookUrl ?? '',
        enabled: b.enabled ?? (wantsPage(req) ? 'false' : String(current.enabled)),
      };
      const rule = backOnError(req, reply, name, () => validateAlertRule(body, task));
      if (rule === null) return reply;
      await store.update(id, rule);
      return done(
        req,
        reply,
        name,
        `Saved alert rule ${id}: ${describeRule(rule)}${rule.enabled ? '' : ' (disabled)'}.`,
        { id, ...rule },
      );
    },
  );

  app.post('/published/:name/alert-rules/:id/delete', { schema: { params: ruleParams } }, async (req, reply) => {
    const { name, id } = req.params;
    await editable(req, name);
    await ruleOf(name, id);
    await store.delete(id);
    return done(req, reply, name, `Deleted alert rule ${id}; its alerts stay in the history.`, { id, deleted: true });
  });
}
