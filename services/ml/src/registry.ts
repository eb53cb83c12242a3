// The seed application's fifteen models, and histogram boosting, by id: how to build each, its task and display name, and
// the hyperparameters a person can tune with the seed's slider ranges (whose values form the
// default grid). Entries are appended to MODELS below; grid-search workers build estimators here.
import type { Estimator, Task } from './estimator.js';
import { arange, type ParamGrid, type ParamSet } from './model-selection/param-grid.js';
import { GaussianNB } from './naive-bayes/gaussian-nb.js';
import { KNeighborsClassifier, KNeighborsRegressor } from './neighbors/knn.js';
import { Lasso } from './linear/lasso.js';
import { LinearRegression } from './linear/linear-regression.js';
import { LinearSVC } from './linear/linear-svc.js';
import { LinearSVR } from './linear/linear-svr.js';
import { LogisticRegression } from './linear/logistic-regression.js';
import { Ridge } from './linear/ridge.js';
import { GradientBoostingClassifier, GradientBoostingRegressor } from './ensemble/gradient-boosting.js';
import { RandomForestClassifier, RandomForestRegressor } from './ensemble/random-forest.js';
import { HistGradientBoostingClassifier, HistGradientBoostingRegressor } from './ensemble/hist-gradient-boosting.js';
import { SVC } from './svm/svc.js';
import { SVR } from './svm/svr.js';

/** A slider: values min, min+step, … ≤ max, computed as numpy's arange computes them. */
export interface Hyperparameter {
  readonly name: string;
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly step: number;
  readonly integer: boolean;
  /**
   * Regularisation strengths and learning rates matter by their order of magnitude, so they also
   * have a log scale: powers of ten from `min` to `max`, `perDecade` values per decade (the Train
   * form's default; the linear seed range stays available).
   */
  readonly log?: { readonly min: number; readonly max: number };
}

/** The values per decade a log-scale range may have. */
export const PER_DECADE = [1, 2, 3] as const;

export interface ModelSpec {
  readonly id: string;
  readonly task: Task;
  readonly displayName: string;
  /** True when fits depend on a random seed (forests, boosting): parity is then statistical. */
  readonly randomized: boolean;
  readonly hyperparameters: readonly Hyperparameter[];
  /** An estimator with scikit-learn's defaults, changed by `params` (tunable names only). */
  create(params?: ParamSet): Estimator;
}

// The seed's sliders.
export const ALPHA: Hyperparameter = {
  name: 'alpha',
  label: 'Alpha',
  min: 0.1,
  max: 100.1,
  step: 10,
  integer: false,
  log: { min: 0.001, max: 1000 },
};
export const C: Hyperparameter = {
  name: 'C',
  label: 'C',
  min: 0.1,
  max: 100.1,
  step: 10,
  integer: false,
  log: { min: 0.001, max: 1000 },
};
export const LEARNING_RATE: Hyperparameter = {
  name: 'learning_rate',
  label: 'Learning rate',
  min: 0.1,
  max: 1.0,
  step: 0.1,
  integer: false,
  log: { min: 0.001, max: 1 },
};
export const MAX_DEPTH: Hyperparameter = {
  name: 'max_depth',
  label: 'Max depth',
  min: 3,
  max: 10,
  step: 1,
  integer: true,
};
export const N_ESTIMATORS: Hyperparameter = {
  name: 'n_estimators',
  label: 'Number of trees',
  min: 50,
  max: 250,
  step: 50,
  integer: true,
};
// Histogram boosting: max_iter stays 100 with early stopping on above 10,000 rows (scikit-learn's
// 'auto'); the grid is boosting's learning-rate slider (the Train page has one slider per
// hyperparameter name, shared by the models) and the leaf budget around scikit-learn's 31.
export const MAX_LEAF_NODES: Hyperparameter = {
  name: 'max_leaf_nodes',
  label: 'Max leaf nodes',
  min: 15,
  max: 63,
  step: 16,
  integer: true,
};
export const N_NEIGHBORS: Hyperparameter = {
  name: 'n_neighbors',
  label: 'Neighbours',
  min: 3,
  max: 10,
  step: 1,
  integer: true,
};

/** The values of a slider, as the seed's np.arange(min, max + step, step) gives them. */
export function sliderValues(h: Hyperparameter): number[] {
  return arange(h.min, h.max + h.step, h.step).filter((v) => v <= h.max + 1e-9);
}

/**
 * Log-scale values from `min` to `max`: 10^(k/perDecade) for whole k, each rounded to three
 * significant digits (0.001, 0.00316, 0.01, … with two per decade), so what a form shows and what
 * is searched are the same numbers.
 */
export function logValues(min: number, max: number, perDecade: number): number[] {
  if (!(min > 0) || !(max >= min) || !(perDecade >= 1)) return [];
  const lo = Math.ceil(Math.log10(min) * perDecade - 1e-9);
  const hi = Math.floor(Math.log10(max) * perDecade + 1e-9);
  const out: number[] = [];
  for (let k = lo; k <= hi; k++) out.push(Number((10 ** (k / perDecade)).toPrecision(3)));
  return out;
}

export type RangeScale = { readonly scale: 'linear' } | { readonly scale: 'log'; readonly perDecade: number };

/** Every value a hyperparameter's slider offers on a scale (null: it has no log scale). */
export function scaleValues(h: Hyperparameter, s: RangeScale): number[] | null {
  if (s.scale === 'linear') return sliderValues(h);
  return h.log ? logValues(h.log.min, h.log.max, s.perDecade) : null;
}

