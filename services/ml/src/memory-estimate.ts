// How much memory a grid search will hold at its peak, from the shape of the data alone, so a job
// that cannot fit is refused before it is queued. The figures follow what each family allocates
// (read from its source): an upper bound, not a forecast, and cheap enough to run per request.
//
// Measured (issue 15): SVC on 25,000 rows × 2 features took viz to 7.9 GiB with dense n × n kernel
// matrices. Kernel methods now read LIBSVM's bounded cache (issue 21), and the estimate below gives
// 0.4 GB for that job (two 200 MB caches at the refit) instead of 6.4 GB.

import { KernelCache } from './svm/kernel.js';

export type ModelFamily = 'kernel' | 'forest' | 'boosting' | 'neighbours' | 'linear' | 'naive_bayes';

/** The family of each registry model: what dominates its memory. */
export const MEMORY_FAMILY: Readonly<Record<string, ModelFamily>> = {
  svc: 'kernel',
  svr: 'kernel',
  random_forest_classifier: 'forest',
  random_forest_regressor: 'forest',
  gradient_boosting_classifier: 'boosting',
  gradient_boosting_regressor: 'boosting',
  hist_gradient_boosting_classifier: 'boosting',
  hist_gradient_boosting_regressor: 'boosting',
  knn_classifier: 'neighbours',
  knn_regressor: 'neighbours',
  logistic_regression: 'linear',
  linear_svc: 'linear',
  linear_svr: 'linear',
  linear_regression: 'linear',
  lasso: 'linear',
  ridge: 'linear',
  gaussian_nb: 'naive_bayes',
};

export interface JobShape {
  readonly model: string;
  /** Rows of the dataset (all of them are read, then split). */
  readonly rows: number;
  /** Model inputs after encoding (numbers, date parts, one-hot columns). */
  readonly inputs: number;
  /** Classes of a classification target (1 for regression). */
  readonly classes: number;
  readonly trainFraction: number;
  readonly folds: number;
  /** The grid: each hyperparameter's values (the largest tree count and depth decide). */
  readonly grid: Readonly<Record<string, readonly number[]>>;
  /** Cross-validation fits that run at once (the worker pool's size, at most the tasks). */
  readonly concurrency: number;
}

export interface MemoryEstimate {
  readonly bytes: number;
  readonly trainRows: number;
  /** What dominates, in words, for the message that refuses a job. */
  readonly why: string;
}

const F64 = 8;
const I32 = 4;

const fmtRows = (n: number): string => Math.round(n).toLocaleString('en-US');
export const formatBytes = (b: number): string =>
  b >= 1e9 ? `${(b / 1e9).toFixed(1)} GB` : `${Math.max(1, Math.round(b / 1e6))} MB`;

const maxOf = (grid: JobShape['grid'], name: string, fallback: number): number => {
  const v = grid[name];
  return v && v.length > 0 ? Math.max(...v) : fallback;
};

