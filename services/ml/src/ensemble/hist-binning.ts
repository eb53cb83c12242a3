// scikit-learn 1.2's _BinMapper for numeric features: up to max_bins quantile bins per feature
// (midpoints between distinct values when there are few, numpy's 'midpoint' percentiles otherwise,
// computed on at most 200,000 rows), plus one last bin (index max_bins) for missing values.
// A categorical feature's bins are its categories (integer codes, sorted), known from every row
// of the fit (the validation rows too, as scikit-learn's _check_categories sees all of X).
// Binned data is row-major Uint8Array: feature f of row i at i * F + f (a row's bins share a cache
// line, which is what building a node's histogram from scattered rows reads).
import type { Matrix } from '../matrix.js';
import { Stream } from '../tree/random.js';

const { floor, min } = Math;
/** sklearn's ALMOST_INF: thresholds are clipped to it, +inf is kept for "split on nan". */
const ALMOST_INF = 1e300;
export const BINNING_SUBSAMPLE = 200_000;

/** numpy.percentile(sorted, p, method='midpoint') for p = linspace(0, 100, maxBins + 1)[1:-1]. */
function midpointPercentiles(sorted: Float64Array, maxBins: number): Float64Array {
  const n = sorted.length;
  const out = new Float64Array(maxBins - 1);
  const step = 100 / maxBins;
  for (let i = 1; i < maxBins; i++) {
    const q = (i * step) / 100;
    const virtual = q * (n - 1);
    const lo = min(floor(virtual), n - 1);
    const hi = min(lo + 1, n - 1);
    const a = sorted[lo],
      b = sorted[hi];
    // numpy's _lerp with t = 0.5 (b − (b − a)·0.5), or the lower value when the index is whole
    out[i - 1] = virtual - lo === 0 ? a : b - (b - a) * 0.5;
  }
  return out;
}

/** The thresholds of one column: x goes to bin i when thresholds[i-1] < x <= thresholds[i]. */
export function binThresholds(values: Float64Array, maxBins: number): Float64Array {
  let m = 0;
  const data = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) if (values[i] === values[i]) data[m++] = values[i];
  const sorted = data.subarray(0, m).sort();
  let distinct = 0;
  for (let i = 0; i < m; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct++;
  let mids: Float64Array;
  if (distinct <= maxBins) {
    mids = new Float64Array(Math.max(0, distinct - 1));
    let prev = NaN,
      k = -1;
    for (let i = 0; i < m; i++) {
      const v = sorted[i];
      if (i > 0 && v === prev) continue;
      if (k >= 0) mids[k] = (prev + v) * 0.5;
      k++;
      prev = v;
    }
  } else {
    mids = midpointPercentiles(sorted, maxBins);
  }
  for (let i = 0; i < mids.length; i++) if (mids[i] > ALMOST_INF) mids[i] = ALMOST_INF;
  return mids;
}

/**
 * scikit-learn's _check_categories: each categorical column's distinct non-missing values, which
 * must be integer codes in [0, maxBins) (so at most maxBins of them); null for other columns.
 */
export function knownCategories(X: Matrix, isCategorical: Uint8Array, maxBins: number): (Float64Array | null)[] {
  const F = X.cols;
  return Array.from(isCategorical, (c, f) => {
    if (c !== 1) return null;
    const seen = new Uint8Array(maxBins);
    for (let i = 0; i < X.rows; i++) {
      const v = X.data[i * F + f];
      if (v !== v) continue;
      if (!(Number.isInteger(v) && v >= 0 && v < maxBins))
        throw new RangeError(
          `categorical feature at index ${f} must hold integer codes in [0, ${maxBins}), got ${v} at row ${i}`,
        );
      seen[v] = 1;
    }
    const out: number[] = [];
    seen.forEach((s, v) => {
      if (s) out.push(v);
    });
    return Float64Array.from(out);
  });
}

