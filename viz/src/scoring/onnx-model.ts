// Scores rows with a stored ONNX model in onnxruntime-node: what the results pages show is what
// serving will answer.
import * as ort from 'onnxruntime-node';

export interface OnnxOutputs {
  /** Class indices (classifiers). */
  readonly label?: Int32Array;
  /** Row-major [N, C] class probabilities (classifiers). */
  readonly probabilities?: Float32Array;
  /** Predicted values (regressors). */
  readonly variable?: Float32Array;
}

export class OnnxModel {
  private constructor(private readonly session: ort.InferenceSession) {}

  static async load(bytes: Uint8Array): Promise<OnnxModel> {
    return new OnnxModel(await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 }));
  }

  /** Scores `n` rows of `features` columns (column arrays, as read from the database). */
  async run(columns: readonly Float64Array[], n: number): Promise<OnnxOutputs> {
    const f = columns.length;
    const x = new Float32Array(n * f);
    for (let j = 0; j < f; j++) {
      const c = columns[j];
      for (let i = 0; i < n; i++) x[i * f + j] = c[i];
    }
    const out = await this.session.run({ X: new ort.Tensor('float32', x, [n, f]) });
    const result: { label?: Int32Array; probabilities?: Float32Array; variable?: Float32Array } = {};
    if (out.label) result.label = Int32Array.from(out.label.data as BigInt64Array, (v) => Number(v));
    if (out.probabilities) result.probabilities = out.probabilities.data as Float32Array;
    if (out.variable) result.variable = out.variable.data as Float32Array;
    return result;
  }

  async release(): Promise<void> { await this.session.release(); }
}
