import { Matrix } from '../src/matrix.js';
import { Tree, UNLIMITED } from '../src/tree/tree.js';
import { RandomForestClassifier, RandomForestRegressor } from '../src/ensemble/random-forest.js';
import { GradientBoostingClassifier, GradientBoostingRegressor } from '../src/ensemble/gradient-boosting.js';
import {
  TreeExplainer,
  treeShap,
  treeShapByPaths,
  treeShapInteractions,
  treeSumOf,
  type TreeSum,
  type TreeModel,
} from '../src/explain/tree-shap.js';
import { addLinearTreeShap, flatTree, gaussLegendre } from '../src/explain/linear-tree-shap.js';
import { contributionsOf, type Contributions } from '../src/explain/contributions.js';
import { classificationTarget } from '../src/target.js';
import { loadDataset } from './support/datasets.js';

// ---- brute force: all 2^M subsets, v(S) = E[f(x) | x_S] by the tree's cover-weighted traversal ----

function conditional(
  tree: Tree,
  maxDepth: number,
  x: Float32Array,
  inS: (f: number) => boolean,
  out: Float64Array,
  scale: number,
  at: number,
): void {
  const walk = (node: number, depth: number, share: number): void => {
    const f = tree.feature[node];
    if (f < 0 || depth >= maxDepth) {
      for (let c = 0; c < tree.width; c++) out[at + c] += scale * share * tree.value[node * tree.width + c];
      return;
    }
    const l = tree.left[node];
    const r = tree.right[node];
    if (inS(f)) walk(x[f] <= tree.threshold[node] ? l : r, depth + 1, share);
    else {
      walk(l, depth + 1, share * (tree.weight[l] / tree.weight[node]));
      walk(r, depth + 1, share * (tree.weight[r] / tree.weight[node]));
    }
  };
  walk(0, 0, 1);
}

/** The model's expected output given each coalition S of features (bit f set: feature f known), S × outputs. */
function coalitionValues(sum: TreeSum, x: Float32Array): Float64Array {
  const K = sum.outputs;
  const v = new Float64Array((1 << sum.nFeatures) * K);
  for (let S = 0; S < 1 << sum.nFeatures; S++) {
    for (let k = 0; k < K; k++) v[S * K + k] = sum.offset[k];
    sum.trees.forEach((t, ti) =>
      conditional(t, sum.maxDepth, x, (f) => ((S >> f) & 1) === 1, v, sum.scale, S * K + sum.outputOf(ti)),
    );
  }
  return v;
}

/** 0!, 1!, …, M!. */
function factorials(M: number): number[] {
  const fact = [1];
  for (let i = 1; i <= M; i++) fact.push(fact[i - 1] * i);
  return fact;
}

/** How many features a coalition holds. */
function popcount(S: number): number {
  let n = 0;
  for (let b = S; b; b >>>= 1) n += b & 1;
  return n;
}

/** Shapley values of one row by enumeration: outputs × M, and the empty set's value per output. */
function bruteForce(sum: TreeSum, x: Float32Array): { phi: Float64Array; base: Float64Array } {
  const M = sum.nFeatures;
  const K = sum.outputs;
  const v = coalitionValues(sum, x);
  const fact = factorials(M);
  const phi = new Float64Array(K * M);
  for (let j = 0; j < M; j++) {
    for (let S = 0; S < 1 << M; S++) {
      if ((S >> j) & 1) continue;
      const size = popcount(S);
      const w = (fact[size] * fact[M - size - 1]) / fact[M];
      for (let k = 0; k < K; k++) phi[k * M + j] += w * (v[(S | (1 << j)) * K + k] - v[S * K + k]);
    }
  }
  return { phi, base: v.slice(0, K) };
}

function maxDiffToBruteForce(sum: TreeSum, X: Matrix): number {
  const c = treeShap(sum, X);
  const x = Float32Array.from(X.data);
  let worst = 0;
  for (let i = 0; i < X.rows; i++) {
    const bf = bruteForce(sum, x.subarray(i * X.cols, (i + 1) * X.cols));
    for (let k = 0; k < sum.outputs; k++) {
      worst = Math.max(worst, Math.abs(bf.base[k] - c.base[k]));
      const mine = contributionsOf(c, i, k);
      for (let j = 0; j < X.cols; j++) worst = Math.max(worst, Math.abs(bf.phi[k * X.cols + j] - mine[j]));
    }
  }
  return worst;
}

