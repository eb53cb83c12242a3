// Sampled SHAP off the event loop. Permutation sampling evaluates the model 2 · pairs · (columns + 1)
// · background rows times per row (21,504 times for 20 columns): measured 1.1 s of CPU per row for
// an RBF SVC and 2.7 s for k-NN on 5,000 training rows. On serve's event loop that stalled every
// other request, explained or not, for as long; here one worker thread computes them, one request
// after another, while the event loop goes on answering. Tree and linear explanations (well under
// a millisecond to a few) stay in-process. The worker starts on the first sampled explanation,
// receives each model's artefact once, and is stopped with the app.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
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

type FromExplainThread =
  | { readonly id: number; readonly rows: RowExplanation[] }
  | { readonly id: number; readonly error: { readonly name: string; readonly message: string } };

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

export class ExplainThread {
  private worker: Worker | null = null;
  /** Model ids whose artefact the current worker holds. */
  private readonly sent = new Set<number>();
  private readonly pending = new Map<
    number,
    { resolve: (rows: RowExplanation[]) => void; reject: (e: Error) => void }
  >();
  private next = 0;
  private closed = false;

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
    modelId: number,
    artefact: ExplainerArtefact,
    rows: readonly Readonly<Record<string, unknown>>[],
  ): Promise<RowExplanation[]> {
    if (this.closed) return Promise.reject(new Error('serve is stopping'));
    const w = this.start();
    const id = this.next++;
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

  /** Drops the explainers of models no longer served. */
  forget(modelIds: readonly number[]): void {
    const known = modelIds.filter((id) => this.sent.delete(id));
    if (known.length && this.worker)
      this.worker.postMessage({ kind: 'forget', modelIds: known } satisfies ToExplainThread);
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}
