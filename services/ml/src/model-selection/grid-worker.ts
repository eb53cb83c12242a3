// Worker thread of the grid search: receives a job's data once, then runs tasks (cv-tasks.ts).
import { parentPort } from 'node:worker_threads';
import { Matrix } from '../matrix.js';
import { modelSpec } from '../registry.js';
import { CvRunner } from './cv-tasks.js';
import { ColumnTransformer } from '../preprocessing/column-transformer.js';
import type { WorkerReply, WorkerRequest } from './worker-protocol.js';

let current: { jobId: number; runner: CvRunner } | null = null;

function reply(m: WorkerReply): void {
  parentPort?.postMessage(m);
}

parentPort?.on('message', (m: WorkerRequest) => {
  if (m.type === 'ping') return reply({ type: 'pong' });
  try {
    if (m.type === 'job') {
      const est = modelSpec(m.model).create(m.baseParams);
      const X = new Matrix(m.rows, m.cols, m.X);
      current = { jobId: m.jobId, runner: new CvRunner(est, m.candidates, X, m.y, m.folds, typeof m.pre === 'boolean' ? m.pre : ColumnTransformer.fromSpec(m.pre), { seed: m.seed }) };
      return;
    }
    if (!current || current.jobId !== m.jobId) throw new Error(`task for unknown job ${m.jobId}`);
    reply({ type: 'scores', jobId: m.jobId, taskIndex: m.taskIndex, scores: current.runner.run(m.task) });
  } catch (e) {
    reply({ type: 'error', jobId: m.jobId, message: e instanceof Error ? e.stack ?? e.message : String(e) });
  }
});
