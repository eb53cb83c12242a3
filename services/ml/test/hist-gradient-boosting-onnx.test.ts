// Histogram boosting exported as ai.onnx.ml TreeEnsembleClassifier/Regressor: onnxruntime gives
// the TypeScript model's labels, probabilities (within 1e-5) and values (within 1e-5 relative) on
// rows with missing values, which follow each split's learned direction through
// nodes_missing_value_tracks_true. Data: the hgb parity fixtures (scripts/hgb_fixtures.py).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { Matrix } from '../src/matrix.js';
import { OnnxGraph } from '../src/onnx/graph.js';
import { classificationTarget, regressionTarget } from '../src/target.js';
import {
  HistGradientBoostingClassifier,
  HistGradientBoostingRegressor,
} from '../src/ensemble/hist-gradient-boosting.js';
import { FIXTURES } from './support/fixtures.js';

interface Fx {
  task: string;
  params: { categorical_features?: number[] };
  probe_X?: (number | null)[][];
  X: (number | null)[][];
  y: (string | number)[];
  train_idx: number[];
  test_idx: number[];
}

function load(name: string): {
  Xtr: Matrix;
  Xte: Matrix;
  x32: Float32Array;
  labels: string[];
  values: number[];
  categorical: number[];
} {
  const path = join(FIXTURES, 'hgb', name, 'hist_gradient_boosting.json');
  if (!existsSync(path)) throw new Error(`missing fixture ${path}: run \`pnpm fixtures\` at the repository root`);
  const fx = JSON.parse(readFileSync(path, 'utf8')) as Fx;
  const rows = (idx: number[]) => idx.map((i) => fx.X[i].map((v) => (v === null ? NaN : v)));
  const F = fx.X[0].length;
  // test rows, rounded to float32 (what onnxruntime reads), plus a row missing everywhere and rows
  // missing one feature each
  const test = rows(fx.test_idx.slice(0, 600));
  test.push(new Array<number>(F).fill(NaN));
  for (let f = 0; f < F; f++) test.push(test[f].map((v, j) => (j === f ? NaN : v)));
  // categorical cases: rows with unseen, negative and missing categories
  for (const r of fx.probe_X ?? []) test.push(r.map((v) => (v === null ? NaN : v)));
  const x32 = Float32Array.from(test.flat());
  return {
    Xtr: Matrix.fromRows(rows(fx.train_idx)),
    Xte: new Matrix(test.length, F, Float64Array.from(x32)),
    x32,
    labels: fx.train_idx.map((i) => String(fx.y[i])),
    values: fx.train_idx.map((i) => Number(fx.y[i])),
    categorical: fx.params.categorical_features ?? [],
  };
}

async function run(g: OnnxGraph, outputs: Parameters<OnnxGraph['toBytes']>[0], X: Matrix, x32: Float32Array) {
  const session = await ort.InferenceSession.create(g.toBytes(outputs));
  return session.run({ X: new ort.Tensor('float32', x32, [X.rows, X.cols]) });
}

