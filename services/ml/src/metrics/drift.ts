// Drift of one feature between its training values (the reference) and live values: the
// population stability index (PSI), the two-sample Kolmogorov–Smirnov test (numbers), the
// chi-squared goodness-of-fit test (categories) and the choice between them by sample size.
//
// The choice follows Evidently's default (evidently/calculations/stattests/registry.py,
// `_get_default_stattest`): with up to 1,000 rows, a statistical test at p < 0.05 — two-sample
// Kolmogorov–Smirnov (scipy's ks_2samp) for numbers, chi-squared (scipy's chisquare of the live
// counts against the reference shares times the live count) for categories; above 1,000 rows a
// distance with a threshold (Evidently: Wasserstein for numbers, Jensen–Shannon for categories;
// here PSI > 0.2, which this app already drew). One adaptation: Evidently decides on the size of
// the reference sample, because its two windows are usually alike in size. Here the reference is
// the whole training set and the live window is what varies, and a test's power is set by the
// smaller sample (KS's effective size n·m/(n+m) ≈ m when n ≫ m), so the live count decides.
// Below DRIFT_MIN_ROWS live values nothing is decided: one prediction has PSI 4–8.5 on every
// feature, which says nothing about drift.
import gammainc from '@stdlib/math-base-special-gammainc';

/** PSI above this is usually read as a significant shift. */
export const PSI_THRESHOLD = 0.2;
/** A test's p-value below this flags drift (Evidently's default threshold). */
export const DRIFT_P_VALUE = 0.05;
/** Fewer live values than this: "not enough predictions yet", no figure. */
export const DRIFT_MIN_ROWS = 30;
/** Up to this many live values: KS or chi-squared; above: PSI (Evidently's 1,000 rows). */
export const DRIFT_TEST_MAX_ROWS = 1000;
/**
 * The numeric reference keeps this many evenly spaced order statistics of the training values for
 * the KS test: its empirical CDF is within 1/2,000 of the training data's, a few kB a feature.
 */
export const KS_REFERENCE_SIZE = 2000;

/** Linear interpolation between order statistics, as numpy's default quantile. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (!sorted.length) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * What drift needs of the expected (training) numbers: the edges of `bins` quantile bins and each
 * bin's share (PSI), and a sorted sample of at most KS_REFERENCE_SIZE values (KS). Computed once
 * per model (viz keeps it), not per window.
 */
export interface NumericPsiReference {
  readonly edges: readonly number[];
  readonly shares: readonly number[];
  /** Sorted; all the training values when there are at most KS_REFERENCE_SIZE, else evenly spaced order statistics. */
  readonly sample?: readonly number[];
}

/**
 * The same for a text feature: each training category's share, then the share of "unseen" (0 in
 * training, by definition) and of missing values. A live value the model never saw in training
 * is the drift that matters most for a one-hot encoded feature, so it gets its own bucket rather
 * than vanishing; missing values get one because a client that stops sending a field is drift too.
 */
export interface CategoricalPsiReference {
  readonly kind: 'categorical';
  readonly categories: readonly string[];
  /** categories.length + 2 shares: one per category, then unseen, then missing. */
  readonly shares: readonly number[];
}

export type PsiReference = NumericPsiReference | CategoricalPsiReference;

function binCounts(edges: readonly number[], xs: readonly number[]): number[] {
  const c = new Array<number>(edges.length + 1).fill(0);
  for (const x of xs) {
    let k = 0;
    while (k < edges.length && x > edges[k]) k++;
    c[k]++;
  }
  return c;
}

function orderStatistics(sorted: readonly number[], size: number): number[] {
  if (sorted.length <= size) return [...sorted];
  return Array.from({ length: size }, (_, i) => sorted[Math.round((i * (sorted.length - 1)) / (size - 1))]);
}

export function psiReference(expected: readonly number[], bins = 10): NumericPsiReference | null {
  if (!expected.length) return null;
  const sorted = [...expected].sort((a, b) => a - b);
  const edges: number[] = [];
  for (let i = 1; i < bins; i++) edges.push(quantile(sorted, i / bins));
  const uniq = [...new Set(edges)];
  return {
    edges: uniq,
    shares: binCounts(uniq, expected).map((n) => n / expected.length),
    sample: orderStatistics(sorted, KS_REFERENCE_SIZE),
  };
}

