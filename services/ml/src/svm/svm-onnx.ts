// SVMs as ai.onnx.ml SVMClassifier / SVMRegressor nodes in skl2onnx's shapes: libsvm's layout of
// support vectors and coefficients, kernel_params [gamma, coef0, degree], and the runtime's
// rho = −libsvm rho (onnxruntime adds it, libsvm subtracts it).
import { floats, int, ints, str } from '../onnx/graph.js';
import type { Attr, OnnxGraph } from '../onnx/graph.js';
import type { SvcModel } from './svc.js';
import type { SvrModel } from './svr.js';

// libsvm's bounds on pairwise probabilities.
const MIN_PROB = 1e-7;

export interface SvmClassifierOutputs {
  readonly label: string;
  readonly probabilities: string;
}

/** The SVMClassifier attributes of a fitted SVC, without probability calibration. */
function classifierAttrs(m: SvcModel): Record<string, Attr> {
  return {
    classlabels_ints: ints(m.classes.map((_, c) => c)),
    coefficients: floats(m.coef),
    kernel_params: floats([m.gamma, 0, 3]),
    kernel_type: str('RBF'),
    post_transform: str('NONE'),
    rho: floats(Array.from(m.rho, (r) => -r)),
    support_vectors: floats(m.supportVectors.data),
    vectors_per_class: ints(m.nSupport),
  };
}

export function svmClassifierOnnx(g: OnnxGraph, input: string, m: SvcModel): SvmClassifierOutputs {
  const cal = m.calibration();
  if (m.classes.length === 2 && cal) return binaryWithProbabilities(g, input, m, cal.probA[0], cal.probB[0]);
  const attrs = classifierAttrs(m);
  if (cal) {
    attrs.prob_a = floats(cal.probA);
    attrs.prob_b = floats(cal.probB);
  }
  const [label, probabilities] = g.ml('SVMClassifier', [input], [g.fresh('label'), g.fresh('probabilities')], attrs);
  return { label, probabilities };
}

/** Returns the float [N, 1] output. */
export function svmRegressorOnnx(g: OnnxGraph, input: string, m: SvrModel): string {
  const [variable] = g.ml('SVMRegressor', [input], [g.fresh('variable')], {
    coefficients: floats(m.coef),
    kernel_params: floats([m.gamma, 0, 3]),
    kernel_type: str('RBF'),
    n_supports: { int: m.coef.length },
    post_transform: str('NONE'),
    rho: floats([-m.rho]),
    support_vectors: floats(m.supportVectors.data),
  });
  return variable;
}

/**
 * Two classes with probabilities: onnxruntime's SVMClassifier couples the one pair iteratively and
 * stops at its tolerance (probabilities off by up to ~2e-3 from libsvm's), so it runs without
 * prob_a/prob_b — giving the vote label and scores [−f, f] — and Platt's sigmoid is applied to the
 * decision value f with standard operators: p(first class) = 1 / (1 + exp(A·f + B)) = σ(A·(−f) − B),
 * clipped as libsvm clips it.
 */
function binaryWithProbabilities(g: OnnxGraph, input: string, m: SvcModel, A: number, B: number): SvmClassifierOutputs {
  const [label, scores] = g.ml('SVMClassifier', [input], [g.fresh('label'), g.fresh('scores')], classifierAttrs(m));
  const scalar = (name: string, v: number): string => g.constant(name, { type: 'float', dims: [], values: [v] });
  const index = (name: string, v: number): string => g.constant(name, { type: 'int64', dims: [1], values: [v] });
  const [minusF] = g.node('Slice', [scores, index('start', 0), index('end', 1), index('axis', 1)]);
  const [scaled] = g.node('Mul', [minusF, scalar('platt_a', A)]);
  const [z] = g.node('Sub', [scaled, scalar('platt_b', B)]);
  const [p0] = g.node('Sigmoid', [z]);
  const [clipped] = g.node('Clip', [p0, scalar('min_prob', MIN_PROB), scalar('max_prob', 1 - MIN_PROB)]);
  const [p1] = g.node('Sub', [scalar('one', 1), clipped]);
  const [probabilities] = g.node('Concat', [clipped, p1], [g.fresh('probabilities')], { axis: int(1) });
  return { label, probabilities };
}
