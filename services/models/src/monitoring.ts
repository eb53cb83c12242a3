// Live figures of one published name over a time window, from its prediction log: traffic and
// latency per minute, the share with outcomes, live accuracy/F1 (classification) or MAE/R²
// (regression), a calibration curve (binary classifiers) and per-feature drift against the
// training data (population stability index). Pure functions over rows read by
// `Predictions.window`, so a document builder (viz) only draws them.

export interface WindowRow {
  readonly createdAt: Date;
  readonly latencyMs: number;
  readonly output: { readonly prediction?: unknown; readonly probabilities?: Record<string, number> };
  readonly outcome: unknown;
  readonly observation: Record<string, unknown>;
}

export interface MinuteFigures { readonly minute: Date; readonly count: number; readonly p50Ms: number; readonly p99Ms: number; readonly withOutcome: number }

export interface MonitoringFigures {
  readonly count: number;
  readonly withOutcome: number;
  readonly outcomeShare: number;
  readonly perMinute: MinuteFigures[];
  readonly latency: { readonly p50Ms: number; readonly p99Ms: number };
  /** classification: accuracy and macro F1; regression: MAE and R²; null without outcomes. */
  readonly live: { readonly accuracy: number; readonly f1Macro: number } | { readonly mae: number; readonly r2: number } | null;
  /** Binary classifiers: mean predicted probability of the second class vs the observed share, per probability decile. */
  readonly calibration: { readonly meanPredicted: number; readonly observed: number; readonly count: number }[] | null;
  /** Per feature: PSI of the window's values against the training values (10 quantile bins of the training data). */
  readonly drift: { readonly feature: string; readonly psi: number }[];
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

/** Population stability index of `actual` against `expected`, over `bins` quantile bins of `expected`. */
export function psi(expected: readonly number[], actual: readonly number[], bins = 10): number {
  if (!expected.length || !actual.length) return Number.NaN;
  const sorted = [...expected].sort((a, b) => a - b);
  const edges: number[] = [];
  for (let i = 1; i < bins; i++) edges.push(quantile(sorted, i / bins));
  const uniq = [...new Set(edges)];
  const count = (xs: readonly number[]) => {
    const c = new Array<number>(uniq.length + 1).fill(0);
    for (const x of xs) {
      let k = 0;
      while (k < uniq.length && x > uniq[k]) k++;
      c[k]++;
    }
    return c;
  };
  const e = count(expected);
  const a = count(actual);
  const eps = 1e-4;
  let s = 0;
  for (let k = 0; k < e.length; k++) {
    const pe = Math.max(e[k] / expected.length, eps);
    const pa = Math.max(a[k] / actual.length, eps);
    s += (pa - pe) * Math.log(pa / pe);
  }
  return s;
}

export function monitoringFigures(
  rows: readonly WindowRow[],
  model: { readonly task: 'classification' | 'regression'; readonly classes: readonly string[] | null; readonly features: readonly string[] },
  training: Readonly<Record<string, readonly number[]>>,
): MonitoringFigures {
  const byMinute = new Map<number, WindowRow[]>();
  for (const r of rows) {
    const m = Math.floor(r.createdAt.getTime() / 60_000);
    let list = byMinute.get(m);
    if (!list) { list = []; byMinute.set(m, list); }
    list.push(r);
  }
  const lat = (rs: readonly WindowRow[]) => rs.map((r) => r.latencyMs).sort((a, b) => a - b);
  const perMinute = [...byMinute.entries()].sort((a, b) => a[0] - b[0]).map(([m, rs]) => {
    const l = lat(rs);
    return { minute: new Date(m * 60_000), count: rs.length, p50Ms: quantile(l, 0.5), p99Ms: quantile(l, 0.99), withOutcome: rs.filter((r) => r.outcome !== null).length };
  });
  const all = lat(rows);
  const known = rows.filter((r) => r.outcome !== null && r.outcome !== undefined);

  let live: MonitoringFigures['live'] = null;
  let calibration: MonitoringFigures['calibration'] = null;
  if (known.length && model.task === 'classification') {
    const classes = model.classes ?? [];
    const pred = known.map((r) => String(r.output.prediction));
    const truth = known.map((r) => String(r.outcome));
    const accuracy = pred.filter((p, i) => p === truth[i]).length / known.length;
    const f1s = classes.map((c) => {
      const tp = pred.filter((p, i) => p === c && truth[i] === c).length;
      const fp = pred.filter((p, i) => p === c && truth[i] !== c).length;
      const fn = pred.filter((p, i) => p !== c && truth[i] === c).length;
      return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
    });
    live = { accuracy, f1Macro: f1s.length ? f1s.reduce((a, b) => a + b, 0) / f1s.length : 0 };
    if (classes.length === 2) {
      const positive = classes[1];
      const bins = Array.from({ length: 10 }, () => ({ sumP: 0, hits: 0, count: 0 }));
      for (const r of known) {
        const p = r.output.probabilities?.[positive];
        if (typeof p !== 'number') continue;
        const b = bins[Math.min(9, Math.floor(p * 10))];
        b.sumP += p;
        b.count++;
        if (String(r.outcome) === positive) b.hits++;
      }
      calibration = bins.filter((b) => b.count > 0).map((b) => ({ meanPredicted: b.sumP / b.count, observed: b.hits / b.count, count: b.count }));
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
    const actual = rows.map((r) => r.observation[f]).filter((v): v is number => typeof v === 'number');
    return { feature: f, psi: psi(training[f] ?? [], actual) };
  });

  return {
    count: rows.length, withOutcome: known.length, outcomeShare: rows.length ? known.length / rows.length : 0, perMinute,
    latency: { p50Ms: quantile(all, 0.5), p99Ms: quantile(all, 0.99) }, live, calibration, drift,
  };
}
