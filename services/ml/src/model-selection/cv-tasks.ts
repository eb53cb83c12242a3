// The unit of grid-search work, the same in the main thread and in a worker: fit one group of
// candidates (those that share a fitPath) on one fold's training rows and score them on its test
// rows. The result depends only on the task, never on which thread ran it or in which order.
import type { Matrix } from '../matrix.js';
import type { Estimator, FitContext, Model, Target } from '../estimator.js';
import { takeTarget } from '../target.js';
import { accuracy } from '../metrics/classification.js';
import { r2Score } from '../metrics/regression.js';
import { estimatorFor, fitPreprocessing, preprocessingFor, type Preprocessing } from '../pipeline.js';
import type { ParamSet } from './param-grid.js';
import type { Split } from './train-test-split.js';

export interface CvTask {
  readonly fold: number;
  /** Indices into the candidate list. */
  readonly candidates: readonly number[];
}

export interface CvScore {
  readonly fold: number;
  readonly candidate: number;
  readonly score: number;
  readonly fitTime: number;
  readonly scoreTime: number;
}

/** Groups candidates that share work: by the estimator's pathKey when it has a fitPath. */
export function planTasks(est: Estimator, candidates: readonly ParamSet[], nFolds: number): CvTask[] {
  const groups = new Map<string, number[]>();
  candidates.forEach((c, i) => {
    const key = est.fitPath ? (est.pathKey ? est.pathKey(c) : '') : String(i);
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  });
  const tasks: CvTask[] = [];
  for (let fold = 0; fold < nFolds; fold++) for (const g of groups.values()) tasks.push({ fold, candidates: g });
  return tasks;
}

/** The default score of scikit-learn estimators: accuracy for classifiers, R² for regressors. */
export function score(model: Model, X: Matrix, y: Target): number {
  const p = model.predict(X);
  return y.kind === 'classification' ? accuracy(y.codes, p) : r2Score(y.values, p);
}

interface FoldData {
  Xtr: Matrix;
  ytr: Target;
  Xte: Matrix;
  yte: Target;
  /** The estimator as fitted on this fold's preprocessed columns (estimatorFor). */
  est: Estimator;
}

/** Runs tasks against one (X, y, folds); fold data is preprocessed once and reused across tasks. */
export class CvRunner {
  private readonly cache = new Map<number, FoldData>();

  constructor(
    private readonly est: Estimator,
    private readonly candidates: readonly ParamSet[],
    private readonly X: Matrix,
    private readonly y: Target,
    private readonly folds: readonly Split[],
    pre: Preprocessing,
    private readonly ctx: FitContext,
  ) {
    this.pre = preprocessingFor(est, pre);
  }

  /** The preprocessing fitted in each fold (text columns ordinal-coded for native categorical splits). */
  private readonly pre: Preprocessing;

  private fold(f: number): FoldData {
    let d = this.cache.get(f);
    if (!d) {
      const { train, test } = this.folds[f];
      let Xtr = this.X.takeRows(train),
        Xte = this.X.takeRows(test);
      const fitted = fitPreprocessing(this.pre, Xtr);
      if (fitted) {
        Xtr = fitted.transform(Xtr);
        Xte = fitted.transform(Xte);
      }
      d = {
        Xtr,
        ytr: takeTarget(this.y, train),
        Xte,
        yte: takeTarget(this.y, test),
        est: estimatorFor(this.est, fitted),
      };
      this.cache.set(f, d);
    }
    return d;
  }

  run(task: CvTask): CvScore[] {
    const d = this.fold(task.fold);
    const settings = task.candidates.map((i) => this.candidates[i]);
    const t0 = performance.now();
    const est = d.est;
    const models =
      est.fitPath && settings.length > 0
        ? est.fitPath(d.Xtr, d.ytr, settings, this.ctx)
        : settings.map((s) => est.with(s).fit(d.Xtr, d.ytr, this.ctx));
    // a shared path's time is split evenly over the candidates it served
    const fitTime = (performance.now() - t0) / 1000 / settings.length;
    return models.map((m, k) => {
      const t1 = performance.now();
      const s = score(m, d.Xte, d.yte);
      return {
        fold: task.fold,
        candidate: task.candidates[k],
        score: s,
        fitTime,
        scoreTime: (performance.now() - t1) / 1000,
      };
    });
  }
}
