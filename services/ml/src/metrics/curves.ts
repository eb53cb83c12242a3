// ROC and precision-recall curves as scikit-learn 1.2 computes them (thresholds at distinct scores,
// collinear ROC points dropped, ROC starting at threshold max+1), their areas, and one-vs-rest AUC.
import type { Matrix } from '../matrix.js';

interface Counts {
  fps: number[];
  tps: number[];
  thresholds: number[];
}

/** sklearn's _binary_clf_curve: cumulative false/true positives at each distinct score, descending. */
function binaryCounts(positive: ArrayLike<boolean>, scores: ArrayLike<number>): Counts {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const fps: number[] = [],
    tps: number[] = [],
    thresholds: number[] = [];
  let tp = 0;
  for (let r = 0; r < n; r++) {
    const i = order[r];
    if (positive[i]) tp++;
    if (r === n - 1 || scores[order[r + 1]] !== scores[i]) {
      tps.push(tp);
      fps.push(r + 1 - tp);
      thresholds.push(scores[i]);
    }
  }
  return { fps, tps, thresholds };
}

export interface RocCurve {
  readonly fpr: number[];
  readonly tpr: number[];
  readonly thresholds: number[];
}

export function rocCurve(positive: ArrayLike<boolean>, scores: ArrayLike<number>): RocCurve {
  let { fps, tps, thresholds } = binaryCounts(positive, scores);
  if (fps.length > 2) {
    // drop_intermediate: keep a point only where the curve bends
    const keep: number[] = [0];
    for (let i = 1; i < fps.length - 1; i++) {
      const d2f = fps[i + 1] - 2 * fps[i] + fps[i - 1];
      const d2t = tps[i + 1] - 2 * tps[i] + tps[i - 1];
      if (d2f !== 0 || d2t !== 0) keep.push(i);
    }
    keep.push(fps.length - 1);
    fps = keep.map((i) => fps[i]);
    tps = keep.map((i) => tps[i]);
    thresholds = keep.map((i) => thresholds[i]);
  }
  fps.unshift(0);
  tps.unshift(0);
  thresholds.unshift(thresholds[0] + 1);
  const fN = fps[fps.length - 1],
    tN = tps[tps.length - 1];
  return {
    fpr: fps.map((v) => (fN === 0 ? NaN : v / fN)),
    tpr: tps.map((v) => (tN === 0 ? NaN : v / tN)),
    thresholds,
  };
}

/** Area under a curve by the trapezoidal rule (x monotonic). */
export function auc(x: readonly number[], y: readonly number[]): number {
  let s = 0;
  for (let i = 1; i < x.length; i++) s += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return Math.abs(s);
}

export interface PrCurve {
  readonly precision: number[];
  readonly recall: number[];
  readonly thresholds: number[];
}

export function precisionRecallCurve(positive: ArrayLike<boolean>, scores: ArrayLike<number>): PrCurve {
  const { fps, tps, thresholds } = binaryCounts(positive, scores);
  const tN = tps[tps.length - 1];
  const precision = tps.map((t, i) => (t + fps[i] === 0 ? 0 : t / (t + fps[i])));
  const recall = tps.map((t) => (tN === 0 ? 1 : t / tN));
  // reversed so recall decreases, closed with the point (recall 0, precision 1)
  return {
    precision: [...precision.reverse(), 1],
    recall: [...recall.reverse(), 0],
    thresholds: thresholds.slice().reverse(),
  };
}

/** Average precision: Σ (R_n − R_{n−1}) P_n, without interpolation. */
export function averagePrecision(positive: ArrayLike<boolean>, scores: ArrayLike<number>): number {
  const { precision, recall } = precisionRecallCurve(positive, scores);
  let s = 0;
  for (let i = 0; i < recall.length - 1; i++) s -= (recall[i + 1] - recall[i]) * precision[i];
  return s;
}

/** One-vs-rest ROC AUC per class and their unweighted mean (roc_auc_score multi_class='ovr'). */
export function rocAucOvr(yTrue: ArrayLike<number>, proba: Matrix): { perClass: number[]; macro: number } {
  const perClass: number[] = [];
  for (let k = 0; k < proba.cols; k++) {
    const pos = Array.from(yTrue, (c) => c === k);
    const r = rocCurve(pos, proba.column(k));
    perClass.push(auc(r.fpr, r.tpr));
  }
  return { perClass, macro: perClass.reduce((a, b) => a + b, 0) / perClass.length };
}
