// The soft-voting ensemble's explainer (explain/explainer.ts, kind 'voting'): base + Σ contributions
// = the ensemble's probability (classifiers) or value (regressors) as onnxruntime computes it from
// the ensemble's one ONNX graph; the contributions are the mean of the members' own explanations in
// probability space (exactly their Shapley values' mean when every member is explained in
// probabilities); a sampled member's standard errors are carried; the artefact survives its stored text.
import * as ort from 'onnxruntime-node';
import { fitVoting, VotingClassifierModel, VotingRegressorModel, type VotingMember } from '../src/ensemble/voting.js';
import type { Matrix } from '../src/matrix.js';
import { exportPipelineToOnnx } from '../src/onnx/export.js';
import { PipelineModel } from '../src/pipeline.js';
import { ColumnTransformer } from '../src/preprocessing/column-transformer.js';
import { trainTestSplit } from '../src/model-selection/train-test-split.js';
import { takeTarget } from '../src/target.js';
import {
  buildExplainer,
  loadExplainer,
  parseExplainer,
  serialiseExplainer,
  type ExplainedOutput,
  type RowExplanation,
} from '../src/explain/explainer.js';
import { loadDataset } from './support/datasets.js';
import { readMixed } from './support/mixed-csv.js';

jest.setTimeout(120_000);

/** onnxruntime computes in float32. */
const ONNX_TOL = 1e-6;

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

function efficiencyGap(r: RowExplanation): number {
  return Math.max(...(r.classes ?? [r]).map((o) => Math.abs(o.base_value + sum(o.contributions) - o.value)));
}

/** Rows of a numeric table, float32 as the ONNX graph reads them, as records and as the graph's input. */
function numericRows(
  X: Matrix,
  features: readonly string[],
  rows: Int32Array,
): { records: Record<string, number>[]; x32: Float32Array } {
  const x32 = new Float32Array(rows.length * X.cols);
  rows.forEach((r, i) => {
    for (let j = 0; j < X.cols; j++) x32[i * X.cols + j] = X.data[r * X.cols + j];
  });
  const records = Array.from(rows, (_, i) => Object.fromEntries(features.map((f, j) => [f, x32[i * X.cols + j]])));
  return { records, x32 };
}

async function runOnnx(
  bytes: Uint8Array,
  x32: Float32Array,
  rows: number,
  cols: number,
): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    return await session.run({ X: new ort.Tensor('float32', x32, [rows, cols]) });
  } finally {
    await session.release();
  }
}

