// Evaluates every enabled alert rule once a minute in exactly one web replica, then posts the
// notices it made.
//
// Why web, and why a lease row: web is always running (viz may be scaled to zero between jobs, serve
// must stay lean and holds the least-privileged account), and it already owns the pages the alerts
// show on. One replica is chosen by a lease in the database (alert_lease: owner + expiry, taken and
// renewed by one conditional UPDATE) rather than GET_LOCK: a named lock lives on one connection,
// which a pool recycles and a proxy (ProxySQL, MySQL Router) may move, and Galera does not replicate
// it; a row works through any pool and on a cluster. If the holder dies, its lease runs out after
// `leaseMs` and another replica takes over. Exactly once does not rest on the lease alone: each
// fire and resolve happens under the rule's row lock (AlertStore.record), and each notice is one row
// claimed by one deliverer — the lease only keeps the replicas from doing the same work twice.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Pool } from '@enchilada/core';
import { readTrainingTable, type Catalog } from '@enchilada/data';
import {
  alertValue,
  driftReference,
  type AlertStore,
  type ModelRegistry,
  type PsiReference,
  type PublishedModels,
  type Transition,
} from '@enchilada/models';
import { deliver, type WebhookOptions } from './webhook.js';

export interface EvaluatorOptions {
  /** Between evaluations (ALERT_INTERVAL_MS, default 60 s). */
  readonly intervalMs: number;
  /** How long a lease lasts without renewal (default: 3 intervals, at least 30 s). */
  readonly leaseMs?: number;
  readonly webhook: WebhookOptions;
  /** This process's name in the lease (default host:pid:random). */
  readonly owner?: string;
}

export interface TickReport {
  readonly leader: boolean;
  readonly evaluated: number;
  readonly transitions: readonly { readonly ruleId: number; readonly transition: Exclude<Transition, null> }[];
  readonly delivered: number;
}

export class AlertEvaluator {
  readonly owner: string;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;
  private readonly references = new Map<string, Readonly<Record<string, PsiReference | null>> | null>();

  constructor(
    private readonly deps: {
      readonly pool: Pool;
      readonly store: AlertStore;
      readonly published: PublishedModels;
      readonly registry: ModelRegistry;
      readonly catalog: Catalog;
      readonly log?: FastifyBaseLogger;
    },
    private readonly opts: EvaluatorOptions,
  ) {
    this.owner = opts.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  private get leaseMs(): number {
    return this.opts.leaseMs ?? Math.max(30_000, 3 * this.opts.intervalMs);
  }

  /** Evaluates now and then every interval, until stop(). */
  start(): void {
    this.stopped = false;
    const loop = async () => {
      this.running = this.tick().catch((err: unknown) => this.deps.log?.error({ err }, 'alert evaluation failed'));
      await this.running;
      this.running = null;
      if (!this.stopped) this.timer = setTimeout(() => void loop(), this.opts.intervalMs);
    };
    void loop();
  }

  /** Stops the loop, waits for a tick under way, and gives the lease up so another replica takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    await this.deps.store.releaseLease(this.owner).catch(() => undefined);
  }

  /** One round: take or renew the lease; if held, evaluate every enabled rule and post the pending notices. */
  async tick(): Promise<TickReport> {
    if (!(await this.deps.store.acquireLease(this.owner, this.leaseMs)))
      return { leader: false, evaluated: 0, transitions: [], delivered: 0 };
    const { evaluated, transitions } = await this.evaluate();
    const delivered = await this.deliverNotices();
    return { leader: true, evaluated, transitions, delivered };
  }

  /** Evaluates every enabled rule of a published name and records it (no lease: tests call it to race two evaluators). */
  async evaluate(): Promise<{
    evaluated: number;
    transitions: { ruleId: number; transition: Exclude<Transition, null> }[];
  }> {
    const { store, published, registry, pool } = this.deps;
    const [rules, names] = await Promise.all([store.rules(), published.list()]);
    const transitions: { ruleId: number; transition: Exclude<Transition, null> }[] = [];
    let evaluated = 0;
    for (const rule of rules) {
      if (!rule.enabled) continue;
      const p = names.find((n) => n.name === rule.name);
      const model = p ? await registry.get(p.modelId) : null;
      let value: number | null = null;
      if (model) {
        try {
          value = await alertValue(pool, rule, model, () => this.training(model));
        } catch (err) {
          this.deps.log?.error({ err, rule: rule.id }, 'alert rule could not be evaluated');
          continue;
        }
      }
      evaluated++;
      const t = await store.record(rule.id, value);
      if (t) {
        transitions.push({ ruleId: rule.id, transition: t });
        this.deps.log?.info(
          { rule: rule.id, name: rule.name, metric: rule.metric, value, transition: t },
          `alert ${t}`,
        );
      }
    }
    return { evaluated, transitions };
  }

  /** Posts the notices nobody is posting; a claim outlasts the longest delivery (every attempt timing out). */
  async deliverNotices(): Promise<number> {
    const w = this.opts.webhook;
    const longest = (w.retryDelaysMs.length + 1) * w.timeoutMs + w.retryDelaysMs.reduce((a, b) => a + b, 0) + 10_000;
    const claim = `${this.owner}:${randomUUID()}`;
    const notices = await this.deps.store.claimNotices(claim, longest);
    // One alert's notices in order (fired before resolved); different alerts at once.
    const byAlert = new Map<number, typeof notices>();
    for (const n of notices) byAlert.set(n.alertId, [...(byAlert.get(n.alertId) ?? []), n]);
    let sent = 0;
    await Promise.all(
      [...byAlert.values()].map(async (list) => {
        for (const n of list) {
          const d = await deliver(
            n.webhookUrl,
            n.payload,
            { 'idempotency-key': `enchilada-alert-${n.alertId}-${n.kind}` },
            w,
          );
          await this.deps.store.settleNotice(n.id, claim, d);
          if (d.sent) sent++;
          else this.deps.log?.warn({ notice: n.id, alert: n.alertId, error: d.error }, 'alert webhook failed');
        }
      }),
    );
    return sent;
  }

  /** The model's per-feature PSI references (read once per model and dataset version), or null when its training rows are gone. */
  private async training(model: {
    readonly id: number;
    readonly datasetId: number | null;
    readonly datasetVersion: number;
    readonly features: readonly string[];
    readonly split: { readonly train: readonly number[] };
  }) {
    const key = `${model.id}:${model.datasetVersion}`;
    if (this.references.has(key)) return this.references.get(key) ?? null;
    const ds = model.datasetId === null ? null : await this.deps.catalog.get(model.datasetId);
    let refs: Readonly<Record<string, PsiReference | null>> | null = null;
    if (ds && ds.version === model.datasetVersion && model.split.train.length > 0) {
      const data = await readTrainingTable(this.deps.pool, ds, model.features, model.split.train);
      refs = Object.fromEntries(data.columns.map((c) => [c.name, driftReference(c)]));
    }
    this.references.set(key, refs);
    if (this.references.size > 256) this.references.delete(this.references.keys().next().value as string);
    return refs;
  }
}
