// TreeSHAP against XGBoost's own (pred_contribs=True, python3-xgboost 1.7): scripts/shap_fixtures.py
// dumps small boosted models' trees with their covers; loaded into our Tree arrays, our TreeSHAP
// must give XGBoost's contributions (XGBoost computes in float32, hence 1e-5).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Matrix } from '../src/matrix.js';
import { Tree, UNLIMITED } from '../src/tree/tree.js';
import { treeShap, treeShapInteractions, type TreeSum } from '../src/explain/tree-shap.js';
import { contributionsOf } from '../src/explain/contributions.js';
import { FIXTURES } from './support/fixtures.js';

interface XgbFixture {
  readonly features: readonly string[];
  readonly classes: number;
  readonly X: readonly (readonly number[])[];
  readonly trees: readonly unknown[];
  readonly margin: readonly (readonly number[])[];
  readonly contribs: readonly (readonly (readonly number[])[])[];
  /** pred_interactions for the first rows: rows × classes × (F + 1) × (F + 1), the last index the bias */
  readonly interactions?: readonly (readonly (readonly (readonly number[])[])[])[];
}

function load(name: string): XgbFixture {
  const path = join(FIXTURES, 'shap', `${name}.json`);
  if (!existsSync(path))
    throw new Error(`missing fixture ${path}: run \`pnpm fixtures\` (needs apt-get install python3-xgboost)`);
  return JSON.parse(readFileSync(path, 'utf8')) as XgbFixture;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function num(node: Record<string, unknown>, key: string): number {
  const v = node[key];
  if (typeof v !== 'number') throw new TypeError(`xgboost node ${String(node.nodeid)}: ${key} is not a number`);
  return v;
}

/** The largest float32 below c: XGBoost sends x left when x < c, our trees when x <= threshold. */
function below(c: number): number {
  const f = new Float32Array([c]);
  const bits = new Int32Array(f.buffer);
  if (f[0] > 0) bits[0] -= 1;
  else if (f[0] < 0) bits[0] += 1;
  else bits[0] = 0x80000001 | 0;
  return f[0];
}

/** One tree of get_dump(dump_format='json', with_stats=True) in our layout, cover as node weight. */
function fromXgboostDump(root: unknown): Tree {
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const value: number[] = [];
  const weight: number[] = [];
  const add = (node: unknown): number => {
    if (!isRecord(node)) throw new TypeError('xgboost node is not an object');
    const id = feature.length;
    feature.push(-1);
    threshold.push(0);
    left.push(-1);
    right.push(-1);
    weight.push(num(node, 'cover'));
    if ('leaf' in node) {
      value.push(num(node, 'leaf'));
      return id;
    }
    value.push(0);
    const split = node.split;
    const m = typeof split === 'string' ? /^f(\d+)$/.exec(split) : null;
    if (!m) throw new TypeError(`xgboost node ${String(node.nodeid)}: split ${String(split)} is not fN`);
    const children = Array.isArray(node.children) ? node.children : [];
    const child = (key: string): unknown => children.find((c) => isRecord(c) && c.nodeid === num(node, key));
    feature[id] = Number(m[1]);
    threshold[id] = below(num(node, 'split_condition'));
    left[id] = add(child('yes'));
    right[id] = add(child('no'));
    return id;
  };
  add(root);
  return new Tree(
    Int32Array.from(feature),
    Float32Array.from(threshold),
    Int32Array.from(left),
    Int32Array.from(right),
    Float64Array.from(value),
    1,
    Float64Array.from(weight),
  );
}

/** The fixture's model as a TreeSum, with XGBoost's base margin as its offset. */
function modelOf(fx: XgbFixture): { sum: TreeSum; X: Matrix } {
  const K = fx.classes;
  const F = fx.features.length;
  const X = Matrix.fromRows(fx.X);
  const trees = fx.trees.map(fromXgboostDump);
  // XGBoost's base margin (base_score in margin space): its margin minus the trees' sum, on row 0
  const x = Float32Array.from(X.data);
  const offset = new Float64Array(K);
  for (let k = 0; k < K; k++) offset[k] = fx.margin[0][k];
  trees.forEach((t, i) => {
    offset[i % K] -= t.value[t.leaf(x, 0, UNLIMITED)];
  });
  return { sum: { trees, maxDepth: UNLIMITED, nFeatures: F, outputs: K, scale: 1, offset, outputOf: (t) => t % K }, X };
}

/** Our TreeSHAP of the fixture's model and the largest differences from XGBoost's. */
function compare(name: string): { contributions: number; bias: number; margin: number } {
  const fx = load(name);
  const K = fx.classes;
  const F = fx.features.length;
  const { sum, X } = modelOf(fx);
  const c = treeShap(sum, X);
  const worst = { contributions: 0, bias: 0, margin: 0 };
  for (let i = 0; i < X.rows; i++) {
    for (let k = 0; k < K; k++) {
      const mine = contributionsOf(c, i, k);
      const ref = fx.contribs[i][k];
      let total = c.base[k];
      for (let j = 0; j < F; j++) {
        worst.contributions = Math.max(worst.contributions, Math.abs(mine[j] - ref[j]));
        total += mine[j];
      }
      worst.bias = Math.max(worst.bias, Math.abs(c.base[k] - ref[F]));
      // XGBoost's margin is a float32: compared relative to its size
      worst.margin = Math.max(worst.margin, Math.abs(total - fx.margin[i][k]) / Math.max(1, Math.abs(fx.margin[i][k])));
    }
  }
  return worst;
}

describe('TreeSHAP parity with XGBoost pred_contribs', () => {
  it.each(['boston', 'iris', 'binary'])(
    'reproduces XGBoost’s contributions and bias within 1e-5, and its margin within 1e-6 relative, on every row (%s)',
    (name) => {
      const worst = compare(name);
      expect(worst.contributions).toBeLessThan(1e-5);
      expect(worst.bias).toBeLessThan(1e-5);
      expect(worst.margin).toBeLessThan(1e-6);
    },
  );
});

describe('TreeSHAP interaction values: parity with XGBoost pred_interactions', () => {
  it.each(['boston', 'iris', 'binary'])(
    'reproduces XGBoost’s interaction matrices within 1e-5 on its first rows (%s)',
    (name) => {
      const fx = load(name);
      if (!fx.interactions) throw new Error(`fixture ${name} predates interaction values: run \`pnpm fixtures\``);
      const { sum, X } = modelOf(fx);
      const rows = fx.interactions.length;
      const F = fx.features.length;
      const K = fx.classes;
      const { values } = treeShapInteractions(sum, X.takeRows(Int32Array.from({ length: rows }, (_, i) => i)));
      let worst = 0;
      let largest = 0;
      for (let i = 0; i < rows; i++) {
        for (let k = 0; k < K; k++) {
          for (let a = 0; a < F; a++) {
            for (let b = 0; b < F; b++) {
              const ref = fx.interactions[i]?.[k]?.[a]?.[b] ?? NaN;
              worst = Math.max(worst, Math.abs(values[((i * K + k) * F + a) * F + b] - ref));
              if (a !== b) largest = Math.max(largest, Math.abs(ref));
            }
          }
        }
      }
      expect(largest).toBeGreaterThan(1e-3); // the models do have interactions to reproduce
      expect(worst).toBeLessThan(1e-5);
    },
  );
});
