// GridSearchCV: every combination of the grid scored by k-fold cross-validation (stratified for
// classifiers, plain for regressors, no shuffling: sklearn's cv=5), mean and std of the fold
// scores, fit and score times, the best candidate by sklearn's rule (highest mean score, the first
// in grid order on ties) refitted on all the data given. Work runs on a worker pool when the
// estimator comes from the registry, else in this thread; both give identical scores.
// gridSearchCV refits in this thread and returns the model; gridSearchToOnnx refits on the pool
// too and returns the model's ONNX export (what a server needs, which must not block its thread).
import type { Matrix } from '../matrix.js';
import { AbortedError, type Estimator, type Target } from '../estimator.js';
import {
  Pipeline,
  fitPreprocessing,
  preprocessingFor,
  type FittedPreprocessing,
  type PipelineModel,
  type Preprocessing,
} from '../pipeline.js';
import { modelSpec } from '../registry.js';
import { CvRunner, planTasks, type CvScore } from './cv-tasks.js';
import { kFold, stratifiedKFold } from './folds.js';
import { expandGrid, type ParamGrid, type ParamSet } from './param-grid.js';
import type { Split } from './train-test-split.js';
import { sharedPool, type WorkerPool } from './worker-pool.js';
import type { ColumnTransformer } from '../preprocessing/column-transformer.js';
import { shared, type RefitResult, type RefitTask, type WorkerJob } from './worker-protocol.js';
import { refitAndExport } from './refit.js';