describe('soft-voting ensemble explainer', () => {
  it('explains a classifier of a forest, a logistic regression and a kernel SVM: base + Σ = its ONNX probability for every class', async () => {
    const ds = loadDataset('wine');
    const sp = trainTestSplit(ds.X.rows, 0.8, 3);
    const members: VotingMember[] = [
      { model: 'random_forest_classifier', params: { n_estimators: 20, max_depth: 4 } },
      { model: 'logistic_regression', params: { C: 1 } },
      { model: 'svc', params: {} },
    ];
    const ensemble = fitVoting(members, ds.X.takeRows(sp.train), takeTarget(ds.y, sp.train), true, 0);
    const artefact = buildExplainer({
      preprocessing: ensemble.pre,
      model: ensemble.model,
      background: ds.X.takeRows(sp.train),
      features: ds.features,
      sampling: { pairs: 8 },
    });
    expect(artefact.kind).toBe('voting');
    expect(artefact.units).toBe('probability');
    expect(artefact.members?.map((m) => `${m.kind}/${m.units}`)).toEqual([
      'tree/probability',
      'linear/logit',
      'sampling/probability',
    ]);

    const test = sp.test.subarray(0, 8);
    const { records, x32 } = numericRows(ds.X, ds.features, test);
    const explained = loadExplainer(artefact).explain(records);
    const out = await runOnnx(exportPipelineToOnnx(ensemble, ds.X.cols), x32, test.length, ds.X.cols);
    const P = out.probabilities.data as Float32Array;
    const labels = Array.from(out.label.data as BigInt64Array, Number);
    const classes = ensemble.classes ?? [];
    let worst = 0;
    explained.forEach((r, i) => {
      expect(r.method).toBe('voting-shap');
      expect(Object.keys(r.contributions)).toEqual(ds.features);
      expect(efficiencyGap(r)).toBeLessThanOrEqual(1e-9);
      expect(r.prediction).toBe(classes[labels[i]]);
      (r.classes ?? []).forEach((o, k) => {
        worst = Math.max(worst, Math.abs(o.base_value + sum(o.contributions) - P[i * classes.length + k]));
      });
      // the kernel SVM is sampled: its standard errors come through, scaled by its weight (1/3)
      expect(Object.keys(r.stderr ?? {})).toEqual(ds.features);
    });
    console.log(`voting classifier: largest |base + Σ − ONNX probability| ${worst.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(ONNX_TOL);
  });

  it('gives the mean of its members’ own SHAP values when every member is explained in probabilities', () => {
    const ds = loadDataset('iris');
    const members: VotingMember[] = [
      { model: 'random_forest_classifier', params: { n_estimators: 15, max_depth: 3 } },
      { model: 'knn_classifier', params: { n_neighbors: 7 } },
    ];
    const ensemble = fitVoting(members, ds.X, ds.y, true, 0);
    const voter = ensemble.model;
    if (!(voter instanceof VotingClassifierModel)) throw new Error('not a voting classifier');
    const artefact = buildExplainer({
      preprocessing: ensemble.pre,
      model: voter,
      background: ds.X,
      features: ds.features,
    });
    const rows = Int32Array.from([0, 60, 120, 75]);
    const { records } = numericRows(ds.X, ds.features, rows);
    const got = loadExplainer(artefact).explain(records);
    // each member explained alone, as a model of its own, moved to probabilities the same way
    const alone = voter.members.map((m) => {
      const e = loadExplainer(
        buildExplainer({
          preprocessing: ensemble.pre,
          model: new PipelineModel(ensemble.pre, m),
          background: ds.X,
          features: ds.features,
        }),
      );
      return e.explain(records).map((r) => e.inProbability(r));
    });
    got.forEach((r, i) => {
      (r.classes ?? []).forEach((o: ExplainedOutput, k) => {
        for (const f of ds.features) {
          const mean = (alone[0][i][k].contributions[f] + alone[1][i][k].contributions[f]) / 2;
          expect(Math.abs(o.contributions[f] - mean)).toBeLessThanOrEqual(1e-12);
        }
        expect(
          Math.abs(o.base_value - (alone[0][i][k].base_value + alone[1][i][k].base_value) / 2),
        ).toBeLessThanOrEqual(1e-12);
      });
      expect(efficiencyGap(r)).toBeLessThanOrEqual(1e-9);
    });
    expect(artefact.members?.map((m) => m.units)).toEqual(['probability', 'probability']);
    // the forest's exact TreeSHAP values enter as they are
    expect(alone[0][0][0]).toEqual(
      loadExplainer(
        buildExplainer({
          preprocessing: ensemble.pre,
          model: voter.members[0],
          background: ds.X,
          features: ds.features,
        }),
      ).explain(records)[0].classes?.[0],
    );
  });

  it('explains a regressor as the mean of its members’ values: base + Σ = its ONNX prediction', async () => {
    const ds = loadDataset('boston');
    const sp = trainTestSplit(ds.X.rows, 0.8, 5);
    const members: VotingMember[] = [
      { model: 'ridge', params: { alpha: 1 } },
      { model: 'random_forest_regressor', params: { n_estimators: 15, max_depth: 5 } },
      { model: 'knn_regressor', params: { n_neighbors: 5 } },
    ];
    const ensemble = fitVoting(members, ds.X.takeRows(sp.train), takeTarget(ds.y, sp.train), true, 0);
    expect(ensemble.model).toBeInstanceOf(VotingRegressorModel);
    const artefact = buildExplainer({
      preprocessing: ensemble.pre,
      model: ensemble.model,
      background: ds.X.takeRows(sp.train),
      features: ds.features,
      sampling: { pairs: 4, rows: 16 },
    });
    expect(artefact.units).toBe('target');
    const test = sp.test.subarray(0, 6);
    const { records, x32 } = numericRows(ds.X, ds.features, test);
    const explained = loadExplainer(parseExplainer(serialiseExplainer(artefact))).explain(records);
    const v = (await runOnnx(exportPipelineToOnnx(ensemble, ds.X.cols), x32, test.length, ds.X.cols)).variable
      .data as Float32Array;
    explained.forEach((r, i) => {
      expect(r.prediction).toBe(r.value);
      expect(Math.abs(r.base_value + sum(r.contributions) - r.value)).toBeLessThanOrEqual(
        1e-9 * Math.max(1, Math.abs(r.value)),
      );
      expect(Math.abs(r.value - v[i]) / Math.max(1, Math.abs(v[i]))).toBeLessThanOrEqual(ONNX_TOL);
    });
  });

  it('explains an ensemble over a mixed table (text, blanks), one contribution per original column, after its stored text', () => {
    const ds = readMixed('penguins');
    const sp = trainTestSplit(ds.X.rows, 0.8, 11);
    const Xtr = ds.X.takeRows(sp.train);
    const members: VotingMember[] = [
      { model: 'logistic_regression', params: { C: 1 } },
      { model: 'gradient_boosting_classifier', params: { n_estimators: 10, max_depth: 2, learning_rate: 0.3 } },
    ];
    const ensemble = fitVoting(members, Xtr, takeTarget(ds.y, sp.train), new ColumnTransformer(ds.schema), 0);
    const artefact = parseExplainer(
      serialiseExplainer(buildExplainer({ preprocessing: ensemble.pre, model: ensemble.model, background: Xtr })),
    );
    const names = ds.schema.map((s) => s.name);
    const records = Array.from(sp.test.subarray(0, 6), (i) =>
      Object.fromEntries(
        ds.columns.map((c) => {
          const v = c.values[i];
          return [c.name, v === null || (typeof v === 'number' && Number.isNaN(v)) ? null : v];
        }),
      ),
    );
    records.push({
      island: 'Atlantis',
      bill_length_mm: null,
      bill_depth_mm: 18,
      flipper_length_mm: 190,
      body_mass_g: null,
      sex: null,
      year: 2008,
    });
    const explained = loadExplainer(artefact).explain(records);
    const proba = ensemble.predictProba(loadExplainer(artefact).code(records)).data;
    const K = ensemble.classes?.length ?? 0;
    explained.forEach((r, i) => {
      expect(Object.keys(r.contributions)).toEqual(names);
      expect(efficiencyGap(r)).toBeLessThanOrEqual(1e-9);
      (r.classes ?? []).forEach((o, k) => expect(o.value).toBe(proba[i * K + k]));
    });
  });
});