/** The memory of one fit on m rows, and what dominates it. */
function fitBytes(family: ModelFamily, m: number, s: JobShape, refit: boolean): { bytes: number; why: string } {
  const p = Math.max(1, s.inputs);
  const K = Math.max(1, s.classes);
  // Every fit holds its rows taken from the job's matrix and their preprocessed copy.
  const data = 2 * m * p * F64;
  switch (family) {
    case 'kernel': {
      // kernel.ts: LIBSVM's LRU cache of float32 kernel rows, at most cache_size (200 MB) and at
      // most the whole m × m; the solver's per-variable arrays (smo.ts: y, rowOf, p, α, orig, G,
      // Ḡ, QD, Qi: 57 bytes; SVR has two variables per row); the cache's copy of the rows and
      // their squared norms. SVC's refit may still hold the fit's last cache while Platt
      // calibration (probability=true) fills its own.
      const vars = s.model === 'svr' ? 2 * m : m;
      const caches = refit && s.model === 'svc' ? 2 : 1;
      const cache = KernelCache.bytes(m);
      const bytes = data + caches * cache + vars * 57 + m * (p + 1) * F64;
      return {
        bytes,
        why: `${caches === 2 ? 'two kernel caches' : 'a kernel cache'} of ${formatBytes(cache)} (LIBSVM's cache_size) over ${fmtRows(m)} rows`,
      };
    }
    case 'forest':
    case 'boosting': {
      const trees =
        family === 'forest' ? maxOf(s.grid, 'n_estimators', 100) : maxOf(s.grid, 'n_estimators', 100) * (K > 2 ? K : 1);
      const depth = maxOf(s.grid, 'max_depth', family === 'forest' ? 30 : 3);
      const nodes = Math.min(2 ** (depth + 1) - 1, 2 * m - 1);
      const leafValues = family === 'forest' ? K : 1;
      const nodeBytes = 16 + leafValues * F64; // feature, threshold (f32), left, right + values
      // grow.ts: presorted orders (m × p int32 twice), the node arrays at capacity 2m − 1, the stack
      const growing = 2 * m * p * I32 + (2 * m - 1) * nodeBytes + 6 * (m + 2) * F64;
      // boosting keeps raw scores, gradients and residuals per class
      const boosting = family === 'boosting' ? 4 * m * K * F64 : 0;
      return {
        bytes: data + growing + boosting + trees * nodes * nodeBytes,
        why: `${trees} trees of up to ${fmtRows(nodes)} nodes on ${fmtRows(m)} rows`,
      };
    }
    case 'neighbours':
      // neighbours.ts: the k nearest of each test row (no n × n distances), the training copy kept
      return {
        bytes: data + m * p * F64 + m * maxOf(s.grid, 'n_neighbors', 5) * (I32 + F64),
        why: `${fmtRows(m)} rows × ${p} inputs kept for the neighbour search`,
      };
    case 'linear':
      // the design matrix copies of a fit (scaled, with intercept column) and per-class gradients
      return {
        bytes: data + 2 * m * (p + 1) * F64 + 4 * K * (p + 1) * F64,
        why: `copies of the ${fmtRows(m)} × ${p} design matrix`,
      };
    case 'naive_bayes':
      return { bytes: data + 2 * K * p * F64, why: `${fmtRows(m)} rows × ${p} inputs` };
  }
}

/** The peak of a job: the worst of cross-validation (fits at once) and the refit, plus the job's own copies of the data. */
export function estimateTrainingMemory(s: JobShape): MemoryEstimate {
  const family = MEMORY_FAMILY[s.model];
  if (!family) throw new RangeError(`no memory estimate for model '${s.model}'`);
  const trainRows = Math.round(s.rows * s.trainFraction);
  const foldRows = Math.ceil((trainRows * (s.folds - 1)) / s.folds);
  const p = Math.max(1, s.inputs);
  // train-job.ts: the columns as read, the coded table, the training rows, and their shared copy for the workers
  const shared = 3 * s.rows * p * F64 + trainRows * p * F64;
  const fold = fitBytes(family, foldRows, s, false);
  const refit = fitBytes(family, trainRows, s, true);
  const cv = Math.max(1, s.concurrency) * fold.bytes;
  return cv > refit.bytes
    ? {
        bytes: shared + cv,
        trainRows,
        why: `${Math.max(1, s.concurrency)} cross-validation fits at once, each with ${fold.why}`,
      }
    : {
        bytes: shared + refit.bytes,
        trainRows,
        why: `the final fit on all ${fmtRows(trainRows)} training rows holds ${refit.why}`,
      };
}

/** The most dataset rows this shape could have within `budget` bytes (0 when none fit). */
export function maxRowsWithin(s: JobShape, budget: number): number {
  let lo = 0;
  let hi = Math.max(1, s.rows);
  if (estimateTrainingMemory({ ...s, rows: hi }).bytes <= budget) return hi;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (estimateTrainingMemory({ ...s, rows: mid }).bytes <= budget) lo = mid;
    else hi = mid;
  }
  return lo;
}