export class BinMapper {
  /** Bin index of missing values: max_bins. */
  readonly missingBin: number;
  constructor(
    /** Per feature: numeric thresholds, or a categorical feature's categories (its bins' values). */
    readonly thresholds: readonly Float64Array[],
    readonly maxBins: number,
    readonly isCategorical: Uint8Array = new Uint8Array(thresholds.length),
  ) {
    this.missingBin = maxBins;
  }

  /** Bins used by non-missing values, per feature. */
  get nBinsNonMissing(): Int32Array {
    return Int32Array.from(this.thresholds, (t, f) => t.length + (this.isCategorical[f] === 1 ? 0 : 1));
  }

  /**
   * Fits on the given rows of X (a seeded sample of 200,000 of them when there are more); the
   * categorical features' bins are `categories` (from all of X: knownCategories).
   */
  static fit(
    X: Matrix,
    subset: Int32Array,
    maxBins: number,
    seed: number,
    categories: readonly (Float64Array | null)[] = [],
  ): BinMapper {
    const n = subset.length,
      F = X.cols;
    let rows: Int32Array = subset;
    if (n > BINNING_SUBSAMPLE) {
      // a partial Fisher–Yates shuffle picks the rows without replacement
      const draw = new Stream(seed);
      const pick = Int32Array.from(subset);
      for (let i = 0; i < BINNING_SUBSAMPLE; i++) {
        const j = i + draw.below(n - i);
        const t = pick[j];
        pick[j] = pick[i];
        pick[i] = t;
      }
      rows = pick.subarray(0, BINNING_SUBSAMPLE);
    }
    const m = rows.length;
    const col = new Float64Array(m);
    const thresholds: Float64Array[] = [];
    const isCategorical = new Uint8Array(F);
    for (let f = 0; f < F; f++) {
      const known = categories[f];
      if (known) {
        isCategorical[f] = 1;
        thresholds.push(known);
        continue;
      }
      for (let k = 0; k < m; k++) col[k] = X.data[rows[k] * F + f];
      thresholds.push(binThresholds(col, maxBins));
    }
    return new BinMapper(thresholds, maxBins, isCategorical);
  }

  /** Row-major bins of the given rows of X, in that order. */
  transform(X: Matrix, rows: Int32Array): Uint8Array {
    const n = rows.length,
      F = X.cols;
    if (F !== this.thresholds.length)
      throw new RangeError(`binning was fitted on ${this.thresholds.length} features, X has ${F}`);
    const out = new Uint8Array(n * F);
    const d = X.data;
    const missing = this.missingBin;
    // Each feature's thresholds padded with +inf to 255 entries (max_bins ≤ 255 leaves ≤ 254), all
    // in one array, so the first threshold >= x is found in eight fixed halving steps written out
    // (no early exit to mispredict); x is finite, so the padding is never below it and the answer is
    // at most the real thresholds' count. Rows outer: each row of X is read once.
    const W = 255;
    const padded = new Float64Array(F * W).fill(Number.POSITIVE_INFINITY);
    for (let f = 0; f < F; f++) padded.set(this.thresholds[f], f * W);
    for (let i = 0; i < n; i++) {
      const src = rows[i] * F,
        dst = i * F;
      for (let f = 0, base = 0; f < F; f++, base += W) {
        const x = d[src + f];
        if (x !== x) {
          out[dst + f] = missing;
          continue;
        }
        // the count of thresholds below x (sklearn's _map_to_bins: the first threshold >= x)
        let at = base - 1;
        at += padded[at + 128] < x ? 128 : 0;
        at += padded[at + 64] < x ? 64 : 0;
        at += padded[at + 32] < x ? 32 : 0;
        at += padded[at + 16] < x ? 16 : 0;
        at += padded[at + 8] < x ? 8 : 0;
        at += padded[at + 4] < x ? 4 : 0;
        at += padded[at + 2] < x ? 2 : 0;
        at += padded[at + 1] < x ? 1 : 0;
        out[dst + f] = at - base + 1;
      }
    }
    return out;
  }
}
