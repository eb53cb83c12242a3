// Scores rows with a stored ONNX model in onnxruntime-node: what the results pages show is what
// serving will answer. Mixed-table models read one input per column (their `inputs` contract);
// models trained before them read one float matrix X of their features.
import * as ort from 'onnxruntime-node';
import type { TrainingColumn } from '@enchilada/data';
import { feedsFromColumns, type Feed, type ModelInput } from '@enchilada/models';

export interface OnnxOutputs {
  /** Class indices (classifiers). */
  readonly label?: Int32Array;
  /** Row-major [N, C] class probabilities (classifiers). */
  readonly probabilities?: Float32Array;
  /** Predicted values (regressors). */
  readonly variable?: Float32Array;
}

/** What scoring needs to know of a stored model. */
export interface ScoredModel {
  readonly features: readonly string[];
  readonly inputs: readonly ModelInput[] | null;
}

/** The ONNX feeds for `n` rows of a model's columns (in any order; matched by name). */
export function columnFeeds(model: ScoredModel, columns: readonly TrainingColumn[], n: number): Record<string, Feed> {
  const byName = new Map(columns.map((c) => [c.name, c.values]));
  if (model.inputs) return feedsFromColumns(model.inputs, byName, n);
  const f = model.features.length;
  const x = new Float32Array(n * f);
  model.features.forEach((name, j) => {
    const c = byName.get(name);
    if (!(c instanceof Float64Array)) throw new RangeError(`the model's feature ${name} is not a numeric column here`);
    for (let i = 0; i < n; i++) x[i * f + j] = c[i];
  });
  return { X: { type: 'float32', data: x, width: f } };
}

/** Rows per onnxruntime run (see OnnxModel.run). */
export const CHUNK_ROWS = 512;

/** Rows [start, end) of each feed. */
function sliceFeeds(feeds: Readonly<Record<string, Feed>>, start: number, end: number): Record<string, Feed> {
  const out: Record<string, Feed> = {};
  for (const [name, f] of Object.entries(feeds)) {
    out[name] =
      f.type === 'string'
        ? { type: 'string', data: f.data.slice(start, end), width: 1 }
        : { type: 'float32', data: f.data.subarray(start * f.width, end * f.width), width: f.width };
  }
  return out;
}

export class OnnxModel {
  private constructor(private readonly session: ort.InferenceSession) {}

  static async load(bytes: Uint8Array): Promise<OnnxModel> {
    return new OnnxModel(await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 }));
  }

  /** Scores `n` rows of the model's columns. */
  async score(model: ScoredModel, columns: readonly TrainingColumn[], n: number): Promise<OnnxOutputs> {
    return this.run(columnFeeds(model, columns, n), n);
  }

  /**
   * Scores `n` rows, CHUNK_ROWS at a time. onnxruntime-node's run blocks the event loop until it
   * returns, and some operators hold a row × model matrix (SVMClassifier: every row's kernel with
   * every support vector, 1.3 GB for 20,000 rows of an SVC with 16,000 support vectors, measured
   * through bench:limits): in chunks, memory stays at a chunk's and the loop answers between them.
   */
  async run(feeds: Readonly<Record<string, Feed>>, n: number): Promise<OnnxOutputs> {
    if (n <= CHUNK_ROWS) return this.runRows(feeds, n);
    const parts: OnnxOutputs[] = [];
    for (let start = 0; start < n; start += CHUNK_ROWS) {
      const end = Math.min(n, start + CHUNK_ROWS);
      parts.push(await this.runRows(sliceFeeds(feeds, start, end), end - start));
      await new Promise((r) => setImmediate(r));
    }
    const join = <T extends Int32Array | Float32Array>(
      get: (o: OnnxOutputs) => T | undefined,
      make: (len: number) => T,
    ): T | undefined => {
      const chunks = parts.map(get);
      if (chunks.some((c) => c === undefined)) return undefined;
      const out = make(chunks.reduce((a, c) => a + (c?.length ?? 0), 0));
      let at = 0;
      for (const c of chunks)
        if (c) {
          out.set(c, at);
          at += c.length;
        }
      return out;
    };
    const result: { label?: Int32Array; probabilities?: Float32Array; variable?: Float32Array } = {};
    const label = join(
      (o) => o.label,
      (len) => new Int32Array(len),
    );
    const probabilities = join(
      (o) => o.probabilities,
      (len) => new Float32Array(len),
    );
    const variable = join(
      (o) => o.variable,
      (len) => new Float32Array(len),
    );
    if (label) result.label = label;
    if (probabilities) result.probabilities = probabilities;
    if (variable) result.variable = variable;
    return result;
  }

  private async runRows(feeds: Readonly<Record<string, Feed>>, n: number): Promise<OnnxOutputs> {
    const tensors: Record<string, ort.Tensor> = {};
    for (const [name, feed] of Object.entries(feeds)) {
      tensors[name] =
        feed.type === 'string'
          ? new ort.Tensor('string', feed.data, [n, 1])
          : new ort.Tensor('float32', feed.data, [n, feed.width]);
    }
    const out = await this.session.run(tensors);
    const result: { label?: Int32Array; probabilities?: Float32Array; variable?: Float32Array } = {};
    if (out.label) result.label = Int32Array.from(out.label.data as BigInt64Array, (v) => Number(v));
    if (out.probabilities) result.probabilities = out.probabilities.data as Float32Array;
    if (out.variable) result.variable = out.variable.data as Float32Array;
    return result;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
