// Exports a fitted Pipeline to ONNX bytes with the outputs the serving side expects: input `X`
// float [N, F] (numeric pipelines) or one input per original column (mixed tables: float [N, 1]
// for numbers, string [N, 1] for text; see ColumnTransformerModel); classifiers give `label` int64 [N] (class index) and `probabilities` float [N, C],
// regressors `variable` float [N, 1].
import { hasOnnxOutputs, isClassifier, type Model } from '../estimator.js';
import type { PipelineModel } from '../pipeline.js';
import { int } from './graph.js';
import { OnnxGraph } from './graph.js';

export function exportPipelineToOnnx(model: PipelineModel<Model>, nFeatures: number): Uint8Array {
  const g = new OnnxGraph();
  const input = model.inputToOnnx(g, nFeatures);
  const inner = model.model;
  if (isClassifier(inner)) {
    const C = inner.classes.length;
    let label: string, probabilities: string;
    if (hasOnnxOutputs(inner)) ({ label, probabilities } = inner.toOnnxOutputs(g, input));
    else {
      probabilities = inner.toOnnx(g, input);
      [label] = g.node('ArgMax', [probabilities], 1, { axis: int(1), keepdims: int(0) });
    }
    // typed explicitly: Debian's onnx 1.12 checker cannot infer ai.onnx.ml outputs
    g.declare(label, 'int64', ['N']);
    g.declare(probabilities, 'float', ['N', C]);
    g.node('Identity', [label], ['label']);
    g.node('Identity', [probabilities], ['probabilities']);
    return g.toBytes([
      { name: 'label', type: 'int64', dims: ['N'] },
      { name: 'probabilities', type: 'float', dims: ['N', C] },
    ]);
  }
  const out = inner.toOnnx(g, input);
  g.declare(out, 'float', ['N', 1]);
  g.node('Identity', [out], ['variable']);
  return g.toBytes([{ name: 'variable', type: 'float', dims: ['N', 1] }]);
}
