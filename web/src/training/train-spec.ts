// Validates what the Train page asks for before anything is queued: every problem is a 400 that
// names the field.
import { BadRequestError } from '@enchilada/core';
import type { Dataset } from '@enchilada/data';
import {
  MODELS,
  PER_DECADE,
  PREPROCESS_DEFAULTS,
  SEARCH_SPACES,
  expandGrid,
  randomCandidates,
  planTasks,
  estimateTrainingMemory,
  formatBytes,
  maxRowsWithin,
  scaleValues,
  type JobShape,
  type ModelSpec,
  type RangeScale,
} from '@enchilada/ml';
import { FOLDS, type PreprocessingChoice, type TrainSpec } from '@enchilada/models';

export interface TrainRequest {
  readonly model: string;
  readonly features: readonly string[];
  readonly trainFraction: number;
  /**
   * Per hyperparameter of the model: the chosen range of its slider, on the linear scale (the
   * seed's, and the default here, so API clients keep their grids) or the log scale.
   */
  readonly ranges?: Readonly<Record<string, RangeRequest>>;
  /** Imputation per column kind and the encoding of text; absent fields take the defaults. */
  readonly preprocessing?: PreprocessingChoice;
  /**
   * Grid search over the ranges (the default), or a random search: `candidates` draws (the model's
   * defaults first) from its Compare-all search space, the ranges then unused.
   */
  readonly search?: { readonly kind: 'grid' | 'random'; readonly candidates?: number };
}

/** A random search's budget: candidates, each cross-validated on every fold. */
export const RANDOM_CANDIDATES = { min: 2, max: 200, default: 20 } as const;

export interface RangeRequest {
  readonly min: number;
  readonly max: number;
  readonly scale?: 'linear' | 'log';
  /** Log scale only: values per decade (PER_DECADE); 1 when absent. */
  readonly perDecade?: number;
}

export const SPLIT_SEED = 214;
export { FOLDS };

export function modelsFor(task: string | null): ModelSpec[] {
  return MODELS.filter((m) => m.task === task);
}

export interface TrainLimits {
  readonly maxFits: number;
  /** viz's budget per job (TRAIN_MAX_MEMORY_MB). */
  readonly maxMemoryBytes: number;
  /** viz's grid-search threads: that many fits run at once. */
  readonly workers: number;
}

/** Date columns become up to five numeric parts (year, month, day, weekday, hour). */
const DATE_PARTS = 5;

/**
 * The model's inputs after encoding, bounded from the dataset's statistics: one per number (two
 * with a missing indicator), five per date, and per text column one (ordinal) or one per distinct
 * value (one-hot, at most maxCategories; the missing value's own column counted).
 */
export function encodedInputs(ds: Dataset, features: readonly string[], pre: PreprocessingChoice = {}): number {
  const encoding = pre.encoding ?? PREPROCESS_DEFAULTS.encoding;
  const indicator = pre.addIndicator ?? PREPROCESS_DEFAULTS.addIndicator;
  const text = new Map((ds.stats?.categorical ?? []).map((c) => [c.name, c]));
  const types = new Map(ds.columns.map((c) => [c.name, c.type]));
  let n = 0;
  for (const f of features) {
    const type = types.get(f);
    if (type === 'date') n += DATE_PARTS;
    else if (type === 'text') {
      if (encoding === 'ordinal') {
        n += 1;
        continue;
      }
      const st = text.get(f);
      // without statistics, every row could be its own category
      const distinct = st ? st.distinct + (st.missing > 0 ? 1 : 0) : ds.rowCount;
      n += Math.max(1, pre.maxCategories ? Math.min(distinct, pre.maxCategories) : distinct);
    } else n += indicator ? 2 : 1;
  }
  return n;
}