// ---- random trees: features repeat along paths, covers are sums of the leaves' weights ----

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomTree(rand: () => number, M: number, maxDepth: number, width: number): Tree {
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const value: number[] = [];
  const weight: number[] = [];
  const grow = (depth: number): number => {
    const id = feature.length;
    feature.push(-1);
    threshold.push(0);
    left.push(-1);
    right.push(-1);
    weight.push(0);
    for (let c = 0; c < width; c++) value.push(rand() * 4 - 2);
    if (depth < maxDepth && (depth < 2 || rand() < 0.7)) {
      feature[id] = Math.floor(rand() * M);
      threshold[id] = Math.fround(rand() * 2 - 1);
      left[id] = grow(depth + 1);
      right[id] = grow(depth + 1);
      weight[id] = weight[left[id]] + weight[right[id]];
    } else {
      weight[id] = 1 + Math.floor(rand() * 20);
    }
    return id;
  };
  grow(0);
  return new Tree(
    Int32Array.from(feature),
    Float32Array.from(threshold),
    Int32Array.from(left),
    Int32Array.from(right),
    Float64Array.from(value),
    width,
    Float64Array.from(weight),
  );
}

function randomRows(rand: () => number, n: number, M: number): Matrix {
  return new Matrix(
    n,
    M,
    Float64Array.from({ length: n * M }, () => Math.fround(rand() * 2.4 - 1.2)),
  );
}

function single(tree: Tree, M: number, maxDepth = UNLIMITED): TreeSum {
  return {
    trees: [tree],
    maxDepth,
    nFeatures: M,
    outputs: tree.width,
    scale: 1,
    offset: new Float64Array(tree.width),
    outputOf: () => 0,
  };
}

describe('path-dependent TreeSHAP', () => {
  it('equals brute-force Shapley values within 1e-12 on random trees with up to 6 features and repeated splits', () => {
    const rand = lcg(18);
    let worst = 0;
    for (let trial = 0; trial < 40; trial++) {
      const M = 2 + (trial % 5);
      const width = trial % 3 === 0 ? 3 : 1;
      const tree = randomTree(rand, M, 3 + (trial % 4), width);
      worst = Math.max(worst, maxDiffToBruteForce(single(tree, M), randomRows(rand, 12, M)));
    }
    expect(worst).toBeLessThan(1e-12);
  });

  it('equals brute force on a tree read to a shallower depth than it was grown (internal nodes as leaves)', () => {
    const rand = lcg(7);
    const tree = randomTree(rand, 5, 6, 2);
    for (const d of [1, 2, 4])
      expect(maxDiffToBruteForce(single(tree, 5, d), randomRows(rand, 20, 5))).toBeLessThan(1e-12);
  });

  it('equals brute force on fitted forests and boosting (iris, 4 features; every class)', () => {
    const { X, y } = loadDataset('iris');
    const rows = X.takeRows(Int32Array.from({ length: 30 }, (_, i) => i * 5));
    const models: TreeModel[] = [
      new RandomForestClassifier({ n_estimators: 5 }).fitPath(X, y, [{ max_depth: 3 }], { seed: 1 })[0],
      new GradientBoostingClassifier({ n_estimators: 5 }).fit(X, y, { seed: 1 }),
    ];
    for (const m of models) expect(maxDiffToBruteForce(treeSumOf(m), rows)).toBeLessThan(1e-12);
  });

  it('equals brute force within 1e-9 on random trees of depth 10 with 10 features (up to 10 distinct features on a path)', () => {
    const rand = lcg(10);
    let worst = 0;
    for (let trial = 0; trial < 4; trial++) {
      const width = trial % 2 === 0 ? 1 : 2;
      worst = Math.max(
        worst,
        maxDiffToBruteForce(single(randomTree(rand, 10, 10, width), 10), randomRows(rand, 4, 10)),
      );
    }
    expect(worst).toBeLessThan(1e-9);
  });

  it('equals brute force where a branch has no cover (a zero weight child)', () => {
    const tree = new Tree(
      Int32Array.of(0, -1, 1, -1, -1),
      Float32Array.of(0, 0, 0.5, 0, 0),
      Int32Array.of(1, -1, 3, -1, -1),
      Int32Array.of(2, -1, 4, -1, -1),
      Float64Array.of(0, 3, 0, -1, 5),
      1,
      Float64Array.of(10, 0, 10, 0, 10),
    );
    const X = new Matrix(4, 2, Float64Array.of(1, 0, 1, 1, -1, 1, -1, 0));
    expect(maxDiffToBruteForce(single(tree, 2), X)).toBeLessThan(1e-12);
  });

  it('keeps node weights that add up: each internal node weighs what its children weigh', () => {
    const { X, y } = loadDataset('iris');
    const m = new RandomForestClassifier({ n_estimators: 3 }).fit(X, y, { seed: 2 });
    for (const t of m.trees) {
      expect(t.weight[0]).toBe(X.rows);
      for (let n = 0; n < t.nodeCount; n++)
        if (t.feature[n] >= 0) expect(t.weight[t.left[n]] + t.weight[t.right[n]]).toBe(t.weight[n]);
    }
  });
});

