// Classification metrics as scikit-learn computes them: accuracy, classification_report (per class,
// macro and weighted averages, zero_division=0) and the confusion matrix, raw or normalised by row.
import { Matrix } from '../matrix.js';

export function accuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkSameLength(yTrue, yPred);
  let ok = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) ok++;
  return ok / yTrue.length;
}

export interface ClassScores {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;
}

export interface ClassificationReport {
  readonly perClass: readonly ClassScores[];
  readonly accuracy: number;
  readonly macro: ClassScores;
  readonly weighted: ClassScores;
}

/** Row i, column j: how many rows of true class i were predicted j. */
export function confusionMatrix(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  nClasses: number,
  normalize?: 'true',
): Matrix {
  checkSameLength(yTrue, yPred);
  const m = new Matrix(nClasses, nClasses);
  for (let i = 0; i < yTrue.length; i++) m.data[yTrue[i] * nClasses + yPred[i]]++;
  if (normalize === 'true') {
    for (let i = 0; i < nClasses; i++) {
      let s = 0;
      for (let j = 0; j < nClasses; j++) s += m.data[i * nClasses + j];
      // sklearn leaves a row of a class absent from y_true at zero rather than NaN
      for (let j = 0; j < nClasses; j++) m.data[i * nClasses + j] = s === 0 ? 0 : m.data[i * nClasses + j] / s;
    }
  }
  return m;
}

export function classificationReport(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  nClasses: number,
): ClassificationReport {
  const cm = confusionMatrix(yTrue, yPred, nClasses);
  const perClass: ClassScores[] = [];
  for (let k = 0; k < nClasses; k++) {
    let tp = 0,
      predicted = 0,
      actual = 0;
    for (let j = 0; j < nClasses; j++) {
      predicted += cm.data[j * nClasses + k];
      actual += cm.data[k * nClasses + j];
    }
    tp = cm.data[k * nClasses + k];
    const precision = predicted === 0 ? 0 : tp / predicted;
    const recall = actual === 0 ? 0 : tp / actual;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    perClass.push({ precision, recall, f1, support: actual });
  }
  const total = yTrue.length;
  const avg = (w: (c: ClassScores) => number, denom: number): ClassScores => ({
    precision: perClass.reduce((s, c) => s + w(c) * c.precision, 0) / denom,
    recall: perClass.reduce((s, c) => s + w(c) * c.recall, 0) / denom,
    f1: perClass.reduce((s, c) => s + w(c) * c.f1, 0) / denom,
    support: total,
  });
  return {
    perClass,
    accuracy: accuracy(yTrue, yPred),
    macro: avg(() => 1, nClasses),
    weighted: avg((c) => c.support, total),
  };
}

/**
 * Macro F1 as scikit-learn's f1_score(average='macro') without `labels`: the mean F1 over the classes
 * that occur among y_true or y_pred, each F1 = 2·TP / (2·TP + FP + FN) (as scikit-learn ≥ 1.3
 * computes it). Codes from `averaged` up (labels outside the model's classes, as live outcomes may
 * bring) count in the others' false positives and negatives but are not averaged; 0 when no
 * averaged class occurs.
 */
export function macroF1(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, averaged: number): number {
  checkSameLength(yTrue, yPred);
  const tp = new Float64Array(averaged);
  const fp = new Float64Array(averaged);
  const fn = new Float64Array(averaged);
  const seen = new Uint8Array(averaged);
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i];
    const p = yPred[i];
    if (t < averaged) seen[t] = 1;
    if (p < averaged) seen[p] = 1;
    if (t === p) {
      if (t < averaged) tp[t]++;
    } else {
      if (p < averaged) fp[p]++;
      if (t < averaged) fn[t]++;
    }
  }
  let sum = 0;
  let m = 0;
  for (let c = 0; c < averaged; c++) {
    if (!seen[c]) continue;
    m++;
    const d = 2 * tp[c] + fp[c] + fn[c];
    sum += d ? (2 * tp[c]) / d : 0;
  }
  return m ? sum / m : 0;
}

export function checkSameLength(a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new RangeError(`y_true has ${a.length} values, y_pred ${b.length}`);
  if (a.length === 0) throw new RangeError('metrics need at least one value');
}
