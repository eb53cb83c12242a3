import { Matrix } from '../src/matrix.js';
import { samplingShap, type Predict } from '../src/explain/sampling-shap.js';
import { contributionsOf } from '../src/explain/contributions.js';
import { KNeighborsClassifier } from '../src/neighbors/knn.js';
import { SVC } from '../src/svm/svc.js';
import { loadDataset } from './support/datasets.js';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const randomMatrix = (rand: () => number, rows: number, cols: number) =>
  new Matrix(
    rows,
    cols,
    Float64Array.from({ length: rows * cols }, () => rand() * 4 - 2),
  );

/** Exact interventional Shapley values over players by enumeration: v(S) = mean over the background of f(x_S, b_rest). */
function bruteForce(
  predict: Predict,
  x: Float64Array,
  background: Matrix,
  groups: Int32Array,
  G: number,
): { phi: Float64Array; base: Float64Array } {
  const F = x.length;
  const B = background.rows;
  const z = new Matrix((1 << G) * B, F);
  for (let S = 0; S < 1 << G; S++) {
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < F; j++)
        z.data[(S * B + b) * F + j] = (S >> groups[j]) & 1 ? x[j] : background.data[b * F + j];
    }
  }
  const out = predict(z);
  const K = out.length / z.rows;
  const v = new Float64Array((1 << G) * K);
  for (let S = 0; S < 1 << G; S++)
    for (let b = 0; b < B; b++) for (let k = 0; k < K; k++) v[S * K + k] += out[(S * B + b) * K + k] / B;
  const fact = [1];
  for (let i = 1; i <= G; i++) fact.push(fact[i - 1] * i);
  const phi = new Float64Array(K * G);
  for (let g = 0; g < G; g++) {
    for (let S = 0; S < 1 << G; S++) {
      if ((S >> g) & 1) continue;
      let size = 0;
      for (let q = 0; q < G; q++) size += (S >> q) & 1;
      const w = (fact[size] * fact[G - size - 1]) / fact[G];
      for (let k = 0; k < K; k++) phi[k * G + g] += w * (v[(S | (1 << g)) * K + k] - v[S * K + k]);
    }
  }
  return { phi, base: v.slice(0, K) };
}

// a function with interactions, two outputs
const nonlinear: Predict = (X) => {
  const out = new Float64Array(X.rows * 2);
  for (let i = 0; i < X.rows; i++) {
    const [a, b, c, d] = X.data.subarray(i * 4, i * 4 + 4);
    out[i * 2] = a * b + Math.sin(c) + d * d * a;
    out[i * 2 + 1] = Math.max(0, a + b - c) * d;
  }
  return out;
};

