// The last step of a search: the best candidate refitted on all the rows it searched, exported to
// ONNX and asked for its own predictions of some rows (to compare with what onnxruntime makes of
// the export). The same in a worker (grid-worker.ts) and in this thread.
import { isClassifier, type Estimator, type Target } from '../estimator.js';
import { Matrix } from '../matrix.js';
import { exportPipelineToOnnx } from '../onnx/export.js';
import { Pipeline, type Preprocessing } from '../pipeline.js';
import type { RefitResult, RefitTask } from './worker-protocol.js';
import { buildExplainer, type ExplainerArtefact } from '../explain/explainer.js';

export function refitAndExport(
  est: Estimator,
  pre: Preprocessing,
  X: Matrix,
  y: Target,
  seed: number,
  task: RefitTask,
): RefitResult {
  const t0 = performance.now();
  const model = new Pipeline(est.with(task.params), pre).fit(X, y, { seed });
  const refitTime = (performance.now() - t0) / 1000;
  const onnx = exportPipelineToOnnx(model, task.nFeatures);
  const rows = new Matrix(task.predictRows, X.cols, task.predictX);
  // the explainer (issue 18) is built here, where the fitted model is; a failure costs the
  // explanations, never the model
  let explainer: ExplainerArtefact | null = null;
  let explainerError: string | undefined;
  if (model.columns) {
    try {
      explainer = buildExplainer({
        preprocessing: model.pre,
        model: model.model,
        background: X,
        modelType: est.name,
        sampling: { seed },
      });
    } catch (err) {
      explainerError = err instanceof Error ? err.message : String(err);
    }
  }
  return {
    onnx,
    refitTime,
    predictions: model.predict(rows),
    probabilities: isClassifier(model.model) ? model.predictProba(rows).data : null,
    explainer,
    ...(explainerError === undefined ? {} : { explainerError }),
  };
}