export function validateTrainRequest(
  ds: Dataset,
  req: TrainRequest,
  limits: TrainLimits,
): { spec: TrainSpec; fits: number } {
  const { maxFits } = limits;
  checkTable(ds, req);
  const model = MODELS.find((m) => m.id === req.model);
  if (!model) throw new BadRequestError(`unknown model ${JSON.stringify(req.model)}`, 'model');
  if (model.task !== ds.task)
    throw new BadRequestError(
      `${model.displayName} is a ${model.task} model; ${ds.title} is a ${ds.task} dataset`,
      'model',
    );
  const f = req.trainFraction;
  const grid: Record<string, number[]> = {};
  const ranges: Record<string, { min: number; max: number; scale: 'linear' | 'log'; perDecade?: number }> = {};
  for (const name of Object.keys(req.ranges ?? {})) {
    if (!model.hyperparameters.some((h) => h.name === name))
      throw new BadRequestError(`${model.displayName} has no hyperparameter ${JSON.stringify(name)}`, `ranges.${name}`);
  }
  for (const h of model.hyperparameters) {
    const r: RangeRequest = req.ranges?.[h.name] ?? { min: h.min, max: h.max };
    if (!Number.isFinite(r.min) || !Number.isFinite(r.max))
      throw new BadRequestError(`${h.name}: the range must be numbers`, `ranges.${h.name}`);
    const perDecade = r.perDecade ?? 1;
    if (r.scale === 'log' && !(PER_DECADE as readonly number[]).includes(perDecade)) {
      throw new BadRequestError(
        `${h.name}: perDecade must be one of ${PER_DECADE.join(', ')}`,
        `ranges.${h.name}.perDecade`,
      );
    }
    const scale: RangeScale = r.scale === 'log' ? { scale: 'log', perDecade } : { scale: 'linear' };
    const all = scaleValues(h, scale);
    if (all === null)
      throw new BadRequestError(`${h.name} has no log scale: use the linear one`, `ranges.${h.name}.scale`);
    // The log values are rounded to three digits; a bound sent as one of them matches it exactly.
    const tol = (v: number) => 1e-9 * Math.max(1, Math.abs(v));
    const values = all.filter((v) => v >= r.min - tol(r.min) && v <= r.max + tol(r.max));
    if (values.length === 0) {
      const offered =
        scale.scale === 'log'
          ? `log scale ${h.log?.min}–${h.log?.max}, ${perDecade} per decade`
          : `${h.min}–${h.max} step ${h.step}`;
      throw new BadRequestError(
        `${h.name}: the range ${r.min}–${r.max} holds no slider value (${offered})`,
        `ranges.${h.name}`,
      );
    }
    grid[h.name] = values;
    ranges[h.name] =
      scale.scale === 'log'
        ? { min: r.min, max: r.max, scale: 'log', perDecade }
        : { min: r.min, max: r.max, scale: 'linear' };
  }
  const random = req.search?.kind === 'random' ? randomSearch(model, req.search.candidates) : null;
  if (random) {
    for (const k of Object.keys(grid)) delete grid[k];
    Object.assign(grid, random.grid);
  }
  const candidates = random ? random.candidates.length : Object.values(grid).reduce((p, v) => p * v.length, 1);
  const fits = candidates * FOLDS;
  if (fits > maxFits)
    throw new BadRequestError(
      `${candidates} candidates × ${FOLDS} folds = ${fits} fits, above the limit of ${maxFits}: narrow a range`,
      'ranges',
    );
  checkMemory(ds, model, req, grid, limits, random?.candidates);
  return {
    spec: {
      datasetId: ds.id,
      datasetVersion: ds.version,
      model: model.id,
      features: [...req.features],
      trainFraction: Math.round(f * 100) / 100,
      grid,
      folds: FOLDS,
      seed: SPLIT_SEED,
      ...(random
        ? {
            search: { kind: 'random', candidates: random.candidates.length, seed: SPLIT_SEED },
            candidates: random.candidates,
          }
        : { ranges }),
      ...(req.preprocessing ? { preprocessing: { ...req.preprocessing } } : {}),
    },
    fits,
  };
}

/** A random search's draws, and the values drawn per hyperparameter (the spec's grid, for the results page). */
function randomSearch(
  model: ModelSpec,
  requested: number | undefined,
): { candidates: Record<string, number>[]; grid: Record<string, number[]> } {
  const n = requested ?? RANDOM_CANDIDATES.default;
  if (!(Number.isInteger(n) && n >= RANDOM_CANDIDATES.min && n <= RANDOM_CANDIDATES.max)) {
    throw new BadRequestError(
      `a random search draws ${RANDOM_CANDIDATES.min}–${RANDOM_CANDIDATES.max} candidates, got ${String(n)}`,
      'search.candidates',
    );
  }
  if (Object.keys(SEARCH_SPACES[model.id] ?? {}).length === 0)
    throw new BadRequestError(`${model.displayName} has nothing to tune: use the grid search`, 'search.kind');
  const candidates = randomCandidates(model.id, n, SPLIT_SEED).map((p) =>
    Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Number(v)])),
  );
  const grid: Record<string, number[]> = {};
  for (const c of candidates)
    for (const [k, v] of Object.entries(c)) if (!(grid[k] ??= []).includes(v)) grid[k].push(v);
  for (const v of Object.values(grid)) v.sort((a, b) => a - b);
  return { candidates, grid };
}

