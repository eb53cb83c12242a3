import * as ort from 'onnxruntime-node';
import { fitVoting, pickVotingMembers, votingCvScores, type VotingMember } from '../src/ensemble/voting.js';
import { isClassifier } from '../src/estimator.js';
import { Matrix } from '../src/matrix.js';
import { exportPipelineToOnnx } from '../src/onnx/export.js';
import { PipelineModel } from '../src/pipeline.js';
import { cvFolds, gridSearchCV } from '../src/model-selection/grid-search.js';
import { loadDataset } from './support/datasets.js';

/** X rounded to float32, so TypeScript and onnxruntime see the same numbers. */
const f32 = (X: Matrix) => {
  const x32 = Float32Array.from(X.data);
  return { X: new Matrix(X.rows, X.cols, Float64Array.from(x32)), x32 };
};

async function run(bytes: Uint8Array, X: Matrix, x32: Float32Array): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    return await session.run({ X: new ort.Tensor('float32', x32, [X.rows, X.cols]) });
  } finally {
    await session.release();
  }
}

const data = (t: ort.Tensor | undefined) => Array.from(t?.data as Float32Array | BigInt64Array, Number);

describe('soft-voting ensemble', () => {
  it('exports one ONNX graph whose probabilities are the mean of its members’ within 1e-6, and whose label is their argmax', async () => {
    const { X, y } = loadDataset('wine');
    const members: VotingMember[] = [
      { model: 'logistic_regression', params: { C: 0.5 } },
      { model: 'random_forest_classifier', params: { n_estimators: 30, max_depth: 4 } },
      { model: 'svc', params: {} },
    ];
    const ensemble = fitVoting(members, X, y, true, 0);
    const { X: X32, x32 } = f32(X);
    const out = await run(exportPipelineToOnnx(ensemble, X.cols), X32, x32);
    const proba = data(out.probabilities);
    const label = data(out.label);
    expect(proba).toHaveLength(X.rows * 3);

    // each member exported alone (the same fitted preprocessing and model), run by onnxruntime
    const voter = ensemble.model;
    if (!isClassifier(voter) || !('members' in voter)) throw new Error('not a voting classifier');
    const alone = await Promise.all(
      voter.members.map(async (m) =>
        data((await run(exportPipelineToOnnx(new PipelineModel(ensemble.pre, m), X.cols), X32, x32)).probabilities),
      ),
    );
    let worst = 0;
    for (let i = 0; i < proba.length; i++) {
      const mean = ((alone[0]?.[i] ?? 0) + (alone[1]?.[i] ?? 0) + (alone[2]?.[i] ?? 0)) / 3;
      worst = Math.max(worst, Math.abs((proba[i] ?? 0) - mean));
    }
    expect(worst).toBeLessThanOrEqual(1e-6);
    // the TypeScript ensemble is the same mean of its members' own probabilities
    const ours = ensemble.predictProba(X32).data;
    const Xs = ensemble.pre ? ensemble.pre.transform(X32) : X32;
    const each = voter.members.map((m) => m.predictProba(Xs).data);
    for (let i = 0; i < ours.length; i++)
      expect(ours[i]).toBeCloseTo(((each[0]?.[i] ?? 0) + (each[1]?.[i] ?? 0) + (each[2]?.[i] ?? 0)) / 3, 12);
    for (let i = 0; i < X.rows; i++) {
      const row = proba.slice(i * 3, i * 3 + 3);
      expect(label[i]).toBe(row.indexOf(Math.max(...row)));
    }
  }, 60_000);

  it('averages its regressors’ predictions in one ONNX graph, within 1e-6 relative', async () => {
    const { X, y } = loadDataset('boston');
    const members: VotingMember[] = [
      { model: 'ridge', params: { alpha: 1 } },
      { model: 'random_forest_regressor', params: { n_estimators: 20, max_depth: 5 } },
      { model: 'knn_regressor', params: { n_neighbors: 7 } },
    ];
    const ensemble = fitVoting(members, X, y, true, 0);
    const { X: X32, x32 } = f32(X);
    const got = data((await run(exportPipelineToOnnx(ensemble, X.cols), X32, x32)).variable);
    const voter = ensemble.model as unknown as { members: PipelineModel['model'][] };
    const alone = await Promise.all(
      voter.members.map(async (m) =>
        data((await run(exportPipelineToOnnx(new PipelineModel(ensemble.pre, m), X.cols), X32, x32)).variable),
      ),
    );
    expect(got).toHaveLength(X.rows);
    let worst = 0;
    for (let i = 0; i < got.length; i++) {
      const mean = ((alone[0]?.[i] ?? 0) + (alone[1]?.[i] ?? 0) + (alone[2]?.[i] ?? 0)) / 3;
      worst = Math.max(worst, Math.abs((got[i] ?? 0) - mean) / Math.max(1, Math.abs(mean)));
    }
    expect(worst).toBeLessThanOrEqual(1e-6);
  }, 60_000);

  it('scores on the same folds as the search: a one-member ensemble has its member’s CV scores exactly', async () => {
    const { X, y } = loadDataset('iris');
    const folds = cvFolds(X, y, 5);
    const grid = await gridSearchCV(X, y, {
      estimator: 'knn_classifier',
      grid: { n_neighbors: [7] },
      workers: 0,
      seed: 0,
    });
    const single = votingCvScores([{ model: 'knn_classifier', params: { n_neighbors: 7 } }], X, y, folds, true, 0);
    expect(single).toEqual(grid.candidates[0]?.splitScores);
    const three = votingCvScores(
      [
        { model: 'knn_classifier', params: { n_neighbors: 7 } },
        { model: 'logistic_regression', params: {} },
        { model: 'gaussian_nb', params: {} },
      ],
      X,
      y,
      folds,
      true,
      0,
    );
    expect(three).toHaveLength(5);
    expect(three.every((s) => s > 0.85 && s <= 1)).toBe(true);
  }, 60_000);

  it('takes the best candidate of each of the three best families scored on every row', () => {
    const e = (model: string, rows: number, meanScore: number, C = 1) => ({ model, params: { C }, rows, meanScore });
    expect(
      pickVotingMembers([
        e('svc', 120, 0.97),
        e('svc', 120, 0.96, 2),
        e('knn_classifier', 120, 0.95),
        e('gaussian_nb', 40, 0.99),
        e('logistic_regression', 120, NaN),
        e('random_forest_classifier', 120, 0.9),
        e('linear_svc', 120, 0.89),
      ]).map((m) => [m.model, m.params.C]),
    ).toEqual([
      ['svc', 1],
      ['knn_classifier', 1],
      ['random_forest_classifier', 1],
    ]);
    expect(pickVotingMembers([e('svc', 120, 0.97), e('svc', 120, 0.9, 3)])).toEqual([]);
  });
});
