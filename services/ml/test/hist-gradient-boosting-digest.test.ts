// Histogram gradient boosting gives bit-for-bit the same models as the implementation these digests
// were recorded from (commit 0d5aaba, before the histogram and partition loops were rewritten for
// speed): a SHA-256 of each fit's iteration count and its raw scores (float64 bytes) on rows it did
// not see. Any change to the order in which a bin adds its rows, to a split's tie-breaking or to the
// missing-value routing changes a digest. When a change is meant to alter the models, record the new
// digests in the same commit and say why.
import { createHash } from 'node:crypto';
import { Matrix } from '../src/matrix.js';
import { classificationTarget, regressionTarget } from '../src/target.js';
import { mulberry32 } from '../src/random/mulberry32.js';
import {
  HistGradientBoostingClassifier,
  HistGradientBoostingRegressor,
} from '../src/ensemble/hist-gradient-boosting.js';
import type { HistGradientBoostingParams } from '../src/ensemble/hist-gradient-boosting.js';

/**
 * n rows of F features: Gaussian-ish columns, one of few distinct integers, one with 10 % missing
 * values; a nonlinear score drives the target (classes are its quantile bands).
 */
function table(n: number, F: number, seed: number): { X: Matrix; score: Float64Array } {
  const r = mulberry32(seed);
  const gauss = (): number => r() + r() + r() + r() - 2;
  const data = new Float64Array(n * F);
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < F; f++) data[i * F + f] = gauss();
    data[i * F + 1] = Math.floor(r() * 6);
    if (r() < 0.1) data[i * F + 2] = NaN;
    const x0 = data[i * F],
      x2 = data[i * F + 2];
    score[i] =
      Math.sin(3 * x0) +
      data[i * F + 1] * 0.3 +
      (x2 === x2 ? x2 * x2 : 1) -
      data[i * F + 3] * data[i * F + 4] +
      0.3 * gauss();
  }
  return { X: new Matrix(n, F, data), score };
}

function digest(nIter: number, raw: Float64Array): string {
  return createHash('sha256')
    .update(String(nIter))
    .update(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength))
    .digest('hex')
    .slice(0, 16);
}

interface Case {
  readonly name: string;
  readonly task: 'binary' | 'multiclass' | 'regression';
  readonly n: number;
  readonly F: number;
  readonly params: Partial<HistGradientBoostingParams>;
  readonly digest: string;
}

const CASES: Case[] = [
  {
    name: 'two classes, 20 features, early stopping on',
    task: 'binary',
    n: 14_000,
    F: 20,
    params: { max_iter: 40 },
    digest: '0fe8087d7c05fed8',
  },
  {
    name: 'three classes, 7 features, depth-limited',
    task: 'multiclass',
    n: 3_000,
    F: 7,
    params: { max_iter: 15, max_depth: 4, max_leaf_nodes: null },
    digest: 'f546699714c956c4',
  },
  {
    name: 'regression, 5 features, L2 and small leaves',
    task: 'regression',
    n: 4_000,
    F: 5,
    params: { max_iter: 30, l2_regularization: 1, min_samples_leaf: 5, max_bins: 63 },
    digest: '2292c580c5bd3cbd',
  },
  {
    name: 'regression, 13 features, early stopping on',
    task: 'regression',
    n: 12_000,
    F: 13,
    params: { max_iter: 60, max_leaf_nodes: 63 },
    digest: 'ed12e06c4b469a45',
  },
];

describe('histogram gradient boosting is unchanged by speed work', () => {
  test.each(CASES)('$name: the same iteration count and raw scores as recorded', (c) => {
    const { X, score } = table(c.n, c.F, c.n + c.F);
    const cut = Math.floor(c.n * 0.8);
    const Xtr = new Matrix(cut, c.F, X.data.subarray(0, cut * c.F));
    const Xte = new Matrix(c.n - cut, c.F, X.data.subarray(cut * c.F));
    let got: string;
    if (c.task === 'regression') {
      const y = regressionTarget(Array.from(score.subarray(0, cut)));
      const model = new HistGradientBoostingRegressor(c.params).fit(Xtr, y, { seed: 7 });
      got = digest(model.nIter, Float64Array.from(model.predict(Xte)));
    } else {
      const sorted = Float64Array.from(score).sort();
      const bands =
        c.task === 'binary' ? [sorted[c.n >> 1]] : [sorted[Math.floor(c.n / 3)], sorted[Math.floor((2 * c.n) / 3)]];
      const labels = Array.from(score.subarray(0, cut), (s) => String(bands.filter((b) => s > b).length));
      const model = new HistGradientBoostingClassifier(c.params).fit(Xtr, classificationTarget(labels), { seed: 7 });
      got = digest(model.nIter, Float64Array.from(model.decisionFunction(Xte).data));
    }
    expect(got).toBe(c.digest);
  });
});
