// Explanations off the event loop. Tree SHAP of a 100-tree depth-10 forest costs ~5 ms of CPU per
// row, sampled SHAP (kernel SVM, k-NN, naive Bayes) seconds; on serve's event loop either held up
// every request behind it, explained or not (bench:explain measured a p99 of 524 ms for explained
// forest predictions at 8 connections when tree SHAP ran there). Here a few worker threads compute
// them while the event loop goes on answering; only linear SHAP (microseconds) stays in-process.
// Each request goes to the thread with the fewest requests in hand (a thread that already holds
// the model's explainer first among equals), so explanations of one model run side by side on
// every core. A thread starts on its first explanation, receives each model's artefact once, and
// the pool is stopped with the app. The pool holds at most `maxQueued` requests: past that serve
// answers 503 explain_busy at once (nothing stored) rather than letting the wait grow unbounded.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { HttpError } from '@enchilada/core';
import type { ExplainerArtefact, RowExplanation } from '@enchilada/models';

export type ToExplainThread =
  | {
      readonly kind: 'explain';
      readonly id: number;
      readonly modelId: number;
      readonly artefact: ExplainerArtefact | null;
      readonly rows: readonly Readonly<Record<string, unknown>>[];
    }
  | { readonly kind: 'forget'; readonly modelIds: readonly number[] };

export type FromExplainThread =
  | { readonly id: number; readonly rows: RowExplanation[] }
  | { readonly id: number; readonly error: { readonly name: string; readonly message: string } };

/** Every explain thread has as many requests in hand as the pool allows: 503, nothing stored. */
export class ExplainBusyError extends HttpError {
  constructor(queued: number) {
    super(
      503,
      `the explain threads are busy (${queued} explanations waiting): nothing was stored, try again or ask without "explain"`,
      'explain_busy',
    );
  }
}

/**
 * The worker script: the compiled .js beside this module; from the .ts sources (tests) a bootstrap
 * that registers tsx in the worker first, as services/ml's worker pool does.
 */
function newWorker(): Worker {
  const js = fileURLToPath(new URL('./explain-worker.js', import.meta.url));
  if (existsSync(js)) return new Worker(js);
  const ts = pathToFileURL(js.replace(/\.js$/, '.ts')).href;
  return new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(ts)}); })`, {
    eval: true,
  });
}

interface Pending {
  readonly resolve: (rows: RowExplanation[]) => void;
  readonly reject: (e: Error) => void;
}

/** One worker thread and what it holds. */
class ExplainThread {
  private worker: Worker | null = null;
  /** Model ids whose artefact the current worker holds. */
  readonly sent = new Set<number>();
  readonly pending = new Map<number, Pending>();

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = newWorker();
    // an idle worker does not keep the process up; close() stops it
    w.unref();
    w.on('message', (m: FromExplainThread) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if ('rows' in m) p.resolve(m.rows);
      else p.reject(m.error.name === 'RangeError' ? new RangeError(m.error.message) : new Error(m.error.message));
    });
    const fail = (e: Error): void => {
      // a crashed worker fails what it held; the next explanation starts a fresh one
      if (this.worker === w) {
        this.worker = null;
        this.sent.clear();
      }
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`the explain thread stopped (exit code ${code})`)));
    this.worker = w;
    return w;
  }

  explain(
    id: number,
    modelId: number,
    artefact: ExplainerArtefact,
    rows: readonly Readonly<Record<string, unknown>>[],
  ): Promise<RowExplanation[]> {
    const w = this.start();
    const first = !this.sent.has(modelId);
    this.sent.add(modelId);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({
        kind: 'explain',
        id,
        modelId,
        artefact: first ? artefact : null,
        rows,
      } satisfies ToExplainThread);
    });
  }

  forget(modelIds: readonly number[]): void {
    const known = modelIds.filter((id) => this.sent.delete(id));
    if (known.length && this.worker)
      this.worker.postMessage({ kind: 'forget', modelIds: known } satisfies ToExplainThread);
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}

export class ExplainPool {
  private readonly threads: ExplainThread[];
  private next = 0;
  private closed = false;

  /**
   * size: worker threads (serve's default: the cores per serve process); maxQueued: requests held
   * at once over all of them, running or waiting.
   */
  constructor(
    readonly size: number,
    readonly maxQueued = 64 * size,
  ) {
    if (!(size >= 1)) throw new RangeError('the explain pool needs at least one thread');
    this.threads = Array.from({ length: size }, () => new ExplainThread());
  }

  /** Requests held (running or waiting) per thread. */
  get queued(): number[] {
    return this.threads.map((t) => t.pending.size);
  }

  explain(
    modelId: number,
    artefact: ExplainerArtefact,
    rows: readonly Readonly<Record<string, unknown>>[],
  ): Promise<RowExplanation[]> {
    if (this.closed) return Promise.reject(new Error('serve is stopping'));
    const held = this.threads.reduce((n, t) => n + t.pending.size, 0);
    if (held >= this.maxQueued) return Promise.reject(new ExplainBusyError(held));
    // the least busy thread; among equals one that holds the model's explainer already
    let best = this.threads[0];
    for (const t of this.threads) {
      const d = t.pending.size - best.pending.size;
      if (d < 0 || (d === 0 && t.sent.has(modelId) && !best.sent.has(modelId))) best = t;
    }
    return best.explain(this.next++, modelId, artefact, rows);
  }

  /** Drops the explainers of models no longer served. */
  forget(modelIds: readonly number[]): void {
    for (const t of this.threads) t.forget(modelIds);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.threads.map((t) => t.close()));
  }
}
