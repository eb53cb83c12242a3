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

let current: {
  jobId: number;
  runner: CvRunner;
  est: Estimator;
  X: Matrix;
  y: Target;
  pre: Preprocessing;
  seed: number;
} | null = null;

function reply(m: WorkerReply): void {
  parentPort?.postMessage(m);
}

parentPort?.on('message', (m: WorkerRequest) => {
  if (m.type === 'ping') return reply({ type: 'pong' });
  try {
    if (m.type === 'job') {
      const est = modelSpec(m.model).create(m.baseParams);
      const X = new Matrix(m.rows, m.cols, m.X);
      const pre = typeof m.pre === 'boolean' ? m.pre : ColumnTransformer.fromSpec(m.pre);
      current = {
        jobId: m.jobId,
        runner: new CvRunner(est, m.candidates, X, m.y, m.folds, pre, { seed: m.seed }),
        est,
        X,
        y: m.y,
        pre,
        seed: m.seed,
      };
      return;
    }
    if (!current || current.jobId !== m.jobId) throw new Error(`task for unknown job ${m.jobId}`);
    if (m.type === 'refit') {
      const { est, X, y, pre, seed } = current;
      const result = refitAndExport(est, pre, X, y, seed, m.refit);
      // copied, not transferred: the ONNX bytes may sit in Node's shared Buffer pool, which newer
      // Node versions refuse to transfer (DataCloneError on Node 24, the images' version); the copy
      // is of a model file and a test set's predictions, small beside the fit
      return reply({ type: 'refitted', jobId: m.jobId, result });
    }
    reply({ type: 'scores', jobId: m.jobId, taskIndex: m.taskIndex, scores: current.runner.run(m.task) });
  } catch (e) {
    reply({ type: 'error', jobId: m.jobId, message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
