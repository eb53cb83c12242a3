// What serve answers with: the published names with warm onnxruntime sessions, the API keys and
// the name the keyless tutorial routes answer for. All are reloaded when the database's change counter moves (polled every SERVE_POLL_MS ≤ 1 s).
// A switch replaces the name's entry object; a request holds the entry it started with, so it
// finishes on that version, and a replaced session is released only after a grace period.
import * as ort from 'onnxruntime-node';
import type { FastifyBaseLogger } from 'fastify';
import type { Pool } from '@enchilada/core';
import {
  ApiKeys,
  ModelRegistry,
  PublishedModels,
  TutorialMode,
  servingChanges,
  type ApiKeyWithHash,
  type ModelInput,
} from '@enchilada/models';
import { UnavailableError } from './errors.js';
import type { ServeMetrics } from './metrics.js';

export interface LiveModel {
  readonly name: string;
  readonly version: number;
  readonly modelId: number;
  readonly task: 'classification' | 'regression';
  readonly features: readonly string[];
  /** The columns the graph reads (mixed-table models); null: one float matrix X of `features`. */
  readonly inputs: readonly ModelInput[] | null;
  readonly classes: readonly string[] | null;
  /** Names of the classes the model was trained with ({"0": "malignant"}), or null. */
  readonly classLabels: Readonly<Record<string, string>> | null;
  readonly session: ort.InferenceSession;
  /** The name's challenger (issue 19): scores every request beside this model, logged, never answered. */
  readonly challenger: LiveModel | null;
}

export type NameState =
  | { readonly status: 'ready'; readonly model: LiveModel }
  | { readonly status: 'failed'; readonly version: number; readonly reason: string };

const RELEASE_AFTER_MS = 30_000;

export class ServingState {
  private names = new Map<string, NameState>();
  private keys = new Map<string, ApiKeyWithHash>();
  /** Sessions by model id: a rollback to a loaded model needs no new load. */
  private sessions = new Map<number, Promise<ort.InferenceSession>>();
  private counter = -1;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private refreshing: Promise<void> | null = null;
  private dbOk = false;
  private readonly registry: ModelRegistry;
  private readonly published: PublishedModels;
  private readonly apiKeys: ApiKeys;
  private readonly tutorialMode: TutorialMode;
  private tutorial: string | null;

  /** `defaultTutorialName` (SEED_MODEL_NAME): the tutorial routes' name until an administrator chooses one. */
  constructor(
    private readonly pool: Pool,
    private readonly log: FastifyBaseLogger,
    private readonly metrics: ServeMetrics,
    private readonly defaultTutorialName = '',
  ) {
    this.registry = new ModelRegistry(pool);
    this.published = new PublishedModels(pool);
    this.apiKeys = new ApiKeys(pool);
    this.tutorialMode = new TutorialMode(pool);
    this.tutorial = defaultTutorialName || null;
  }

  get databaseReachable(): boolean {
    return this.dbOk;
  }
  get loaded(): boolean {
    return this.counter >= 0;
  }

  /**
   * Throws 503 until names and keys have been read once: before that, "unknown API key" or "no
   * published model" would be false answers (seen when serve started while the database was down).
   */
  async requireLoaded(): Promise<void> {
    if (this.loaded) return;
    await this.refresh(true).catch((err: unknown) =>
      this.log.error({ err }, 'first read of the published models failed'),
    );
    if (!this.loaded)
      throw new UnavailableError(
        'serve has not yet read the published models and API keys from the database (is it reachable?); nothing was stored, try again',
      );
  }

  name(name: string): NameState | undefined {
    return this.names.get(name);
  }
  allNames(): ReadonlyMap<string, NameState> {
    return this.names;
  }
  key(hash: string): ApiKeyWithHash | undefined {
    return this.keys.get(hash);
  }
  /** The name the tutorial routes answer for, or null: tutorial mode is off. */
  tutorialName(): string | null {
    return this.tutorial;
  }

