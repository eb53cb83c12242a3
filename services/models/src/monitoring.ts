// Live figures of one published name over a time window, from its prediction log: traffic and
// latency per minute, the share with outcomes, live accuracy/F1 (classification) or MAE/R²
// (regression), a calibration curve (classifiers) and per-feature drift against the
// training data (population stability index). Pure functions over rows read by
// `Predictions.window`, so a document builder (viz) only draws them.

export interface WindowRow {
  readonly createdAt: Date;
  readonly latencyMs: number;
  readonly output: { readonly prediction?: unknown; readonly probabilities?: Record<string, number> };
  readonly outcome: unknown;
  readonly observation: Record<string, unknown>;
}

/** One time bucket: its start, predictions and those with outcomes (of the whole window), latency quantiles (of the rows read). */
export interface BucketFigures { readonly start: Date; readonly count: number; readonly p50Ms: number; readonly p99Ms: number; readonly withOutcome: number }

/** Counts per bucket over the whole window, from SQL (`Predictions.windowCounts`). */
export interface BucketCount { readonly start: Date; readonly count: number; readonly withOutcome: number }

/** Bucket width for a window: about 60 buckets or fewer, on whole minutes. */
export function bucketMinutesFor(hours: number): number {
  for (const m of [1, 5, 15, 30, 60, 180]) if ((hours * 60) / m <= 60) return m;
  return 360;
}

export interface MonitoringFigures {
  /** Predictions in the window and those with outcomes (all of them, when counts are given). */
  readonly count: number;
  readonly withOutcome: number;
  readonly outcomeShare: number;
  /** The rows the latency, live, calibration and drift figures were computed from (the newest ones). */
  readonly rowsRead: number;
  readonly bucketMinutes: number;
  readonly buckets: BucketFigures[];
  readonly latency: { readonly p50Ms: number; readonly p99Ms: number };
  /**
   * classification: accuracy and macro F1 (as scikit-learn's f1_score(average='macro'): over the
   * classes that occur among the outcomes or the predictions); regression: MAE and R²; null without outcomes.
   */
  readonly live: { readonly accuracy: number; readonly f1Macro: number } | { readonly mae: number; readonly r2: number } | null;
  /**
   * Classifiers, per probability decile: mean predicted probability vs the observed share.
   * Binary: the probability of the second (positive) class vs the share of outcomes in it, as
   * scikit-learn's calibration_curve. More classes: the top-label curve, the probability of the
   * predicted class vs the share of predictions that were right (Guo et al., 2017).
   */
  readonly calibration: Calibration | null;
  /**
   * Per feature: PSI of the window's values against the training values: 10 quantile bins of the
   * training data (numbers), or each training category plus "unseen" and "missing" (text).
   */
  readonly drift: { readonly feature: string; readonly kind: 'numeric' | 'categorical' | null; readonly psi: number }[];
}

export interface Calibration {
  readonly kind: 'positive-class' | 'top-label';
  /** The positive class (binary), or null (top-label). */
  readonly positive: string | null;
  readonly bins: { readonly meanPredicted: number; readonly observed: number; readonly count: number }[];
}

/** PSI above this is usually read as a significant shift. */
export const PSI_THRESHOLD = 0.2;

export function quantile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * What PSI needs of the expected (training) values: the edges of `bins` quantile bins and each
 * bin's share. Computed once per model (viz keeps it), not per window.
 */
export interface NumericPsiReference { readonly edges: readonly number[]; readonly shares: readonly number[] }

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

export function psiReference(expected: readonly number[], bins = 10): NumericPsiReference | null {
  if (!expected.length) return null;
  const sorted = [...expected].sort((a, b) => a - b);
  const edges: number[] = [];
  for (let i = 1; i < bins; i++) edges.push(quantile(sorted, i / bins));
  const uniq = [...new Set(edges)];
  return { edges: uniq, shares: binCounts(uniq, expected).map((n) => n / expected.length) };
}

/** The bucket of a live text value: its category, unseen or missing (null or absent). */
function categoryBucket(ref: CategoricalPsiReference, index: ReadonlyMap<string, number>, v: unknown): number {
  if (v === null || v === undefined) return ref.categories.length + 1;
  // A client may send a category as a number or boolean; what the model sees is its text.
  return index.get(typeof v === 'string' ? v : String(v)) ?? ref.categories.length;
}