// ---- the linear walk (treeShap) against Algorithm 2's path recursion (treeShapByPaths) ----

function withMissingLeft(tree: Tree, rand: () => number): Tree {
  const missingLeft = Uint8Array.from(tree.feature, () => (rand() < 0.5 ? 1 : 0));
  return new Tree(
    tree.feature,
    tree.threshold,
    tree.left,
    tree.right,
    tree.value,
    tree.width,
    tree.weight,
    missingLeft,
  );
}

function maxDiff(a: Contributions, b: Contributions): number {
  let worst = 0;
  for (let k = 0; k < a.outputs; k++) worst = Math.max(worst, Math.abs(a.base[k] - b.base[k]));
  for (let i = 0; i < a.values.length; i++) worst = Math.max(worst, Math.abs(a.values[i] - b.values[i]));
  return worst;
}

describe('the O(nodes · depth) TreeSHAP walk', () => {
  it("gives the path recursion's values within 1e-9 on random ensembles up to depth 14 with 30 features, several outputs, read to shallower depths, with missing values", () => {
    const rand = lcg(2109);
    let worst = 0;
    for (let trial = 0; trial < 12; trial++) {
      const M = [3, 12, 30][trial % 3];
      const width = trial % 4 === 0 ? 3 : 1;
      const depth = 4 + (trial % 11);
      const trees = Array.from({ length: 4 }, () => {
        const t = randomTree(rand, M, depth, width);
        return trial % 2 === 0 ? withMissingLeft(t, rand) : t;
      });
      const outputs = width === 1 && trial % 3 === 1 ? 2 : width;
      const sum: TreeSum = {
        trees,
        maxDepth: trial % 5 === 0 ? 3 : UNLIMITED,
        nFeatures: M,
        outputs,
        scale: 0.3,
        offset: Float64Array.from({ length: outputs }, (_, k) => k - 0.5),
        outputOf: (t) => (outputs === 2 ? t % 2 : 0),
      };
      const X = randomRows(rand, 25, M);
      for (let i = 0; i < X.data.length; i++) if (rand() < 0.1) X.data[i] = NaN;
      worst = Math.max(worst, maxDiff(treeShap(sum, X), treeShapByPaths(sum, X)));
    }
    expect(worst).toBeLessThan(1e-9);
  });

  it("gives the path recursion's values within 1e-9 on fitted forests and boosting (wine, every class; a two-class forest, whose second class is derived)", () => {
    const { X, y } = loadDataset('wine');
    const keep = Int32Array.from({ length: X.rows }, (_, i) => i).filter(
      (i) => y.kind === 'classification' && y.codes[i] < 2,
    );
    const labels = Array.from(keep, (i) => (y.kind === 'classification' ? y.classes[y.codes[i]] : ''));
    const Xb = X.takeRows(keep);
    const models: TreeModel[] = [
      new RandomForestClassifier({ n_estimators: 10 }).fit(X, y, { seed: 8 }),
      new GradientBoostingClassifier({ n_estimators: 10, max_depth: 5 }).fit(X, y, { seed: 8 }),
      new RandomForestClassifier({ n_estimators: 10 }).fit(Xb, classificationTarget(labels), { seed: 8 }),
    ];
    for (const m of models) expect(maxDiff(treeShap(m, X), treeShapByPaths(m, X))).toBeLessThan(1e-9);
    expect(treeSumOf(models[2]).outputs).toBe(2);
  });

  it("holds a feature present or absent (the interaction values' conditioning) as the path recursion does, within 1e-9", () => {
    const rand = lcg(94);
    let worst = 0;
    for (let trial = 0; trial < 12; trial++) {
      const M = 3 + (trial % 6);
      const width = trial % 3 === 0 ? 2 : 1;
      const tree = randomTree(rand, M, 3 + (trial % 8), width);
      const X = randomRows(rand, 10, M);
      const x = Float32Array.from(X.data);
      for (const state of [1, -1] as const) {
        const feature = trial % M;
        const walked = new Float64Array(X.rows * width * M);
        const paths = new Float64Array(X.rows * width * M);
        addLinearTreeShap([flatTree(tree, UNLIMITED)], () => 0, x, X.rows, M, 1, walked, width, { state, feature });
        new TreeExplainer().add(tree, UNLIMITED, x, X.rows, M, 1, paths, width, 0, { state, feature });
        for (let i = 0; i < walked.length; i++) worst = Math.max(worst, Math.abs(walked[i] - paths[i]));
      }
    }
    expect(worst).toBeLessThan(1e-9);
  });

  it('integrates with Gauss–Legendre points that are exact for polynomials up to degree 2n − 1', () => {
    for (const n of [1, 2, 5, 16]) {
      const { t, w } = gaussLegendre(n);
      for (let degree = 0; degree <= 2 * n - 1; degree++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += w[k] * t[k] ** degree;
        expect(Math.abs(s - 1 / (degree + 1))).toBeLessThan(1e-14);
      }
    }
  });
});

