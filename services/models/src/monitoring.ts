// Live figures of one published name over a time window, from its prediction log: traffic and
// latency per minute, the share with outcomes, live accuracy/F1 (classification) or MAE/R²
// (regression), a calibration curve (classifiers) and per-feature drift against the
// training data (population stability index, and the test its sample size calls for). Pure
// functions over rows read by `Predictions.window`, so a document builder (viz) only draws them;
// the maths (metrics, calibration, PSI, KS, chi-squared) is services/ml's.
import {
  DRIFT_MIN_ROWS,
  accuracy,
  calibrationBins,
  featureDrift,
  macroF1,
  meanAbsoluteError,
  psiAgainst,
  quantile,
  r2ScoreOrNaN,
  type CalibrationBin,
  type DriftMethod,
  type PsiReference,
} from '@enchilada/ml/metrics';

export {
  DRIFT_MIN_ROWS,
  DRIFT_P_VALUE,
  DRIFT_TEST_MAX_ROWS,
  PSI_THRESHOLD,
  categoricalPsiReference,
  psi,
  psiAgainst,
  psiReference,
  quantile,
  type CategoricalPsiReference,
  type DriftMethod,
  type NumericPsiReference,
  type PsiReference,
} from '@enchilada/ml/metrics';

export interface WindowRow {
  readonly createdAt: Date;
  readonly latencyMs: number;
  readonly output: { readonly prediction?: unknown; readonly probabilities?: Record<string, number> };
  readonly outcome: unknown;
  readonly observation: Record<string, unknown>;
}

/** One time bucket: its start, predictions and those with outcomes (of the whole window), latency quantiles (of the rows read). */
export interface BucketFigures {
  readonly start: Date;
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly withOutcome: number;
}

/** Counts per bucket over the whole window, from SQL (`Predictions.windowCounts`). */
export interface BucketCount {
  readonly start: Date;
  readonly count: number;
  readonly withOutcome: number;
}

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
  readonly live:
    { readonly accuracy: number; readonly f1Macro: number } | { readonly mae: number; readonly r2: number } | null;
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
  /**
   * Whether each feature drifts, by the test its live sample size calls for (services/ml's
   * featureDrift: KS or chi-squared at p < 0.05 up to 1,000 values, PSI above, nothing below
   * DRIFT_MIN_ROWS), and the share of features that drift among those decided.
   */
  readonly driftCheck: DriftCheck;
}

export interface DriftCheck {
  /** The live rows read (drift is decided per feature on its values among them). */
  readonly rows: number;
  readonly minRows: number;
  /** rows < minRows: "not enough predictions yet". */
  readonly enough: boolean;
  readonly features: readonly {
    readonly feature: string;
    readonly kind: 'numeric' | 'categorical' | null;
    readonly method: DriftMethod | null;
    readonly statistic: number;
    readonly pValue: number | null;
    readonly drifted: boolean;
  }[];
  /** Features decided (with a method) and those of them that drift. */
  readonly decided: number;
  readonly drifting: number;
  /** drifting / decided (0 when none decided). */
  readonly share: number;
}

export interface Calibration {
  readonly kind: 'positive-class' | 'top-label';
  /** The positive class (binary), or null (top-label). */
  readonly positive: string | null;
  readonly bins: readonly CalibrationBin[];
}

