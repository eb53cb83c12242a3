// Sampled interventional SHAP for models with no exact algorithm (kernel SVM, k-NN, naive Bayes):
// permutation sampling (Štrumbelj & Kononenko, "Explaining prediction models and individual
// predictions with feature contributions", KAIS 41, 2014), with antithetic pairs (each permutation
// and its reverse, as shap's PermutationExplainer does) against a background sample. A "player" is a
// group of input columns switched together — a table column with all its one-hot or date-part columns
// — so no coalition ever shows the model an impossible one-hot row, and the values come out per
// original column. Every sampled permutation's values add up exactly to f(x) − E[f(background)], so
// the estimate does too; its sampling error is reported per value as a standard error over the pairs.
import { Matrix } from '../matrix.js';
import { emptyContributions, type Contributions } from './contributions.js';
import { mulberry32 as generator } from '../random/mulberry32.js';

/** The explained output: rows × outputs, row-major (probabilities, a regressor's prediction, …). */
export type Predict = (X: Matrix) => Float64Array;

export interface SamplingOptions {
  /** Input column j belongs to player groups[j] (0 … players − 1); default: each column its own. */
  readonly groups?: Int32Array;
  readonly players?: number;
  /** Antithetic pairs of permutations per row (each pair costs 2 · (players + 1) · background rows). */
  readonly pairs?: number;
  readonly seed?: number;
}

export interface SampledContributions extends Contributions {
  /** Standard error of each value (same layout as values): the spread of the pairs' estimates / √pairs. */
  readonly stderr: Float64Array;
  readonly pairs: number;
}

export function samplingShap(
  predict: Predict,
  X: Matrix,
  background: Matrix,
  options: SamplingOptions = {},
): SampledContributions {
  const F = X.cols;
  if (background.cols !== F) throw new RangeError(`background has ${background.cols} columns, X has ${F}`);
  if (background.rows === 0) throw new RangeError('the background needs at least one row');
  const groups = options.groups ?? Int32Array.from({ length: F }, (_, j) => j);
  const G = options.players ?? F;
  if (groups.length !== F) throw new RangeError(`${groups.length} groups given for ${F} columns`);
  const members: number[][] = Array.from({ length: G }, () => []);
  groups.forEach((g, j) => {
    if (g >= G) throw new RangeError(`column ${j} is in group ${g}, but there are ${G} players`);
    if (g >= 0) members[g]?.push(j);
  });
  const pairs = Math.max(1, options.pairs ?? 16);
  const rand = generator(options.seed ?? 0);
  const B = background.rows;

  const baseOut = predict(background);
  const K = baseOut.length / B;
  const out = emptyContributions(X.rows, K, G);
  for (let b = 0; b < B; b++) for (let k = 0; k < K; k++) out.base[k] += baseOut[b * K + k] / B;
  const stderr = new Float64Array(out.values.length);

  const order = Int32Array.from({ length: G }, (_, g) => g);
  const pairValue = new Float64Array(K * G);
  // Welford's running mean and sum of squared deviations over the pairs (no cancellation when the
  // pairs agree, as they do exactly for an additive model)
  const mean = new Float64Array(K * G);
  const m2 = new Float64Array(K * G);
  const walk = (x: Float64Array, forward: boolean): void => {
    // one permutation's coalitions: (G + 1) blocks of the background, block s with the first s
    // players of x. A new matrix each time: the engine caches per matrix (its float32 copy), so a
    // matrix is never changed once a model has seen it.
    const z = new Matrix((G + 1) * B, F);
    for (let s = 0; s <= G; s++) z.data.set(background.data, s * B * F);
    for (let s = 1; s <= G; s++) {
      const player = order[forward ? s - 1 : G - s] ?? 0;
      // blocks s … G see x's value for this player
      for (let t = s; t <= G; t++) {
        for (let b = 0; b < B; b++) {
          const o = (t * B + b) * F;
          for (const j of members[player] ?? []) z.data[o + j] = x[j] ?? 0;
        }
      }
    }
    const v = predict(z);
    for (let s = 1; s <= G; s++) {
      const player = order[forward ? s - 1 : G - s] ?? 0;
      for (let k = 0; k < K; k++) {
        let before = 0;
        let after = 0;
        for (let b = 0; b < B; b++) {
          before += v[((s - 1) * B + b) * K + k] ?? 0;
          after += v[(s * B + b) * K + k] ?? 0;
        }
        pairValue[k * G + player] += (after - before) / B / 2;
      }
    }
  };

  for (let i = 0; i < X.rows; i++) {
    const x = X.data.subarray(i * F, (i + 1) * F);
    mean.fill(0);
    m2.fill(0);
    for (let p = 0; p < pairs; p++) {
      // Fisher–Yates
      for (let g = G - 1; g > 0; g--) {
        const r = Math.floor(rand() * (g + 1));
        const t = order[g] ?? 0;
        order[g] = order[r] ?? 0;
        order[r] = t;
      }
      pairValue.fill(0);
      walk(x, true);
      walk(x, false);
      for (let n = 0; n < K * G; n++) {
        const v = pairValue[n] ?? 0;
        const d = v - (mean[n] ?? 0);
        mean[n] += d / (p + 1);
        m2[n] += d * (v - (mean[n] ?? 0));
      }
    }
    for (let n = 0; n < K * G; n++) {
      out.values[i * K * G + n] = mean[n] ?? 0;
      stderr[i * K * G + n] = pairs > 1 ? Math.sqrt((m2[n] ?? 0) / (pairs - 1) / pairs) : NaN;
    }
  }
  return { ...out, stderr, pairs };
}