// ---- efficiency: base + Σ contributions = the model's output, on every row ----

function additivityError(c: Contributions, output: Matrix): number {
  expect(output.rows).toBe(c.rows);
  expect(output.cols).toBe(c.outputs);
  let worst = 0;
  for (let i = 0; i < c.rows; i++) {
    for (let k = 0; k < c.outputs; k++) {
      let s = c.base[k];
      for (const v of contributionsOf(c, i, k)) s += v;
      worst = Math.max(worst, Math.abs(s - output.data[i * c.outputs + k]));
    }
  }
  return worst;
}

const column = (v: Float64Array): Matrix => new Matrix(v.length, 1, v);

describe('TreeSHAP efficiency on every row of the toy datasets', () => {
  it('sums to the random forest classifier probabilities (wine), also read to a shallower depth', () => {
    const { X, y } = loadDataset('wine');
    for (const m of new RandomForestClassifier({ n_estimators: 20 }).fitPath(X, y, [{}, { max_depth: 3 }], {
      seed: 3,
    })) {
      expect(additivityError(treeShap(m, X), m.predictProba(X))).toBeLessThan(1e-9);
    }
  });

  it('sums to the random forest regressor predictions (boston)', () => {
    const { X, y } = loadDataset('boston');
    const m = new RandomForestRegressor({ n_estimators: 10 }).fit(X, y, { seed: 4 });
    expect(additivityError(treeShap(m, X), column(m.predict(X)))).toBeLessThan(1e-9);
  });

  it('sums to gradient boosting raw scores: regression (auto-mpg), three classes (iris), two classes (log-odds)', () => {
    const mpg = loadDataset('auto-mpg');
    const reg = new GradientBoostingRegressor({ n_estimators: 50 }).fit(mpg.X, mpg.y, { seed: 5 });
    expect(additivityError(treeShap(reg, mpg.X), column(reg.predict(mpg.X)))).toBeLessThan(1e-9);

    const iris = loadDataset('iris');
    const multi = new GradientBoostingClassifier({ n_estimators: 30 }).fit(iris.X, iris.y, { seed: 6 });
    expect(additivityError(treeShap(multi, iris.X), multi.decisionFunction(iris.X))).toBeLessThan(1e-9);

    const keep = Int32Array.from({ length: 100 }, (_, i) => 50 + i);
    const Xb = iris.X.takeRows(keep);
    const labels = Array.from(keep, (i) => (iris.y.kind === 'classification' ? iris.y.classes[iris.y.codes[i]] : ''));
    const binary = new GradientBoostingClassifier({ n_estimators: 30 }).fit(Xb, classificationTarget(labels), {
      seed: 6,
    });
    const c = treeShap(binary, Xb);
    expect(c.outputs).toBe(1);
    expect(additivityError(c, binary.decisionFunction(Xb))).toBeLessThan(1e-9);
  });

  it('refuses a matrix of the wrong width, naming both widths', () => {
    const { X, y } = loadDataset('iris');
    const m = new RandomForestClassifier({ n_estimators: 2 }).fit(X, y);
    expect(() => treeShap(m, new Matrix(1, 3))).toThrow('model was fitted on 4 features, X has 3');
  });
});