export function monitoringFigures(
  rows: readonly WindowRow[],
  model: {
    readonly task: 'classification' | 'regression';
    readonly classes: readonly string[] | null;
    readonly features: readonly string[];
  },
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
    if (!list) {
      list = [];
      byBucket.set(m, list);
    }
    list.push(r);
  }
  const lat = (rs: readonly WindowRow[]) => rs.map((r) => r.latencyMs).sort((a, b) => a - b);
  const known = rows.filter((r) => r.outcome !== null && r.outcome !== undefined);
  const counted = new Map<number, BucketCount>();
  if (opts.counts) for (const c of opts.counts) counted.set(Math.floor(c.start.getTime() / width), c);
  else
    for (const [m, rs] of byBucket)
      counted.set(m, {
        start: new Date(m * width),
        count: rs.length,
        withOutcome: rs.filter((r) => r.outcome !== null && r.outcome !== undefined).length,
      });
  const buckets = [...counted.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([m, c]) => {
      const l = lat(byBucket.get(m) ?? []);
      return {
        start: new Date(m * width),
        count: c.count,
        withOutcome: c.withOutcome,
        p50Ms: quantile(l, 0.5),
        p99Ms: quantile(l, 0.99),
      };
    });
  const count = buckets.reduce((n, c) => n + c.count, 0);
  const withOutcome = buckets.reduce((n, c) => n + c.withOutcome, 0);
  const all = lat(rows);

  let live: MonitoringFigures['live'] = null;
  let calibration: MonitoringFigures['calibration'] = null;
  if (known.length && model.task === 'classification') {
    const classes = model.classes ?? [];
    // A label outside the model's classes is one more code: it counts against the others but is not averaged.
    const code = new Map(classes.map((c, k) => [c, k]));
    const encode = (v: unknown) => code.get(String(v)) ?? classes.length;
    const pred = known.map((r) => encode(r.output.prediction));
    const truth = known.map((r) => encode(r.outcome));
    live = { accuracy: accuracy(truth, pred), f1Macro: macroF1(truth, pred, classes.length) };
    if (classes.length >= 2) {
      const [, second] = classes;
      const positive = classes.length === 2 && second !== undefined ? second : null;
      // Binary: P(positive) and whether the outcome is positive; else P(predicted class) and whether it was right.
      const probabilities = known.map((r) => r.output.probabilities?.[positive ?? String(r.output.prediction)]);
      const hits = known.map((r) =>
        positive === null ? String(r.output.prediction) === String(r.outcome) : String(r.outcome) === positive,
      );
      calibration = {
        kind: positive === null ? 'top-label' : 'positive-class',
        positive,
        bins: calibrationBins(probabilities, hits),
      };
    }
  } else if (known.length) {
    const pred = known.map((r) => Number(r.output.prediction));
    const truth = known.map((r) => Number(r.outcome));
    live = { mae: meanAbsoluteError(truth, pred), r2: r2ScoreOrNaN(truth, pred) };
  }

  const kindOf = (ref: PsiReference | null) => (ref ? ('kind' in ref ? ref.kind : ('numeric' as const)) : null);
  const valuesOf = (f: string) => rows.map((r) => r.observation[f]);
  const drift = model.features.map((f) => {
    const ref = training[f] ?? null;
    return { feature: f, kind: kindOf(ref), psi: psiAgainst(ref, valuesOf(f)) };
  });
  const tested = model.features.map((f) => {
    const ref = training[f] ?? null;
    const d = featureDrift(ref, valuesOf(f));
    return {
      feature: f,
      kind: kindOf(ref),
      method: d.method,
      statistic: d.statistic,
      pValue: d.pValue,
      drifted: d.drifted,
    };
  });
  const decided = tested.filter((t) => t.method !== null).length;
  const drifting = tested.filter((t) => t.drifted).length;
  const driftCheck: DriftCheck = {
    rows: rows.length,
    minRows: DRIFT_MIN_ROWS,
    enough: rows.length >= DRIFT_MIN_ROWS,
    features: tested,
    decided,
    drifting,
    share: decided ? drifting / decided : 0,
  };

  return {
    count,
    withOutcome,
    outcomeShare: count ? withOutcome / count : 0,
    rowsRead: rows.length,
    bucketMinutes,
    buckets,
    latency: { p50Ms: quantile(all, 0.5), p99Ms: quantile(all, 0.99) },
    live,
    calibration,
    drift,
    driftCheck,
  };
}
