// What fitted tree-ensemble classifiers share: the label is the most probable class, the ONNX
// model's main output is the label, and inputs are compared as float32 (as onnxruntime does).
import type { Matrix } from '../matrix.js';
import type { Classifier } from '../estimator.js';
import type { OnnxGraph } from '../onnx/graph.js';
import { argmaxRows } from './argmax.js';
import type { ClassifierOutputs } from './tree-ensemble-onnx.js';

export abstract class TreeEnsembleClassifierModel implements Classifier {
  /** Trees compare float32 values, as onnxruntime does: see PipelineModel.transform. */
  readonly float32Input = true;
  abstract readonly classes: readonly string[];
  abstract predictProba(X: Matrix): Matrix;
  /** Both outputs: label (int64 [N]) and probabilities (float [N, K]). */
  abstract toOnnxOutputs(g: OnnxGraph, input: string): ClassifierOutputs;

  predict(X: Matrix): Int32Array {
    return argmaxRows(this.predictProba(X));
  }

  toOnnx(g: OnnxGraph, input: string): string {
    return this.toOnnxOutputs(g, input).label;
  }
}
