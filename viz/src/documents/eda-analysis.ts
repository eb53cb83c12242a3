// The numbers behind the EDA document, computed from a sample: box-plot statistics, histograms,
// marker-size bins, mutual information and PCA. Pure functions: no I/O, no BokehJS.
import { mutualInfoClassif, mutualInfoRegression, pcaExplainedVariance } from '@enchilada/ml/analysis';

export interface BoxStats { q1: number; q2: number; q3: number; lo: number; hi: number; outliers: number[] }

/** Linear-interpolated quantile of sorted values (pandas' default). */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const p = (sorted.length - 1) * q;
  const lo = Math.floor(p);
  const hi = Math.ceil(p);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (p - lo);
}

export function present(v: ArrayLike<number>): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < v.length; i++) if (!Number.isNaN(v[i])) out.push(v[i]);
  return Float64Array.from(out);
}

/** Quartiles, whiskers at the furthest points within 1.5 IQR, and the points beyond them. */
export function boxStats(values: ArrayLike<number>, maxOutliers = 500): BoxStats {
  const s = present(values).sort();
  if (s.length === 0) return { q1: NaN, q2: NaN, q3: NaN, lo: NaN, hi: NaN, outliers: [] };
  const q1 = quantile(s, 0.25);
  const q2 = quantile(s, 0.5);
  const q3 = quantile(s, 0.75);
  const iqr = q3 - q1;
  const lowFence = q1 - 1.5 * iqr;
  const highFence = q3 + 1.5 * iqr;
  let lo = q1;
  let hi = q3;
  const outliers: number[] = [];
  for (const v of s) {
    if (v < lowFence || v > highFence) { if (outliers.length < maxOutliers) outliers.push(v); } else {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return { q1, q2, q3, lo, hi, outliers };
}

/** numpy's bins='auto': the smaller bin width of Sturges and Freedman–Diaconis. */
export function histogram(values: ArrayLike<number>, range?: [number, number]): { left: number[]; right: number[]; count: number[] } {
  const s = present(values).sort();
  const n = s.length;
  if (n === 0) return { left: [], right: [], count: [] };
  const [min, max] = range ?? [s[0], s[n - 1]];
  if (max === min) return { left: [min - 0.5], right: [max + 0.5], count: [n] };
  const sturges = (max - min) / (Math.log2(n) + 1);
  const iqr = quantile(s, 0.75) - quantile(s, 0.25);
  const fd = iqr > 0 ? 2 * iqr * Math.cbrt(1 / n) : Infinity;
  const width = Math.min(sturges, fd);
  const bins = Math.max(1, Math.min(200, Math.ceil((max - min) / width)));
  const count = new Array<number>(bins).fill(0);
  for (const v of s) count[Math.min(bins - 1, Math.max(0, Math.floor(((v - min) / (max - min)) * bins)))]++;
  const edge = (i: number) => min + ((max - min) * i) / bins;
  return { left: count.map((_, i) => edge(i)), right: count.map((_, i) => edge(i + 1)), count };
}

/** Marker sizes 6, 9, …, 21 by quantile bin of the value, as the original's crossfilter. */
export function sizeBins(values: ArrayLike<number>): Float32Array {
  const SIZES = [6, 9, 12, 15, 18, 21];
  const s = present(values).sort();
  const edges = SIZES.slice(1).map((_, i) => quantile(s, (i + 1) / SIZES.length));
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) { out[i] = 4; continue; }
    let b = 0;
    while (b < edges.length && v > edges[b]) b++;
    out[i] = SIZES[b];
  }
  return out;
}

export interface Importance { features: string[]; mi: number[]; pcaRatio: number[]; pcaCumulative: number[]; rows: number }

/** MI of each feature with the target and PCA of the standardised features, on complete rows. */
export function importance(
  features: readonly { name: string; values: Float64Array; discrete: boolean }[],
  target: { values: Float64Array; classes?: Int32Array } | null, maxRows = 5000,
): Importance {
  const n = features.length ? features[0].values.length : 0;
  const keep: number[] = [];
  for (let i = 0; i < n && keep.length < maxRows; i++) {
    if (features.every((f) => !Number.isNaN(f.values[i])) && (!target || (target.classes ? target.classes[i] >= 0 : !Number.isNaN(target.values[i])))) keep.push(i);
  }
  const cols = features.map((f) => Float64Array.from(keep, (i) => f.values[i]));
  const discrete = features.map((f) => f.discrete);
  let mi: number[] = features.map(() => NaN);
  if (target && keep.length > 3) {
    const classes = target.classes;
    mi = classes
      ? mutualInfoClassif(cols, Int32Array.from(keep, (i) => classes[i]), { discrete })
      : mutualInfoRegression(cols, Float64Array.from(keep, (i) => target.values[i]), { discrete });
  }
  const pca = keep.length > 1 ? pcaExplainedVariance(cols) : { explainedVarianceRatio: [], cumulative: [] };
  return { features: features.map((f) => f.name), mi, pcaRatio: pca.explainedVarianceRatio, pcaCumulative: pca.cumulative, rows: keep.length };
}
