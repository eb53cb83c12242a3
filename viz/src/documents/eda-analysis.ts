// The numbers behind the EDA document, computed from a sample: box-plot statistics, histograms,
// marker-size bins, mutual information and PCA. Pure functions: no I/O, no BokehJS.
import { mutualInfoClassif, mutualInfoRegression, pcaExplainedVariance } from '@enchilada/ml/analysis';

export interface BoxStats {
  q1: number;
  q2: number;
  q3: number;
  lo: number;
  hi: number;
  outliers: number[];
}

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
    if (v < lowFence || v > highFence) {
      if (outliers.length < maxOutliers) outliers.push(v);
    } else {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return { q1, q2, q3, lo, hi, outliers };
}

/** numpy's bins='auto': the smaller bin width of Sturges and Freedman–Diaconis. */
export function histogram(
  values: ArrayLike<number>,
  range?: [number, number],
): { left: number[]; right: number[]; count: number[] } {
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
    if (Number.isNaN(v)) {
      out[i] = 4;
      continue;
    }
    let b = 0;
    while (b < edges.length && v > edges[b]) b++;
    out[i] = SIZES[b];
  }
  return out;
}

/** The label missing text values get on count bars and categorical axes. */
export const MISSING = '(missing)';

export interface CategoryCounts {
  /** Most frequent first (ties by value), then "(other …)" when values were cut, then MISSING. */
  readonly values: string[];
  /** The groups counted apart: class labels, or [''] when there are none. */
  readonly groups: string[];
  /** counts[g][v]: rows of group g holding values[v]. */
  readonly counts: number[][];
}

/**
 * Row counts of a text column's most frequent values, per class when classes are given (rows of
 * a missing class form their own group, so the bars add up to every row counted).
 */
export function categoryCounts(
  values: readonly (string | null)[],
  classes?: { labels: readonly string[]; codes: Int32Array },
  top = 10,
): CategoryCounts {
  const total = new Map<string | null, number>();
  for (const v of values) total.set(v, (total.get(v) ?? 0) + 1);
  const ranked = [...total]
    .filter((e): e is [string, number] => e[0] !== null)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([v]) => v);
  const shown = ranked.slice(0, top);
  const rest = ranked.length - shown.length;
  const other = rest > 0 ? `(other ${rest} values)` : null;
  const labels = [...shown, ...(other ? [other] : []), ...(total.has(null) ? [MISSING] : [])];
  const index = new Map<string | null, number>(shown.map((v, i) => [v, i]));
  if (total.has(null)) index.set(null, labels.length - 1);
  const hasMissingClass = classes ? classes.codes.some((c) => c < 0) : false;
  const groups = classes ? [...classes.labels, ...(hasMissingClass ? [MISSING] : [])] : [''];
  const counts = groups.map(() => new Array<number>(labels.length).fill(0));
  values.forEach((v, i) => {
    const g = classes ? (classes.codes[i] < 0 ? groups.length - 1 : classes.codes[i]) : 0;
    counts[g][index.get(v) ?? shown.length]++;
  });
  return { values: labels, groups, counts };
}

/** Codes of a text column in order of first appearance (NaN = missing): MI needs only equality. */
export function textCodes(values: readonly (string | null)[]): Float64Array {
  const seen = new Map<string, number>();
  return Float64Array.from(values, (v) => {
    if (v === null) return NaN;
    let c = seen.get(v);
    if (c === undefined) {
      c = seen.size;
      seen.set(v, c);
    }
    return c;
  });
}

export interface ImportanceFeature {
  readonly name: string;
  /** Numbers, or text codes (textCodes); NaN = missing. */
  readonly values: Float64Array;
  readonly discrete: boolean;
  /** A text column: discrete, kept out of PCA, and its missing values drop rows of its own MI only. */
  readonly categorical?: boolean;
}

export interface Importance {
  features: string[];
  mi: number[];
  /** Rows each feature's MI was estimated on. */
  miRows: number[];
  pcaRatio: number[];
  pcaCumulative: number[];
  /** Complete rows of the numeric features (and target): those of PCA and the numeric MI. */
  rows: number;
}

/**
 * MI of each feature with the target (scikit-learn's estimators, text as discrete_features) and
 * PCA of the standardised numeric features. Numeric features use the rows complete in all of them
 * and the target. A text feature with no missing value there joins the same call, so the result is
 * what mutual_info_* gives for those rows; one with missing values is estimated alone on the rows
 * where it is present, rather than letting one sparse column shrink every other estimate.
 */
export function importance(
  features: readonly ImportanceFeature[],
  target: { values: Float64Array; classes?: Int32Array } | null,
  maxRows = 5000,
): Importance {
  const numeric = features.filter((f) => !f.categorical);
  const n = features.length ? features[0].values.length : 0;
  const hasTarget = (i: number) =>
    !target || (target.classes ? target.classes[i] >= 0 : !Number.isNaN(target.values[i]));
  const keep: number[] = [];
  for (let i = 0; i < n && keep.length < maxRows; i++)
    if (numeric.every((f) => !Number.isNaN(f.values[i])) && hasTarget(i)) keep.push(i);
  const complete = (f: ImportanceFeature) => keep.every((i) => !Number.isNaN(f.values[i]));
  const joint = features.filter((f) => !f.categorical || complete(f));
  const mi = new Map<string, number>();
  const miRows = new Map<string, number>();
  const estimate = (group: readonly ImportanceFeature[], rows: readonly number[]) => {
    if (!target || rows.length <= 3 || group.length === 0) return;
    const cols = group.map((f) => Float64Array.from(rows, (i) => f.values[i]));
    const discrete = group.map((f) => f.discrete || f.categorical === true);
    const classes = target.classes;
    const values = classes
      ? mutualInfoClassif(
          cols,
          Int32Array.from(rows, (i) => classes[i]),
          { discrete },
        )
      : mutualInfoRegression(
          cols,
          Float64Array.from(rows, (i) => target.values[i]),
          { discrete },
        );
    group.forEach((f, j) => {
      mi.set(f.name, values[j]);
      miRows.set(f.name, rows.length);
    });
  };
  estimate(joint, keep);
  for (const f of features)
    if (f.categorical && !joint.includes(f))
      estimate(
        [f],
        keep.filter((i) => !Number.isNaN(f.values[i])),
      );
  const numCols = numeric.map((f) => Float64Array.from(keep, (i) => f.values[i]));
  const pca =
    keep.length > 1 && numCols.length > 0
      ? pcaExplainedVariance(numCols)
      : { explainedVarianceRatio: [], cumulative: [] };
  return {
    features: features.map((f) => f.name),
    mi: features.map((f) => mi.get(f.name) ?? NaN),
    miRows: features.map((f) => miRows.get(f.name) ?? 0),
    pcaRatio: pca.explainedVarianceRatio,
    pcaCumulative: pca.cumulative,
    rows: keep.length,
  };
}