// ---- interaction values: the Shapley interaction index, split equally between (i, j) and (j, i) ----

/** Φ by enumeration for one row: outputs × M × M, off-diagonal from the interaction index, diagonal φ_i − Σ_{j≠i} Φ_ij. */
function bruteForceInteractions(sum: TreeSum, x: Float32Array): Float64Array {
  const M = sum.nFeatures;
  const K = sum.outputs;
  const v = coalitionValues(sum, x);
  const fact = factorials(M);
  const out = new Float64Array(K * M * M);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < M; j++) {
      if (i === j) continue;
      for (let S = 0; S < 1 << M; S++) {
        if ((S >> i) & 1 || (S >> j) & 1) continue;
        const size = popcount(S);
        const w = (fact[size] * fact[M - size - 2]) / (2 * fact[M - 1]);
        const ij = S | (1 << i) | (1 << j);
        for (let k = 0; k < K; k++)
          out[(k * M + i) * M + j] +=
            w * (v[ij * K + k] - v[(S | (1 << i)) * K + k] - v[(S | (1 << j)) * K + k] + v[S * K + k]);
      }
    }
  }
  const { phi } = bruteForce(sum, x);
  for (let k = 0; k < K; k++) {
    for (let i = 0; i < M; i++) {
      let off = 0;
      for (let j = 0; j < M; j++) if (j !== i) off += out[(k * M + i) * M + j];
      out[(k * M + i) * M + i] = phi[k * M + i] - off;
    }
  }
  return out;
}

describe('TreeSHAP interaction values', () => {
  it('equal the brute-force Shapley interaction index within 1e-12 on random trees (repeated splits, several outputs)', () => {
    const rand = lcg(29);
    let worst = 0;
    for (let trial = 0; trial < 30; trial++) {
      const M = 2 + (trial % 4);
      const width = trial % 3 === 0 ? 2 : 1;
      const sum = single(randomTree(rand, M, 3 + (trial % 3), width), M);
      const X = randomRows(rand, 6, M);
      const { values } = treeShapInteractions(sum, X);
      const x = Float32Array.from(X.data);
      for (let r = 0; r < X.rows; r++) {
        const bf = bruteForceInteractions(sum, x.subarray(r * M, (r + 1) * M));
        for (let n = 0; n < bf.length; n++) worst = Math.max(worst, Math.abs(bf[n] - values[r * bf.length + n]));
      }
    }
    expect(worst).toBeLessThan(1e-12);
  });

  it('are symmetric, and each row sums to the SHAP value and all to the output minus the base (boosting on iris, every class)', () => {
    const { X, y } = loadDataset('iris');
    const m = new GradientBoostingClassifier({ n_estimators: 10 }).fit(X, y, { seed: 3 });
    const rows = X.takeRows(Int32Array.from({ length: 20 }, (_, i) => i * 7));
    const { values, shap } = treeShapInteractions(m, rows);
    const F = rows.cols;
    let asym = 0;
    let rowSum = 0;
    let total = 0;
    for (let r = 0; r < rows.rows * shap.outputs; r++) {
      const m0 = r * F * F;
      let all = 0;
      for (let i = 0; i < F; i++) {
        let s = 0;
        for (let j = 0; j < F; j++) {
          s += values[m0 + i * F + j];
          asym = Math.max(asym, Math.abs(values[m0 + i * F + j] - values[m0 + j * F + i]));
        }
        rowSum = Math.max(rowSum, Math.abs(s - shap.values[r * F + i]));
        all += s;
      }
      let phiSum = 0;
      for (let i = 0; i < F; i++) phiSum += shap.values[r * F + i];
      total = Math.max(total, Math.abs(all - phiSum));
    }
    expect(asym).toBeLessThan(1e-10);
    expect(rowSum).toBeLessThan(1e-10);
    expect(total).toBeLessThan(1e-10);
    // some pair interacts: the matrix is not just its diagonal
    expect(values.some((v, n) => Math.floor(n / F) % F !== n % F && Math.abs(v) > 1e-3)).toBe(true);
  });
});