/** The bucket of a live text value: its category, unseen or missing (null or absent). */
function categoryBucket(ref: CategoricalPsiReference, index: ReadonlyMap<string, number>, v: unknown): number {
  if (v === null || v === undefined) return ref.categories.length + 1;
  // A client may send a category as a number or boolean; what the model sees is its text.
  return index.get(typeof v === 'string' ? v : String(v)) ?? ref.categories.length;
}

function categoryCounts(ref: CategoricalPsiReference, actual: readonly unknown[]): number[] {
  const index = new Map(ref.categories.map((c, i) => [c, i]));
  const a = new Array<number>(ref.shares.length).fill(0);
  for (const v of actual) a[categoryBucket(ref, index, v)]++;
  return a;
}

/** Categorical PSI reference of training text values (null = missing); null without values. */
export function categoricalPsiReference(expected: readonly (string | null)[]): CategoricalPsiReference | null {
  if (!expected.length) return null;
  const counts = new Map<string, number>();
  let missing = 0;
  for (const v of expected)
    if (v === null) missing++;
    else counts.set(v, (counts.get(v) ?? 0) + 1);
  const categories = [...counts.keys()].sort();
  return {
    kind: 'categorical',
    categories,
    shares: [...categories.map((c) => (counts.get(c) ?? 0) / expected.length), 0, missing / expected.length],
  };
}

/** PSI over matching buckets, shares clipped below at 1e-4 so an empty bucket counts but stays finite. */
function psiOfShares(expected: readonly number[], actual: readonly number[], n: number): number {
  const eps = 1e-4;
  let s = 0;
  for (let k = 0; k < actual.length; k++) {
    const pe = Math.max(expected[k], eps);
    const pa = Math.max(actual[k] / n, eps);
    s += (pa - pe) * Math.log(pa / pe);
  }
  return s;
}

const numbersOf = (actual: readonly unknown[]) =>
  actual.filter((v): v is number => typeof v === 'number' && !Number.isNaN(v));

/**
 * Population stability index of live values against a reference; NaN without values on either
 * side. Numeric: the numbers of `actual` (others are missing and left out). Text: every value,
 * missing (null, absent) and unseen ones in their own buckets.
 */
export function psiAgainst(ref: PsiReference | null, actual: readonly unknown[]): number {
  if (!ref || !actual.length) return Number.NaN;
  if ('kind' in ref) return psiOfShares(ref.shares, categoryCounts(ref, actual), actual.length);
  const xs = actual.filter((v): v is number => typeof v === 'number');
  if (!xs.length) return Number.NaN;
  return psiOfShares(ref.shares, binCounts(ref.edges, xs), xs.length);
}

/** Population stability index of `actual` against `expected`, over `bins` quantile bins of `expected`. */
export function psi(expected: readonly number[], actual: readonly number[], bins = 10): number {
  return psiAgainst(psiReference(expected, bins), actual);
}

/**
 * The Kolmogorov distribution's survival function P(K > x) (scipy.special.kolmogorov), by its two
 * series: Jacobi's theta form converges fast for small x, the alternating one for large x.
 * Hand-written: no npm package exports it (@stdlib/stats-kstest keeps it internal to a one-sample
 * test against a theoretical CDF), and it is these few lines.
 */
export function kolmogorovSf(x: number): number {
  if (!(x > 0)) return 1;
  if (x < 1.18) {
    const w = Math.sqrt(2 * Math.PI) / x;
    let s = 0;
    for (let k = 1; k <= 20; k++) s += Math.exp((-((2 * k - 1) ** 2) * Math.PI ** 2) / (8 * x * x));
    return Math.min(1, Math.max(0, 1 - w * s));
  }
  let s = 0;
  for (let k = 1; k <= 100; k++) {
    const t = Math.exp(-2 * k * k * x * x);
    s += (k % 2 ? 1 : -1) * t;
    if (t < 1e-17) break;
  }
  return Math.min(1, Math.max(0, 2 * s));
}

export interface TestResult {
  readonly statistic: number;
  readonly pValue: number;
}

