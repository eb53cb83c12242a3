// What every explainer returns: per row and model output, one additive contribution per model input
// column, and the base value they start from (base + Σ contributions = the model's output).

export interface Contributions {
  readonly rows: number;
  /** Model outputs explained: 1 for a regressor (or a two-class raw score), else one per class. */
  readonly outputs: number;
  /** Columns the contributions are given for. */
  readonly features: number;
  /** rows × outputs × features, row-major: row i, output k, column j at (i·outputs + k)·features + j. */
  readonly values: Float64Array;
  /** Per output: the expected output the contributions start from (the same for every row). */
  readonly base: Float64Array;
}

export function emptyContributions(rows: number, outputs: number, features: number): Contributions {
  return {
    rows,
    outputs,
    features,
    values: new Float64Array(rows * outputs * features),
    base: new Float64Array(outputs),
  };
}

/** The contributions of row `i` to output `k` (a view, not a copy). */
export function contributionsOf(c: Contributions, i: number, k = 0): Float64Array {
  const o = (i * c.outputs + k) * c.features;
  return c.values.subarray(o, o + c.features);
}
