// Worker thread of the grid search: receives a job's data once, then runs tasks (cv-tasks.ts), and
// the refit of the best candidate on all the rows with its ONNX export (refit.ts), so that no fit
// of a search ever runs on the thread that serves requests.
import { parentPort } from 'node:worker_threads';
import { Matrix } from '../matrix.js';
import { modelSpec } from '../registry.js';
import { CvRunner } from './cv-tasks.js';
import { refitAndExport } from './refit.js';
import { ColumnTransformer } from '../preprocessing/column-transformer.js';
import type { Estimator, Target } from '../estimator.js';
import type { Preprocessing } from '../pipeline.js';
import type { WorkerReply, WorkerRequest } from './worker-protocol.js';

let current: { jobId: number; runner: CvRunner; est: Estimator; X: Matrix; y: Target; pre: Preprocessing; seed: number } | null = null;

function reply(m: WorkerReply, transfer: ArrayBuffer[] = []): void {
  parentPort?.postMessage(m, transfer);
}

parentPort?.on('message', (m: WorkerRequest) => {
  if (m.type === 'ping') return reply({ type: 'pong' });
  try {
    if (m.type === 'job') {
      const est = modelSpec(m.model).create(m.baseParams);
      const X = new Matrix(m.rows, m.cols, m.X);
      const pre = typeof m.pre === 'boolean' ? m.pre : ColumnTransformer.fromSpec(m.pre);
      current = { jobId: m.jobId, runner: new CvRunner(est, m.candidates, X, m.y, m.folds, pre, { seed: m.seed }), est, X, y: m.y, pre, seed: m.seed };
      return;
    }
    if (!current || current.jobId !== m.jobId) throw new Error(`task for unknown job ${m.jobId}`);
    if (m.type === 'refit') {
      const { est, X, y, pre, seed } = current;
      const result = refitAndExport(est, pre, X, y, seed, m.refit);
      const transfer = [result.onnx.buffer, result.predictions.buffer, ...(result.probabilities ? [result.probabilities.buffer] : [])]
        .filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
      return reply({ type: 'refitted', jobId: m.jobId, result }, transfer);
    }
    reply({ type: 'scores', jobId: m.jobId, taskIndex: m.taskIndex, scores: current.runner.run(m.task) });
  } catch (e) {
    reply({ type: 'error', jobId: m.jobId, message: e instanceof Error ? e.stack ?? e.message : String(e) });
  }
});