  /** Reloads names and keys if the change counter moved (or always, with `force`). */
  refresh(force = false): Promise<void> {
    this.refreshing ??= this.doRefresh(force).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async doRefresh(force: boolean): Promise<void> {
    let counter: number;
    try {
      counter = await servingChanges(this.pool);
      this.dbOk = true;
    } catch (err) {
      if (this.dbOk) this.log.error({ err }, 'database unreachable');
      this.dbOk = false;
      return;
    }
    if (!force && counter === this.counter) return;
    const [names, keys, tutorial] = await Promise.all([
      this.published.list(),
      this.apiKeys.all(),
      this.tutorialMode.get(),
    ]);
    this.keys = new Map(keys.map((k) => [k.hash, k]));
    this.tutorial = tutorial.chosen ? tutorial.name : this.defaultTutorialName || null;
    const next = new Map<string, NameState>();
    for (const p of names) {
      const cur = this.names.get(p.name);
      const curVersion = cur ? (cur.status === 'ready' ? cur.model.version : cur.version) : -1;
      const curChallenger = cur?.status === 'ready' ? (cur.model.challenger?.modelId ?? null) : null;
      if (cur && curVersion === p.version && (cur.status === 'failed' || curChallenger === p.challengerModelId)) {
        next.set(p.name, cur);
        continue;
      }
      next.set(p.name, await this.load(p.name, p.version, p.modelId, p.challengerModelId));
    }
    // Sessions no longer published are released after in-flight requests had time to finish.
    const live = new Set(
      [...next.values()].flatMap((s) =>
        s.status === 'ready' ? [s.model.modelId, ...(s.model.challenger ? [s.model.challenger.modelId] : [])] : [],
      ),
    );
    for (const [id, session] of this.sessions) {
      if (live.has(id)) continue;
      this.sessions.delete(id);
      setTimeout(() => {
        void session.then((s) => s.release()).catch(() => undefined);
      }, RELEASE_AFTER_MS).unref();
    }
    this.names = next;
    this.counter = counter;
  }

  private async load(
    name: string,
    version: number,
    modelId: number,
    challengerId: number | null = null,
  ): Promise<NameState> {
    try {
      const model = await this.registry.servingModel(modelId);
      if (!model) throw new Error(`model ${modelId} does not exist (deleted?)`);
      let session = this.sessions.get(modelId);
      if (!session) {
        const bytes = await this.registry.onnx(modelId);
        if (!bytes) throw new Error(`model ${modelId} has no ONNX bytes`);
        session = ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
        this.sessions.set(modelId, session);
        session.catch(() => this.sessions.delete(modelId));
      }
      // A challenger that fails to load leaves the champion serving alone (logged and counted by its own load).
      const challenger = challengerId === null ? null : await this.load(name, version, challengerId);
      const live: LiveModel = {
        name,
        version,
        modelId,
        task: model.task,
        features: model.features,
        inputs: model.inputs,
        classes: model.classes,
        classLabels: model.classLabels ?? null,
        session: await session,
        challenger: challenger?.status === 'ready' ? challenger.model : null,
      };
      this.log.info({ name, version, modelId, ...(challengerId === null ? {} : { challengerId }) }, 'model loaded');
      return { status: 'ready', model: live };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.metrics.loadErrors.inc({ model: name });
      this.log.error({ name, version, modelId, reason }, 'model failed to load');
      return { status: 'failed', version, reason };
    }
  }

  start(pollMs: number): void {
    const tick = () => {
      if (this.stopped) return;
      this.timer = setTimeout(() => {
        void this.refresh()
          .catch((err: unknown) => this.log.error({ err }, 'refresh failed'))
          .finally(tick);
      }, pollMs);
      this.timer.unref();
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.refreshing?.catch(() => undefined);
    for (const s of this.sessions.values()) await s.then((x) => x.release()).catch(() => undefined);
    this.sessions.clear();
  }
}
