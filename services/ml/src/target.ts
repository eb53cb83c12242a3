// Building and slicing targets (integer class codes or numbers), the y of every fit.
import type { Target } from './estimator.js';

export function classificationTarget(labels: readonly string[]): Target & { kind: 'classification' } {
  // classes sorted like numpy's unique, so class codes match scikit-learn's classes_
  const classes = [...new Set(labels)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(classes.map((c, i) => [c, i]));
  const codes = new Int32Array(labels.length);
  labels.forEach((l, i) => {
    codes[i] = index.get(l) ?? -1;
  });
  return { kind: 'classification', codes, classes };
}

export function regressionTarget(values: ArrayLike<number>): Target & { kind: 'regression' } {
  return { kind: 'regression', values: Float64Array.from(values) };
}

export function takeTarget(y: Target, idx: ArrayLike<number>): Target {
  if (y.kind === 'classification') {
    const codes = new Int32Array(idx.length);
    for (let i = 0; i < idx.length; i++) codes[i] = y.codes[idx[i]];
    return { kind: 'classification', codes, classes: y.classes };
  }
  const values = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) values[i] = y.values[idx[i]];
  return { kind: 'regression', values };
}

export function targetLength(y: Target): number {
  return y.kind === 'classification' ? y.codes.length : y.values.length;
}

export function requireClassification(y: Target, who: string): Target & { kind: 'classification' } {
  if (y.kind !== 'classification') throw new TypeError(`${who} needs class labels, got a numeric target`);
  return y;
}

export function requireRegression(y: Target, who: string): Target & { kind: 'regression' } {
  if (y.kind !== 'regression') throw new TypeError(`${who} needs a numeric target, got class labels`);
  return y;
}