/** Categorical PSI reference of training text values (null = missing); null without values. */
export function categoricalPsiReference(expected: readonly (string | null)[]): CategoricalPsiReference | null {
  if (!expected.length) return null;
  const counts = new Map<string, number>();
  let missing = 0;
  for (const v of expected) if (v === null) missing++; else counts.set(v, (counts.get(v) ?? 0) + 1);
  const categories = [...counts.keys()].sort();
  return { kind: 'categorical', categories, shares: [...categories.map((c) => (counts.get(c) ?? 0) / expected.length), 0, missing / expected.length] };
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

/**
 * Population stability index of live values against a reference; NaN without values on either
 * side. Numeric: the numbers of `actual` (others are missing and left out). Text: every value,
 * missing (null, absent) and unseen ones in their own buckets.
 */
export function psiAgainst(ref: PsiReference | null, actual: readonly unknown[]): number {
  if (!ref || !actual.length) return Number.NaN;
  if ('kind' in ref) {
    const index = new Map(ref.categories.map((c, i) => [c, i]));
    const a = new Array<number>(ref.shares.length).fill(0);
    for (const v of actual) a[categoryBucket(ref, index, v)]++;
    return psiOfShares(ref.shares, a, actual.length);
  }
  const xs = actual.filter((v): v is number => typeof v === 'number');
  if (!xs.length) return Number.NaN;
  return psiOfShares(ref.shares, binCounts(ref.edges, xs), xs.length);
}

/** Population stability index of `actual` against `expected`, over `bins` quantile bins of `expected`. */
export function psi(expected: readonly number[], actual: readonly number[], bins = 10): number {
  return psiAgainst(psiReference(expected, bins), actual);
}

export function monitoringFigures(
  rows: readonly WindowRow[],
  model: { readonly task: 'classification' | 'regression'; readonly classes: readonly string[] | null; readonly features: readonly string[] },
  /** Per feature, the PSI reference of its training values (`psiReference`); a feature without one has no drift figure. */
  training: Readonly<Record<string, PsiReference | null>>,
  opts: {
    /** Bucket width (default 1 minute). */
    readonly bucketMinutes?: number;
    /** Counts of the whole window per bucket, when `rows` may be only its newest part. */
    readonly counts?: readonly BucketCount[];
  } = {},
): MonitoringFigures {
  const bucketMinutes = opts.bucketMinutes ?? 1;
  const width = bucketMinutes * 60_000;
  const byBucket = new Map<number, WindowRow[]>();
  for (const r of rows) {
    const m = Math.floor(r.createdAt.getTime() / width);
    let list = byBucket.get(m);
    if (!list) { list = []; byBucket.set(m, list); }
    list.push(r);
  }
  const lat = (rs: readonly WindowRow[]) => rs.map((r) => r.latencyMs).sort((a, b) => a - b);
  const known = rows.filter((r) => r.outcome !== null && r.outcome !== undefined);
  const counted = new Map<number, BucketCount>();
  if (opts.counts) for (const c of opts.counts) counted.set(Math.floor(c.start.getTime() / width), c);
  else for (const [m, rs] of byBucket) counted.set(m, { start: new Date(m * width), count: rs.length, withOutcome: rs.filter((r) => r.outcome !== null && r.outcome !== undefined).length });
  const buckets = [...counted.entries()].sort((a, b) => a[0] - b[0]).map(([m, c]) => {
    const l = lat(byBucket.get(m) ?? []);
    return { start: new Date(m * width), count: c.count, withOutcome: c.withOutcome, p50Ms: quantile(l, 0.5), p99Ms: quantile(l, 0.99) };
  });
  const count = buckets.reduce((n, c) => n + c.count, 0);
  const withOutcome = buckets.reduce((n, c) => n + c.withOutcome, 0);
  const all = lat(rows);

  let live: MonitoringFigures['live'] = null;
  let calibration: MonitoringFigures['calibration'] = null;
  if (known.length && model.task === 'classification') {
    const classes = model.classes ?? [];
    const pred = known.map((r) => String(r.output.prediction));
    const truth = known.map((r) => String(r.outcome));
    const accuracy = pred.filter((p, i) => p === truth[i]).length / known.length;
    const present = new Set([...pred, ...truth]);
    const f1s = classes.filter((c) => present.has(c)).map((c) => {
      const tp = pred.filter((p, i) => p === c && truth[i] === c).length;
      const fp = pred.filter((p, i) => p === c && truth[i] !== c).length;
      const fn = pred.filter((p, i) => p !== c && truth[i] === c).length;
      return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
    });
    live = { accuracy, f1Macro: f1s.length ? f1s.reduce((a, b) => a + b, 0) / f1s.length : 0 };
    if (classes.length >= 2) {
      const positive = classes.length === 2 ? classes[1] : null;
      const bins = Array.from({ length: 10 }, () => ({ sumP: 0, hits: 0, count: 0 }));
      known.forEach((r, i) => {
        // Binary: P(positive) and whether the outcome is positive; else P(predicted class) and whether it was right.
        const p = r.output.probabilities?.[positive ?? pred[i]];
        if (typeof p !== 'number' || !Number.isFinite(p)) return;
        const b = bins[Math.max(0, Math.min(9, Math.floor(p * 10)))];
        b.sumP += p;
        b.count++;
        if (positive === null ? pred[i] === truth[i] : truth[i] === positive) b.hits++;
      });
      calibration = {
        kind: positive === null ? 'top-label' : 'positive-class', positive,
        bins: bins.filter((b) => b.count > 0).map((b) => ({ meanPredicted: b.sumP / b.count, observed: b.hits / b.count, count: b.count })),
      };
    }
  } else if (known.length) {
    const pred = known.map((r) => Number(r.output.prediction));
    const truth = known.map((r) => Number(r.outcome));
    const mean = truth.reduce((a, b) => a + b, 0) / truth.length;
    let ae = 0, ss = 0, st = 0;
    truth.forEach((t, i) => { ae += Math.abs(t - pred[i]); ss += (t - pred[i]) ** 2; st += (t - mean) ** 2; });
    live = { mae: ae / truth.length, r2: st === 0 ? Number.NaN : 1 - ss / st };
  }

  const drift = model.features.map((f) => {
    const ref = training[f] ?? null;
    return { feature: f, kind: ref ? ('kind' in ref ? ref.kind : 'numeric' as const) : null, psi: psiAgainst(ref, rows.map((r) => r.observation[f])) };
  });

  return {
    count, withOutcome, outcomeShare: count ? withOutcome / count : 0, rowsRead: rows.length, bucketMinutes, buckets,
    latency: { p50Ms: quantile(all, 0.5), p99Ms: quantile(all, 0.99) }, live, calibration, drift,
  };
}
