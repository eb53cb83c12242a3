// Where Compare-all and random search look for each model's hyperparameters: regularisation and
// learning rates on a log scale (a data scientist's 0.001 … 1000, not the seed's linear 0.1 … 100.1
// in steps of 10), counts and depths as integers. Ranges follow what PyCaret's and H2O AutoML's
// default search spaces cover for the same scikit-learn models. The first candidate of every model
// is its scikit-learn defaults, so a search never does worse than the defaults it could have tried.
import type { ParamSet } from './param-grid.js';
import type { Task } from '../estimator.js';
import { MODELS } from '../registry.js';
import { RandomState } from '../random/random-state.js';

export type Distribution =
  | { readonly kind: 'log-uniform'; readonly low: number; readonly high: number }
  | { readonly kind: 'int-uniform'; readonly low: number; readonly high: number }
  | { readonly kind: 'int-log-uniform'; readonly low: number; readonly high: number };

export type SearchSpace = Readonly<Record<string, Distribution>>;

const logU = (low: number, high: number): Distribution => ({ kind: 'log-uniform', low, high });
const intU = (low: number, high: number): Distribution => ({ kind: 'int-uniform', low, high });
const intLogU = (low: number, high: number): Distribution => ({ kind: 'int-log-uniform', low, high });

// Histogram boosting: the learning rate on a log scale around scikit-learn's 0.1; the leaf budget
// (31 by default) and the smallest leaf (20) on log scales, since halving or doubling them is what
// changes a fit; L2 on the leaf values from almost none to strong (the default 0 is the first
// candidate); iterations as a count (early stopping is off below 10,000 rows, as scikit-learn's 'auto').
const HIST_GRADIENT_BOOSTING: SearchSpace = {
  learning_rate: logU(0.01, 0.5),
  max_leaf_nodes: intLogU(4, 128),
  min_samples_leaf: intLogU(2, 100),
  l2_regularization: logU(1e-3, 10),
  max_iter: intU(50, 300),
};

export const SEARCH_SPACES: Readonly<Record<string, SearchSpace>> = {
  logistic_regression: { C: logU(1e-3, 1e3) },
  linear_svc: { C: logU(1e-3, 1e2) },
  svc: { C: logU(1e-2, 1e3) },
  knn_classifier: { n_neighbors: intLogU(1, 50) },
  gaussian_nb: { var_smoothing: logU(1e-12, 1e-3) },
  random_forest_classifier: { n_estimators: intU(50, 300), max_depth: intU(3, 20) },
  gradient_boosting_classifier: { learning_rate: logU(0.01, 0.5), n_estimators: intU(50, 300), max_depth: intU(2, 6) },
  knn_regressor: { n_neighbors: intLogU(1, 50) },
  linear_regression: {},
  lasso: { alpha: logU(1e-4, 1e2) },
  ridge: { alpha: logU(1e-4, 1e3) },
  linear_svr: { C: logU(1e-3, 1e2) },
  svr: { C: logU(1e-2, 1e3) },
  random_forest_regressor: { n_estimators: intU(50, 300), max_depth: intU(3, 20) },
  gradient_boosting_regressor: { learning_rate: logU(0.01, 0.5), n_estimators: intU(50, 300), max_depth: intU(2, 6) },
  hist_gradient_boosting_classifier: HIST_GRADIENT_BOOSTING,
  hist_gradient_boosting_regressor: HIST_GRADIENT_BOOSTING,
};

/** The registry's models for a task that Compare-all searches. */
export function comparableModels(task: Task): string[] {
  return MODELS.filter((m) => m.task === task && m.id in SEARCH_SPACES).map((m) => m.id);
}

function draw(d: Distribution, rand: () => number): number {
  const u = rand();
  switch (d.kind) {
    case 'log-uniform':
      return Math.exp(Math.log(d.low) + u * (Math.log(d.high) - Math.log(d.low)));
    case 'int-uniform':
      return Math.min(d.high, d.low + Math.floor(u * (d.high - d.low + 1)));
    case 'int-log-uniform':
      return Math.min(d.high, Math.floor(Math.exp(Math.log(d.low) + u * (Math.log(d.high + 1) - Math.log(d.low)))));
  }
}

/**
 * `n` candidates: the defaults ({}), then n − 1 distinct random draws (fewer when the space is
 * smaller than that, and just the defaults for a model with nothing to tune). Values are rounded
 * to 4 significant digits so they read well on a leaderboard and in a spec.
 */
export function sampleCandidates(space: SearchSpace, n: number, rand: () => number): ParamSet[] {
  const out: ParamSet[] = [{}];
  const names = Object.keys(space);
  if (names.length === 0) return out;
  const seen = new Set<string>();
  for (let attempt = 0; out.length < n && attempt < n * 20; attempt++) {
    const p: Record<string, number> = {};
    for (const name of names) {
      const d = space[name];
      if (d) p[name] = Number(draw(d, rand).toPrecision(4));
    }
    const key = JSON.stringify(p);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out;
}

/** One random draw from every distribution of a space, rounded as `sampleCandidates` rounds. */
export function drawParams(space: SearchSpace, rand: () => number): Record<string, number> {
  const p: Record<string, number> = {};
  for (const [name, d] of Object.entries(space)) p[name] = Number(draw(d, rand).toPrecision(4));
  return p;
}

/** Where `v` sits in a distribution, as the uniform draw in [0, 1] that gives it. */
function position(d: Distribution, v: number): number {
  const u =
    d.kind === 'int-uniform'
      ? (v - d.low) / (d.high - d.low + 1)
      : d.kind === 'log-uniform'
        ? Math.log(v / d.low) / Math.log(d.high / d.low)
        : Math.log(v / d.low) / Math.log((d.high + 1) / d.low);
  return Math.min(1, Math.max(0, u));
}

/**
 * A neighbour of `base` (a candidate that scored well): every parameter moved by a normal step of
 * `step` (a share of its range, on the scale it is drawn on: log for log-uniform), kept inside the
 * space. A parameter `base` leaves at its default takes `defaults`' value, or a fresh draw when the
 * default is outside the space (or not a number).
 */
export function perturbParams(
  space: SearchSpace,
  base: ParamSet,
  defaults: Readonly<Record<string, unknown>>,
  rand: () => number,
  step = 0.15,
): Record<string, number> {
  const p: Record<string, number> = {};
  for (const [name, d] of Object.entries(space)) {
    const v = base[name] ?? defaults[name];
    let u = typeof v === 'number' && v >= d.low && v <= d.high ? position(d, v) : rand();
    // Box–Muller from two draws of the seeded stream
    const g = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    u = Math.min(1 - 1e-12, Math.max(0, u + step * g));
    p[name] = Number(draw(d, () => u).toPrecision(4));
  }
  return p;
}

/**
 * A random search's candidates for a registry model: `n` from its search space (its defaults
 * first), drawn with numpy's generator seeded with `seed`, so a search spec is reproducible.
 */
export function randomCandidates(model: string, n: number, seed: number): ParamSet[] {
  const rs = new RandomState(seed);
  return sampleCandidates(SEARCH_SPACES[model] ?? {}, n, () => rs.random());
}
