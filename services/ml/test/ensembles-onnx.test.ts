import * as ort from 'onnxruntime-node';
import { GradientBoostingClassifier, GradientBoostingRegressor } from '../src/ensemble/gradient-boosting.js';
import { RandomForestClassifier, RandomForestRegressor } from '../src/ensemble/random-forest.js';
import type { Classifier, Regressor } from '../src/estimator.js';
import { Matrix } from '../src/matrix.js';
import { OnnxGraph } from '../src/onnx/graph.js';
import { StandardScaler } from '../src/preprocessing/standard-scaler.js';
import { SVC } from '../src/svm/svc.js';
import { SVR } from '../src/svm/svr.js';
import { classificationTarget, takeTarget } from '../src/target.js';
import { loadDataset, simpleSplit } from './ensemble-data.js';
import type { DatasetName } from './ensemble-data.js';

interface WithOutputs extends Classifier {
  toOnnxOutputs(g: OnnxGraph, input: string): { label: string; probabilities: string };
}

/** The test rows rounded to float32, so TypeScript and onnxruntime see the same numbers. */
function data(name: DatasetName, scale: boolean) {
  const { X, y } = loadDataset(name);
  const s = simpleSplit(X.rows);
  let Xtr = X.takeRows(s.train);
  let Xte = X.takeRows(s.test);
  if (scale) {
    const sc = new StandardScaler().fit(Xtr);
    Xtr = sc.transform(Xtr);
    Xte = sc.transform(Xte);
  }
  const x32 = Float32Array.from(Xte.data);
  return { Xtr, ytr: takeTarget(y, s.train), Xte: new Matrix(Xte.rows, Xte.cols, Float64Array.from(x32)), x32 };
}

async function run(bytes: Uint8Array, X: Matrix, x32: Float32Array) {
  const session = await ort.InferenceSession.create(bytes);
  return session.run({ X: new ort.Tensor('float32', x32, [X.rows, X.cols]) });
}

function relClose(onnx: ArrayLike<number>, ours: ArrayLike<number>, rel: number): void {
  expect(onnx.length).toBe(ours.length);
  let worst = 0;
  for (let i = 0; i < ours.length; i++)
    worst = Math.max(worst, Math.abs(onnx[i] - ours[i]) / Math.max(1, Math.abs(ours[i])));
  expect(worst).toBeLessThan(rel);
}

async function checkClassifier(m: WithOutputs, X: Matrix, x32: Float32Array): Promise<void> {
  const g = new OnnxGraph(X.cols);
  const { label, probabilities } = m.toOnnxOutputs(g, g.input);
  const k = m.classes.length;
  const out = await run(
    g.toBytes([
      { name: label, type: 'int64', dims: ['N'] },
      { name: probabilities, type: 'float', dims: ['N', k] },
    ]),
    X,
    x32,
  );
  expect(Array.from(out[label].data as BigInt64Array, Number)).toEqual(Array.from(m.predict(X)));
  relClose(out[probabilities].data as Float32Array, m.predictProba(X).data, 1e-4);
}

async function checkRegressor(m: Regressor, X: Matrix, x32: Float32Array): Promise<void> {
  const g = new OnnxGraph(X.cols);
  const y = m.toOnnx(g, g.input);
  const out = await run(g.toBytes([{ name: y, type: 'float', dims: ['N', 1] }]), X, x32);
  relClose(out[y].data as Float32Array, m.predict(X), 1e-4);
}

describe('tree ensembles in ONNX', () => {
  it.each(['iris', 'wine'] as const)(
    'RandomForestClassifier on %s: same labels and probabilities, full and depth-truncated',
    async (name) => {
      const { Xtr, ytr, Xte, x32 } = data(name, false);
      const [deep, shallow] = new RandomForestClassifier({ n_estimators: 30 }).fitPath(Xtr, ytr, [
        {},
        { n_estimators: 10, max_depth: 2 },
      ]);
      await checkClassifier(deep, Xte, x32);
      await checkClassifier(shallow, Xte, x32);
    },
  );

  it.each(['boston', 'auto-mpg'] as const)('RandomForestRegressor on %s: same values', async (name) => {
    const { Xtr, ytr, Xte, x32 } = data(name, false);
    const [deep, shallow] = new RandomForestRegressor({ n_estimators: 30 }).fitPath(Xtr, ytr, [{}, { max_depth: 3 }]);
    await checkRegressor(deep, Xte, x32);
    await checkRegressor(shallow, Xte, x32);
  });

  it.each(['iris', 'wine'] as const)(
    'GradientBoostingClassifier (multiclass, SOFTMAX) on %s: same labels and probabilities',
    async (name) => {
      const { Xtr, ytr, Xte, x32 } = data(name, false);
      await checkClassifier(new GradientBoostingClassifier({ n_estimators: 40 }).fit(Xtr, ytr), Xte, x32);
    },
  );

  it('GradientBoostingClassifier (binary, LOGISTIC): same labels and probabilities', async () => {
    const { Xtr, ytr, Xte, x32 } = data('wine', false);
    const codes = ytr.kind === 'classification' ? ytr.codes : new Int32Array(0);
    const binary = classificationTarget(Array.from(codes, (c) => (c === 1 ? 'one' : 'other')));
    await checkClassifier(new GradientBoostingClassifier({ n_estimators: 40 }).fit(Xtr, binary), Xte, x32);
  });

  it.each(['boston', 'auto-mpg'] as const)('GradientBoostingRegressor on %s: same values', async (name) => {
    const { Xtr, ytr, Xte, x32 } = data(name, false);
    await checkRegressor(new GradientBoostingRegressor({ max_depth: 5 }).fit(Xtr, ytr), Xte, x32);
  });
});

describe('SVMs in ONNX', () => {
  it.each(['iris', 'wine'] as const)('SVC on %s: same labels and probabilities', async (name) => {
    const { Xtr, ytr, Xte, x32 } = data(name, true);
    await checkClassifier(new SVC({ C: 10.1 }).fit(Xtr, ytr), Xte, x32);
  });

  it('SVC with two classes: same labels and probabilities', async () => {
    const { Xtr, ytr, Xte, x32 } = data('wine', true);
    const codes = ytr.kind === 'classification' ? ytr.codes : new Int32Array(0);
    const binary = classificationTarget(Array.from(codes, (c) => (c === 1 ? 'one' : 'other')));
    await checkClassifier(new SVC({ C: 0.1 }).fit(Xtr, binary), Xte, x32);
  });

  it.each(['boston', 'auto-mpg'] as const)('SVR on %s: same values', async (name) => {
    const { Xtr, ytr, Xte, x32 } = data(name, true);
    await checkRegressor(new SVR({ C: 10.1 }).fit(Xtr, ytr), Xte, x32);
  });
});
