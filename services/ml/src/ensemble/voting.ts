// Soft voting (scikit-learn's VotingClassifier(voting='soft') and VotingRegressor): the members'
// class probabilities averaged, the label their argmax; for regressors the predictions averaged.
// Compare-all builds one from the best candidates of its three best model families and keeps it
// when its cross-validated score, on the same folds, beats the best single model's. The ONNX graph
// is one graph: every member's nodes read the same (preprocessed) input, and a Mean node averages
// their outputs.
import {
  hasOnnxOutputs,
  isClassifier,
  type Classifier,
  type Model,
  type Regressor,
  type Target,
} from '../estimator.js';
import { Matrix } from '../matrix.js';
import type { OnnxGraph } from '../onnx/graph.js';
import { int } from '../onnx/graph.js';
import { PipelineModel, fitPreprocessing, type Preprocessing } from '../pipeline.js';
import { modelSpec } from '../registry.js';
import { score } from '../model-selection/cv-tasks.js';
import type { ParamSet } from '../model-selection/param-grid.js';
import type { Split } from '../model-selection/train-test-split.js';
import { argmaxRows } from './argmax.js';
import { takeTarget } from '../target.js';

export interface VotingMember {
  /** Registry id. */
  readonly model: string;
  readonly params: ParamSet;
}

/** The model type an ensemble is registered under. */
export const VOTING_MODEL_TYPE = {
  classification: 'soft_voting_classifier',
  regression: 'soft_voting_regressor',
} as const;

export class VotingClassifierModel implements Classifier {
  readonly classes: readonly string[];

  constructor(readonly members: readonly Classifier[]) {
    const first = members[0];
    if (!first) throw new RangeError('a voting ensemble needs at least one member');
    this.classes = first.classes;
  }

  predictProba(X: Matrix): Matrix {
    const K = this.classes.length;
    const sum = new Float64Array(X.rows * K);
    for (const m of this.members) {
      const p = m.predictProba(X).data;
      for (let i = 0; i < sum.length; i++) sum[i] += p[i] ?? 0;
    }
    for (let i = 0; i < sum.length; i++) sum[i] /= this.members.length;
    return new Matrix(X.rows, K, sum);
  }

  predict(X: Matrix): Int32Array {
    return argmaxRows(this.predictProba(X));
  }

  toOnnxOutputs(g: OnnxGraph, input: string): { label: string; probabilities: string } {
    const probabilities = this.members.map((m) => {
      const p = hasOnnxOutputs(m) ? m.toOnnxOutputs(g, input).probabilities : m.toOnnx(g, input);
      // typed for checkers that cannot infer ai.onnx.ml outputs
      g.declare(p, 'float', ['N', this.classes.length]);
      return p;
    });
    const [mean] = g.node('Mean', probabilities);
    const [label] = g.node('ArgMax', [mean ?? ''], 1, { axis: int(1), keepdims: int(0) });
    return { label: label ?? '', probabilities: mean ?? '' };
  }

  toOnnx(g: OnnxGraph, input: string): string {
    return this.toOnnxOutputs(g, input).probabilities;
  }
}

export class VotingRegressorModel implements Regressor {
  constructor(readonly members: readonly Regressor[]) {
    if (members.length === 0) throw new RangeError('a voting ensemble needs at least one member');
  }

  predict(X: Matrix): Float64Array {
    const sum = new Float64Array(X.rows);
    for (const m of this.members) {
      const p = m.predict(X);
      for (let i = 0; i < sum.length; i++) sum[i] += p[i] ?? 0;
    }
    for (let i = 0; i < sum.length; i++) sum[i] /= this.members.length;
    return sum;
  }

  toOnnx(g: OnnxGraph, input: string): string {
    const outs = this.members.map((m) => {
      const v = m.toOnnx(g, input);
      g.declare(v, 'float', ['N', 1]);
      return v;
    });
    const [mean] = g.node('Mean', outs);
    return mean ?? '';
  }
}

/**
 * The ensemble fitted on (X, y): one preprocessing fitted on X (as each member's own pipeline would
 * fit it: the same rows, so the same scaler or column transformer), each member fitted on its output
 * with the search's seed.
 */
export function fitVoting(
  members: readonly VotingMember[],
  X: Matrix,
  y: Target,
  pre: Preprocessing,
  seed: number,
): PipelineModel<VotingClassifierModel | VotingRegressorModel> {
  const fitted = fitPreprocessing(pre, X);
  const Xs = fitted ? fitted.transform(X) : X;
  const models: Model[] = members.map((m) => modelSpec(m.model).create(m.params).fit(Xs, y, { seed }));
  if (y.kind === 'classification') {
    const classifiers = models.filter(isClassifier);
    if (classifiers.length !== models.length)
      throw new TypeError('every member of a soft-voting classifier must give probabilities');
    return new PipelineModel(fitted, new VotingClassifierModel(classifiers));
  }
  return new PipelineModel(fitted, new VotingRegressorModel(models as Regressor[]));
}

/**
 * The ensemble's score on each fold (accuracy or R², as the search scores): the members refitted
 * on the fold's training rows exactly as the search fitted them (same preprocessing, same seed), so
 * it compares with their CV scores on the same folds.
 */
export function votingCvScores(
  members: readonly VotingMember[],
  X: Matrix,
  y: Target,
  folds: readonly Split[],
  pre: Preprocessing,
  seed: number,
  signal?: AbortSignal,
): number[] {
  return folds.map((f) => {
    signal?.throwIfAborted();
    const model = fitVoting(members, X.takeRows(f.train), takeTarget(y, f.train), pre, seed);
    return score(model, X.takeRows(f.test), takeTarget(y, f.test));
  });
}

/** One leaderboard row as the ensemble needs it. */
export interface RankedCandidate extends VotingMember {
  readonly rows: number;
  readonly meanScore: number;
}

/**
 * The members of Compare-all's ensemble: the best candidate of each of the `size` best model
 * families among those scored on every row (the leaderboard is best first). Fewer than two: none.
 */
export function pickVotingMembers(leaderboard: readonly RankedCandidate[], size = 3): VotingMember[] {
  const rows = Math.max(0, ...leaderboard.map((e) => e.rows));
  const out: VotingMember[] = [];
  for (const e of leaderboard) {
    if (out.length >= size) break;
    if (e.rows !== rows || !Number.isFinite(e.meanScore) || out.some((m) => m.model === e.model)) continue;
    out.push({ model: e.model, params: e.params });
  }
  return out.length >= 2 ? out : [];
}