export interface GridSearchOptions {
  /** A registry model id (runs on workers) or an estimator (runs in this thread). */
  readonly estimator: string | Estimator;
  /** Fixed hyperparameters of a registry model, besides the grid. */
  readonly baseParams?: ParamSet;
  readonly grid: ParamGrid;
  /** Explicit candidates (a random search's draws) searched instead of the grid's product. */
  readonly candidates?: readonly ParamSet[];
  readonly cv?: number;
  /** Put a StandardScaler before the model (the seed's pipeline); default true. Ignored with `columns`. */
  readonly scale?: boolean;
  /** Preprocessing for a mixed table (X coded as preprocessing/table.ts describes), fitted inside each fold. */
  readonly columns?: ColumnTransformer;
  readonly seed?: number;
  /** Worker threads: a pool, or 0 to run in this thread. Default: the shared pool (one per core). */
  readonly workers?: WorkerPool | 0;
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

export interface CandidateResult {
  readonly params: ParamSet;
  readonly splitScores: number[];
  readonly meanTestScore: number;
  readonly stdTestScore: number;
  readonly rank: number;
  readonly meanFitTime: number;
  readonly stdFitTime: number;
  readonly meanScoreTime: number;
  readonly stdScoreTime: number;
}

interface SearchOutcome {
  readonly candidates: CandidateResult[];
  readonly bestIndex: number;
  readonly bestParams: ParamSet;
  readonly bestScore: number;
  readonly folds: readonly Split[];
}

export interface GridSearchResult extends SearchOutcome {
  readonly bestModel: PipelineModel;
  readonly refitTime: number;
}

export interface GridSearchExport extends SearchOutcome, RefitResult {
  /** The best pipeline's fitted preprocessing (fitted again here on the same rows: cheap, and the same result). */
  readonly preprocessing: FittedPreprocessing;
}

const meanStd = (v: readonly number[]): [number, number] => {
  let s = 0;
  for (const x of v) s += x;
  const m = s / v.length;
  let q = 0;
  for (const x of v) q += (x - m) * (x - m);
  return [m, Math.sqrt(q / v.length)];
};

export function cvFolds(X: Matrix, y: Target, k: number): Split[] {
  return y.kind === 'classification' ? stratifiedKFold(y.codes, k) : kFold(X.rows, k);
}

export async function gridSearchCV(X: Matrix, y: Target, opts: GridSearchOptions): Promise<GridSearchResult> {
  const s = await search(X, y, opts);
  const t0 = performance.now();
  const bestModel = new Pipeline(s.est.with(s.bestParams), s.pre).fit(X, y, { seed: s.seed, signal: opts.signal });
  return { ...s.outcome, bestModel, refitTime: (performance.now() - t0) / 1000 };
}

/**
 * The search, then the best candidate refitted on all of X and exported to ONNX on a worker of the
 * pool (its limits and the abort apply, and this thread stays free), which also predicts `predict`
 * with it. With `workers: 0` or an estimator object, all of it runs in this thread.
 */
export async function gridSearchToOnnx(
  X: Matrix,
  y: Target,
  opts: GridSearchOptions & { readonly predict: Matrix },
): Promise<GridSearchExport> {
  const s = await search(X, y, opts);
  const task: RefitTask = {
    params: s.bestParams,
    nFeatures: X.cols,
    predictRows: opts.predict.rows,
    predictX: opts.predict.data,
  };
  let refitted: RefitResult;
  if (s.pool && s.job) {
    refitted = await s.pool.refit(s.job, { ...task, predictX: shared(task.predictX) }, opts.signal);
  } else {
    if (opts.signal?.aborted) throw new AbortedError();
    refitted = refitAndExport(s.est, s.pre, X, y, s.seed, task);
  }
  return { ...s.outcome, ...refitted, preprocessing: fitPreprocessing(preprocessingFor(s.est, s.pre), X) };
}

async function search(X: Matrix, y: Target, opts: GridSearchOptions) {
  const k = opts.cv ?? 5;
  const pre: Preprocessing = opts.columns ?? opts.scale ?? true;
  const seed = opts.seed ?? 0;
  const est = typeof opts.estimator === 'string' ? modelSpec(opts.estimator).create(opts.baseParams) : opts.estimator;
  const candidates = opts.candidates ? [...opts.candidates] : expandGrid(opts.grid);
  const folds = cvFolds(X, y, k);
  const tasks = planTasks(est, candidates, k);
  const total = candidates.length * k;
  const table: CvScore[][] = candidates.map(() => new Array<CvScore>(k));
  let done = 0;
  const collect = (scores: CvScore[]) => {
    for (const s of scores) table[s.candidate][s.fold] = s;
    done += scores.length;
    opts.onProgress?.(done, total);
  };
  const pool = opts.workers === 0 || typeof opts.estimator !== 'string' ? null : (opts.workers ?? sharedPool());
  let job: Omit<WorkerJob, 'jobId'> | null = null;
  if (pool && typeof opts.estimator === 'string') {
    const yShared =
      y.kind === 'classification'
        ? { kind: 'classification' as const, codes: shared(y.codes), classes: y.classes }
        : { kind: 'regression' as const, values: shared(y.values) };
    job = {
      model: opts.estimator,
      baseParams: opts.baseParams ?? {},
      candidates,
      rows: X.rows,
      cols: X.cols,
      X: shared(X.data),
      y: yShared,
      folds: folds.map((f) => ({ train: shared(f.train), test: shared(f.test) })),
      pre: typeof pre === 'boolean' ? pre : pre.spec,
      seed,
    };
    await pool.run(job, tasks, collect, opts.signal);
  } else {
    const runner = new CvRunner(est, candidates, X, y, folds, pre, { seed, signal: opts.signal });
    for (const t of tasks) {
      if (opts.signal?.aborted) throw new AbortedError();
      collect(runner.run(t));
      // let an abort or progress listener run between tasks
      await new Promise<void>((r) => setImmediate(r));
    }
  }
  const results = candidates.map((params, i): Omit<CandidateResult, 'rank'> => {
    const row = table[i];
    const splitScores = row.map((s) => s.score);
    const [meanTestScore, stdTestScore] = meanStd(splitScores);
    const [meanFitTime, stdFitTime] = meanStd(row.map((s) => s.fitTime));
    const [meanScoreTime, stdScoreTime] = meanStd(row.map((s) => s.scoreTime));
    return { params, splitScores, meanTestScore, stdTestScore, meanFitTime, stdFitTime, meanScoreTime, stdScoreTime };
  });
  // rank 'min' like scipy's rankdata on −mean; NaN scores rank last
  const key = (r: { meanTestScore: number }) => (Number.isNaN(r.meanTestScore) ? -Infinity : r.meanTestScore);
  const ranked = results.map((r) => ({ ...r, rank: 1 + results.filter((o) => key(o) > key(r)).length }));
  let bestIndex = 0;
  for (let i = 1; i < ranked.length; i++) if (key(ranked[i]) > key(ranked[bestIndex])) bestIndex = i;
  const outcome: SearchOutcome = {
    candidates: ranked,
    bestIndex,
    bestParams: candidates[bestIndex],
    bestScore: ranked[bestIndex].meanTestScore,
    folds,
  };
  return { outcome, est, pre, seed, bestParams: candidates[bestIndex], pool, job };
}