/** The default grid of a model: every slider value of every hyperparameter. */
export function defaultGrid(spec: ModelSpec): ParamGrid {
  return Object.fromEntries(spec.hyperparameters.map((h) => [h.name, sliderValues(h)]));
}

/** Numeric entries only: the tunable hyperparameters of these models are all numbers. */
function numeric(params: ParamSet | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(params ?? {})) {
    if (typeof v !== 'number') throw new TypeError(`hyperparameter ${k} must be a number, got ${JSON.stringify(v)}`);
    out[k] = v;
  }
  return out;
}

export const MODELS: ModelSpec[] = [
  {
    id: 'knn_classifier',
    task: 'classification',
    displayName: 'K-nearest neighbours',
    randomized: false,
    hyperparameters: [N_NEIGHBORS],
    create: (p) => new KNeighborsClassifier(numeric(p)),
  },
  {
    id: 'logistic_regression',
    task: 'classification',
    displayName: 'Logistic regression',
    randomized: false,
    hyperparameters: [C],
    create: (p) => new LogisticRegression(numeric(p)),
  },
  {
    id: 'gaussian_nb',
    task: 'classification',
    displayName: 'Gaussian naive Bayes',
    randomized: false,
    hyperparameters: [],
    create: (p) => new GaussianNB(numeric(p)),
  },
  {
    id: 'linear_svc',
    task: 'classification',
    displayName: 'Linear SVC',
    randomized: false,
    hyperparameters: [C],
    create: (p) => new LinearSVC(numeric(p)),
  },
  {
    id: 'knn_regressor',
    task: 'regression',
    displayName: 'K-nearest neighbours',
    randomized: false,
    hyperparameters: [N_NEIGHBORS],
    create: (p) => new KNeighborsRegressor(numeric(p)),
  },
  {
    id: 'linear_regression',
    task: 'regression',
    displayName: 'Linear regression',
    randomized: false,
    hyperparameters: [],
    create: (p) => new LinearRegression(numeric(p)),
  },
  {
    id: 'lasso',
    task: 'regression',
    displayName: 'Lasso',
    randomized: false,
    hyperparameters: [ALPHA],
    create: (p) => new Lasso(numeric(p)),
  },
  {
    id: 'ridge',
    task: 'regression',
    displayName: 'Ridge',
    randomized: false,
    hyperparameters: [ALPHA],
    create: (p) => new Ridge(numeric(p)),
  },
  {
    id: 'linear_svr',
    task: 'regression',
    displayName: 'Linear SVR',
    randomized: false,
    hyperparameters: [C],
    create: (p) => new LinearSVR(numeric(p)),
  },
  // ML part 2 appends: gradient_boosting_classifier, random_forest_classifier, svc,
  // gradient_boosting_regressor, random_forest_regressor, svr.
  {
    id: 'gradient_boosting_classifier',
    task: 'classification',
    displayName: 'Gradient boosting',
    randomized: true,
    hyperparameters: [LEARNING_RATE, N_ESTIMATORS, MAX_DEPTH],
    create: (p) => new GradientBoostingClassifier(numeric(p)),
  },
  {
    id: 'random_forest_classifier',
    task: 'classification',
    displayName: 'Random forest',
    randomized: true,
    hyperparameters: [N_ESTIMATORS, MAX_DEPTH],
    create: (p) => new RandomForestClassifier(numeric(p)),
  },
  {
    id: 'svc',
    task: 'classification',
    displayName: 'SVC (RBF kernel)',
    randomized: false,
    hyperparameters: [C],
    create: (p) => new SVC(numeric(p)),
  },
  {
    id: 'gradient_boosting_regressor',
    task: 'regression',
    displayName: 'Gradient boosting',
    randomized: true,
    hyperparameters: [LEARNING_RATE, N_ESTIMATORS, MAX_DEPTH],
    create: (p) => new GradientBoostingRegressor(numeric(p)),
  },
  {
    id: 'random_forest_regressor',
    task: 'regression',
    displayName: 'Random forest',
    randomized: true,
    hyperparameters: [N_ESTIMATORS, MAX_DEPTH],
    create: (p) => new RandomForestRegressor(numeric(p)),
  },
  {
    id: 'svr',
    task: 'regression',
    displayName: 'SVR (RBF kernel)',
    randomized: false,
    hyperparameters: [C],
    create: (p) => new SVR(numeric(p)),
  },
  {
    id: 'hist_gradient_boosting_classifier',
    task: 'classification',
    displayName: 'Histogram gradient boosting',
    randomized: true,
    hyperparameters: [LEARNING_RATE, MAX_LEAF_NODES],
    create: (p) => new HistGradientBoostingClassifier(numeric(p)),
  },
  {
    id: 'hist_gradient_boosting_regressor',
    task: 'regression',
    displayName: 'Histogram gradient boosting',
    randomized: true,
    hyperparameters: [LEARNING_RATE, MAX_LEAF_NODES],
    create: (p) => new HistGradientBoostingRegressor(numeric(p)),
  },
];

export function modelSpec(id: string): ModelSpec {
  const spec = MODELS.find((m) => m.id === id);
  if (!spec) throw new RangeError(`unknown model '${id}'; known: ${MODELS.map((m) => m.id).join(', ')}`);
  return spec;
}