/**
 * Two-sample Kolmogorov–Smirnov test, two-sided. D is scipy's ks_2samp statistic exactly (the
 * largest gap between the two empirical CDFs, ties included); the p-value is the asymptotic
 * Kolmogorov distribution with Stephens' small-sample correction, P(K > (√e + 0.12 + 0.11/√e)·D)
 * with e = n·m/(n+m) — scipy's own ks_2samp formula before 1.3, within about 0.015 of today's
 * exact p-values on the sizes used here (test/fixtures/drift-tests.json compares both).
 */
export function ks2Samp(a: readonly number[], b: readonly number[]): TestResult {
  if (!a.length || !b.length) return { statistic: Number.NaN, pValue: Number.NaN };
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  let i = 0,
    j = 0,
    d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i], y[j]);
    while (i < x.length && x[i] <= v) i++;
    while (j < y.length && y[j] <= v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  const en = Math.sqrt((x.length * y.length) / (x.length + y.length));
  return { statistic: d, pValue: kolmogorovSf((en + 0.12 + 0.11 / en) * d) };
}

/** P(χ²_df > x): the regularised upper incomplete gamma function (stdlib), accurate far into the tail. */
export function chiSquaredSf(x: number, df: number): number {
  if (!(x >= 0)) return Number.NaN;
  if (x === Number.POSITIVE_INFINITY) return 0;
  return gammainc(x / 2, df / 2, true, true);
}

/**
 * Chi-squared goodness of fit of observed counts against expected shares (scipy's
 * chisquare(f_obs, f_exp = shares · n)), over the buckets that occur on either side, as Evidently
 * keeps the union of both sides' values. A bucket with observations but no expected share (a
 * category never seen in training) makes the statistic infinite and p = 0, as scipy does.
 */
export function chiSquaredGof(observed: readonly number[], expectedShares: readonly number[]): TestResult {
  const n = observed.reduce((s, o) => s + o, 0);
  if (!n) return { statistic: Number.NaN, pValue: Number.NaN };
  let stat = 0,
    buckets = 0;
  for (let k = 0; k < observed.length; k++) {
    const e = expectedShares[k] * n;
    if (e === 0 && observed[k] === 0) continue;
    buckets++;
    stat += e === 0 ? Number.POSITIVE_INFINITY : (observed[k] - e) ** 2 / e;
  }
  if (buckets < 2) return { statistic: stat, pValue: stat === 0 ? 1 : 0 };
  return { statistic: stat, pValue: chiSquaredSf(stat, buckets - 1) };
}

export type DriftMethod = 'ks' | 'chi2' | 'psi';

export interface FeatureDrift {
  /** Live values the decision used (numbers for a numeric feature, every value for a text one). */
  readonly n: number;
  /** The test chosen for n, or null below DRIFT_MIN_ROWS (or without a reference). */
  readonly method: DriftMethod | null;
  /** KS D, chi-squared statistic or PSI. */
  readonly statistic: number;
  /** The test's p-value (KS, chi-squared); null for PSI. */
  readonly pValue: number | null;
  readonly drifted: boolean;
}

/** Drift of one feature's live values, by the test its sample size calls for (see the top of this file). */
export function featureDrift(ref: PsiReference | null, actual: readonly unknown[]): FeatureDrift {
  const categorical = ref !== null && 'kind' in ref;
  const n = categorical ? actual.length : numbersOf(actual).length;
  const none = { n, method: null, statistic: Number.NaN, pValue: null, drifted: false };
  if (!ref || n < DRIFT_MIN_ROWS) return none;
  if (n > DRIFT_TEST_MAX_ROWS) {
    const v = psiAgainst(ref, actual);
    return { n, method: 'psi', statistic: v, pValue: null, drifted: v > PSI_THRESHOLD };
  }
  if ('kind' in ref) {
    const t = chiSquaredGof(categoryCounts(ref, actual), ref.shares);
    return { n, method: 'chi2', statistic: t.statistic, pValue: t.pValue, drifted: t.pValue < DRIFT_P_VALUE };
  }
  if (!ref.sample?.length) return none;
  const t = ks2Samp(ref.sample, numbersOf(actual));
  return { n, method: 'ks', statistic: t.statistic, pValue: t.pValue, drifted: t.pValue < DRIFT_P_VALUE };
}