describe('sampled SHAP (antithetic permutation sampling against a background)', () => {
  it('is exact, with zero standard error, for an additive model: w · (x − background mean)', () => {
    const rand = lcg(3);
    const W = [0.5, -2, 1.5];
    const predict: Predict = (X) =>
      Float64Array.from({ length: X.rows }, (_, i) => 1 + W.reduce((s, w, j) => s + w * X.data[i * 3 + j], 0));
    const X = randomMatrix(rand, 5, 3);
    const bg = randomMatrix(rand, 8, 3);
    const c = samplingShap(predict, X, bg, { pairs: 3, seed: 1 });
    for (let i = 0; i < X.rows; i++) {
      for (let j = 0; j < 3; j++) {
        let mean = 0;
        for (let b = 0; b < bg.rows; b++) mean += bg.data[b * 3 + j] / bg.rows;
        expect(Math.abs(contributionsOf(c, i)[j] - W[j] * (X.data[i * 3 + j] - mean))).toBeLessThan(1e-12);
      }
    }
    expect(Math.max(...c.stderr)).toBeLessThan(1e-12);
  });

  it('adds up exactly to f(x) − E[f(background)], and lands within 4 standard errors of the exact values, which it approaches as pairs grow', () => {
    const rand = lcg(11);
    const X = randomMatrix(rand, 6, 4);
    const bg = randomMatrix(rand, 10, 4);
    const groups = Int32Array.from([0, 1, 2, 3]);
    const error = (pairs: number) => {
      const c = samplingShap(nonlinear, X, bg, { pairs, seed: 5 });
      const fx = nonlinear(X);
      let worst = 0;
      let outside = 0;
      for (let i = 0; i < X.rows; i++) {
        const exact = bruteForce(nonlinear, X.data.subarray(i * 4, i * 4 + 4), bg, groups, 4);
        for (let k = 0; k < 2; k++) {
          expect(Math.abs(c.base[k] - exact.base[k])).toBeLessThan(1e-12);
          const mine = contributionsOf(c, i, k);
          expect(Math.abs(mine.reduce((s, v) => s + v, c.base[k]) - fx[i * 2 + k])).toBeLessThan(1e-12);
          for (let g = 0; g < 4; g++) {
            const e = Math.abs(mine[g] - exact.phi[k * 4 + g]);
            worst = Math.max(worst, e);
            if (e > 4 * c.stderr[(i * 2 + k) * 4 + g] + 1e-12) outside++;
          }
        }
      }
      return { worst, outside };
    };
    const few = error(16);
    const many = error(256);
    expect(few.outside).toBeLessThanOrEqual(1); // of 48 values (|t| > 4 at 15 degrees of freedom: p ≈ 0.001 each)
    expect(many.outside).toBeLessThanOrEqual(1);
    expect(many.worst).toBeLessThan(few.worst / 3);
    expect(many.worst).toBeLessThan(0.05);
  });

  it('switches a group of columns together (a one-hot column), giving the group’s exact value', () => {
    const rand = lcg(21);
    // columns 1 and 2 are one group: the model multiplies them, so they only matter together
    const predict: Predict = (X) =>
      Float64Array.from(
        { length: X.rows },
        (_, i) => X.data[i * 4] + X.data[i * 4 + 1] * X.data[i * 4 + 2] * X.data[i * 4 + 3],
      );
    const groups = Int32Array.from([0, 1, 1, 2]);
    const X = randomMatrix(rand, 3, 4);
    const bg = randomMatrix(rand, 6, 4);
    const c = samplingShap(predict, X, bg, { groups, players: 3, pairs: 3, seed: 2 });
    expect(c.features).toBe(3);
    for (let i = 0; i < X.rows; i++) {
      const exact = bruteForce(predict, X.data.subarray(i * 4, i * 4 + 4), bg, groups, 3);
      // three players: every permutation is seen by 3 antithetic pairs often enough to be exact
      const mine = contributionsOf(c, i);
      for (let g = 0; g < 3; g++) expect(Math.abs(mine[g] - exact.phi[g])).toBeLessThan(4 * c.stderr[i * 3 + g] + 1e-9);
    }
  });

  it('explains kernel SVM and k-NN probabilities on iris: every class adds up to its probability, errors stated', () => {
    const { X, y } = loadDataset('iris');
    const rows = X.takeRows(Int32Array.from([0, 60, 120]));
    const bg = X.takeRows(Int32Array.from({ length: 20 }, (_, i) => i * 7));
    for (const model of [
      new SVC({ probability: true }).fit(X, y, { seed: 1 }),
      new KNeighborsClassifier({ n_neighbors: 5 }).fit(X, y),
    ]) {
      const predict: Predict = (Z) => model.predictProba(Z).data;
      const c = samplingShap(predict, rows, bg, { pairs: 8, seed: 3 });
      const p = predict(rows);
      expect(c.outputs).toBe(3);
      for (let i = 0; i < rows.rows; i++) {
        for (let k = 0; k < 3; k++) {
          expect(Math.abs(contributionsOf(c, i, k).reduce((s, v) => s + v, c.base[k]) - p[i * 3 + k])).toBeLessThan(
            1e-9,
          );
        }
      }
      expect(c.stderr.every((e) => Number.isFinite(e) && e >= 0)).toBe(true);
    }
  });

  it('refuses a background of another width, naming both', () => {
    expect(() => samplingShap(nonlinear, new Matrix(1, 4), new Matrix(2, 3))).toThrow(
      'background has 3 columns, X has 4',
    );
  });
});