describe('histogram gradient boosting in ONNX', () => {
  it.each(['penguins-missing', 'early-classification'])(
    '%s: onnxruntime gives the same labels and probabilities (1e-5), missing values included',
    async (name) => {
      const d = load(name);
      const model = new HistGradientBoostingClassifier({ max_iter: 60 }).fit(d.Xtr, classificationTarget(d.labels), {
        seed: 1,
      });
      const g = new OnnxGraph(d.Xte.cols);
      const { label, probabilities } = model.toOnnxOutputs(g, g.input);
      const k = model.classes.length;
      const out = await run(
        g,
        [
          { name: label, type: 'int64', dims: ['N'] },
          { name: probabilities, type: 'float', dims: ['N', k] },
        ],
        d.Xte,
        d.x32,
      );
      expect(Array.from(out[label].data as BigInt64Array, Number)).toEqual(Array.from(model.predict(d.Xte)));
      const P = model.predictProba(d.Xte).data;
      const onnx = out[probabilities].data as Float32Array;
      let worst = 0;
      for (let i = 0; i < P.length; i++) worst = Math.max(worst, Math.abs(onnx[i] - P[i]));
      expect(worst).toBeLessThan(1e-5);
      // the graph does route some missing values left: the learned direction is exercised
      expect(
        model.trees.some((t) => t.missingLeft !== null && t.missingLeft.some((v, n) => v === 1 && t.feature[n] >= 0)),
      ).toBe(true);
    },
    60_000,
  );

  it('auto-mpg-missing: onnxruntime gives the same values (1e-5 relative), missing horsepower included', async () => {
    const d = load('auto-mpg-missing');
    const model = new HistGradientBoostingRegressor().fit(d.Xtr, regressionTarget(d.values), { seed: 1 });
    const g = new OnnxGraph(d.Xte.cols);
    const y = model.toOnnx(g, g.input);
    const out = await run(g, [{ name: y, type: 'float', dims: ['N', 1] }], d.Xte, d.x32);
    const ours = model.predict(d.Xte);
    const onnx = out[y].data as Float32Array;
    let worst = 0;
    for (let i = 0; i < ours.length; i++)
      worst = Math.max(worst, Math.abs(onnx[i] - ours[i]) / Math.max(1, Math.abs(ours[i])));
    expect(worst).toBeLessThan(1e-5);
    expect(ours.every(Number.isFinite)).toBe(true);
  }, 60_000);

  it.each(['penguins-categorical', 'categorical-classification'])(
    '%s: categorical splits as set membership (ai.onnx.ml 5 TreeEnsemble) give the same labels and probabilities (1e-5), unseen and missing categories included',
    async (name) => {
      const d = load(name);
      const model = new HistGradientBoostingClassifier({ max_iter: 60, categorical_features: d.categorical }).fit(
        d.Xtr,
        classificationTarget(d.labels),
        { seed: 1 },
      );
      expect(model.trees.some((t) => t.categorical !== null)).toBe(true);
      const g = new OnnxGraph(d.Xte.cols);
      const { label, probabilities } = model.toOnnxOutputs(g, g.input);
      const k = model.classes.length;
      const out = await run(
        g,
        [
          { name: label, type: 'int64', dims: ['N'] },
          { name: probabilities, type: 'float', dims: ['N', k] },
        ],
        d.Xte,
        d.x32,
      );
      expect(Array.from(out[label].data as BigInt64Array, Number)).toEqual(Array.from(model.predict(d.Xte)));
      const P = model.predictProba(d.Xte).data;
      const onnx = out[probabilities].data as Float32Array;
      let worst = 0;
      for (let i = 0; i < P.length; i++) worst = Math.max(worst, Math.abs(onnx[i] - P[i]));
      expect(worst).toBeLessThan(1e-5);
    },
    60_000,
  );

  it('categorical-regression: categorical splits in ONNX give the same values (1e-5 relative), unseen and missing categories included', async () => {
    const d = load('categorical-regression');
    const model = new HistGradientBoostingRegressor({ categorical_features: d.categorical }).fit(
      d.Xtr,
      regressionTarget(d.values),
      { seed: 1 },
    );
    const g = new OnnxGraph(d.Xte.cols);
    const y = model.toOnnx(g, g.input);
    const out = await run(g, [{ name: y, type: 'float', dims: ['N', 1] }], d.Xte, d.x32);
    const ours = model.predict(d.Xte);
    const onnx = out[y].data as Float32Array;
    let worst = 0;
    for (let i = 0; i < ours.length; i++)
      worst = Math.max(worst, Math.abs(onnx[i] - ours[i]) / Math.max(1, Math.abs(ours[i])));
    expect(worst).toBeLessThan(1e-5);
  }, 60_000);
});