/**
 * What every job on a table is checked for, Train and Compare alike: a target, features that are
 * columns of the dataset (not the target, none twice), a train share in 0.05–0.95, and a sensible
 * infrequent-category threshold.
 */
export function checkTable(ds: Dataset, req: Pick<TrainRequest, 'features' | 'trainFraction' | 'preprocessing'>): void {
  if (!ds.target || !ds.task)
    throw new BadRequestError(`dataset ${ds.name} has no target column: choose one when uploading`, 'dataset');
  if (req.features.length === 0) throw new BadRequestError('choose at least one feature', 'features');
  const cols = new Map(ds.columns.map((c) => [c.name, c]));
  for (const f of req.features) {
    const c = cols.get(f);
    if (!c) throw new BadRequestError(`unknown feature ${JSON.stringify(f)}`, 'features');
    if (f === ds.target) throw new BadRequestError(`the target ${JSON.stringify(f)} cannot be a feature`, 'features');
  }
  if (new Set(req.features).size !== req.features.length)
    throw new BadRequestError('a feature is listed twice', 'features');
  const f = req.trainFraction;
  if (!(typeof f === 'number' && f >= 0.05 - 1e-9 && f <= 0.95 + 1e-9))
    throw new BadRequestError('the train split must be between 0.05 and 0.95', 'trainFraction');
  const m = req.preprocessing?.minFrequency;
  if (m !== undefined && m !== null && !(m < 1 || Number.isInteger(m))) {
    throw new BadRequestError(
      'minFrequency must be a count (a whole number ≥ 1) or a share of the rows below 1',
      'preprocessing.minFrequency',
    );
  }
}

/**
 * Refuses a job whose memory estimate (services/ml memory-estimate.ts) exceeds viz's budget, with
 * what takes the memory and the ways out: fewer rows (the most that would fit), or another model.
 */
function checkMemory(
  ds: Dataset,
  model: ModelSpec,
  req: TrainRequest,
  grid: Readonly<Record<string, readonly number[]>>,
  limits: TrainLimits,
  candidates?: readonly Record<string, number>[],
): void {
  const rows = ds.stats?.rows ?? ds.rowCount;
  const classes = ds.task === 'classification' ? Math.max(2, ds.stats?.classCounts?.length ?? 2) : 1;
  // the grid search's own plan: candidates sharing a fitPath are one task per fold
  const tasks = planTasks(model.create({}), candidates ?? expandGrid(grid), FOLDS).length;
  const shape: JobShape = {
    model: model.id,
    rows,
    inputs: encodedInputs(ds, req.features, req.preprocessing),
    classes,
    trainFraction: req.trainFraction,
    folds: FOLDS,
    grid,
    concurrency: Math.min(limits.workers, tasks),
  };
  const est = estimateTrainingMemory(shape);
  if (est.bytes <= limits.maxMemoryBytes) return;
  const fit = maxRowsWithin(shape, limits.maxMemoryBytes);
  const others = MODELS.filter(
    (m) =>
      m.task === model.task &&
      m.id !== model.id &&
      estimateTrainingMemory({ ...shape, model: m.id, grid: {} }).bytes <= limits.maxMemoryBytes,
  ).map((m) => m.displayName);
  const ways = [
    fit > 0 ? `a dataset of at most ${fit.toLocaleString('en-US')} rows (a sample)` : null,
    others.length > 0 ? `another model (${[...new Set(others)].join(', ')})` : null,
  ].filter((w): w is string => w !== null);
  throw new BadRequestError(
    `${model.displayName} on ${rows.toLocaleString('en-US')} rows needs about ${formatBytes(est.bytes)} (${est.why}), ` +
      `above the training budget of ${formatBytes(limits.maxMemoryBytes)} (TRAIN_MAX_MEMORY_MB)` +
      (ways.length ? `: use ${ways.join(' or ')}` : ''),
    'model',
  );
}
