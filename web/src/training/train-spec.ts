// Validates what the Train page asks for before anything is queued: every problem is a 400 that
// names the field.
import { BadRequestError } from '@enchilada/core';
import type { Dataset } from '@enchilada/data';
import { MODELS, sliderValues, type ModelSpec } from '@enchilada/ml';
import type { PreprocessingChoice, TrainSpec } from '@enchilada/models';

export interface TrainRequest {
  readonly model: string;
  readonly features: readonly string[];
  readonly trainFraction: number;
  /** Per hyperparameter of the model: the chosen range of its slider. */
  readonly ranges?: Readonly<Record<string, { readonly min: number; readonly max: number }>>;
  /** Imputation per column kind and the encoding of text; absent fields take the defaults. */
  readonly preprocessing?: PreprocessingChoice;
}

export const SPLIT_SEED = 214;
export const FOLDS = 5;

export function modelsFor(task: string | null): ModelSpec[] {
  return MODELS.filter((m) => m.task === task);
}

export function validateTrainRequest(ds: Dataset, req: TrainRequest, maxFits: number): { spec: TrainSpec; fits: number } {
  if (!ds.target || !ds.task) throw new BadRequestError(`dataset ${ds.name} has no target column: choose one when uploading`, 'dataset');
  const model = MODELS.find((m) => m.id === req.model);
  if (!model) throw new BadRequestError(`unknown model ${JSON.stringify(req.model)}`, 'model');
  if (model.task !== ds.task) throw new BadRequestError(`${model.displayName} is a ${model.task} model; ${ds.title} is a ${ds.task} dataset`, 'model');
  if (req.features.length === 0) throw new BadRequestError('choose at least one feature', 'features');
  const cols = new Map(ds.columns.map((c) => [c.name, c]));
  for (const f of req.features) {
    const c = cols.get(f);
    if (!c) throw new BadRequestError(`unknown feature ${JSON.stringify(f)}`, 'features');
    if (f === ds.target) throw new BadRequestError(`the target ${JSON.stringify(f)} cannot be a feature`, 'features');
  }
  if (new Set(req.features).size !== req.features.length) throw new BadRequestError('a feature is listed twice', 'features');
  const f = req.trainFraction;
  if (!(typeof f === 'number' && f >= 0.05 - 1e-9 && f <= 0.95 + 1e-9)) throw new BadRequestError('the train split must be between 0.05 and 0.95', 'trainFraction');
  const grid: Record<string, number[]> = {};
  for (const name of Object.keys(req.ranges ?? {})) {
    if (!model.hyperparameters.some((h) => h.name === name)) throw new BadRequestError(`${model.displayName} has no hyperparameter ${JSON.stringify(name)}`, `ranges.${name}`);
  }
  for (const h of model.hyperparameters) {
    const r = req.ranges?.[h.name] ?? { min: h.min, max: h.max };
    if (!Number.isFinite(r.min) || !Number.isFinite(r.max)) throw new BadRequestError(`${h.name}: the range must be numbers`, `ranges.${h.name}`);
    const values = sliderValues(h).filter((v) => v >= r.min - 1e-9 && v <= r.max + 1e-9);
    if (values.length === 0) throw new BadRequestError(`${h.name}: the range ${r.min}–${r.max} holds no slider value (${h.min}–${h.max} step ${h.step})`, `ranges.${h.name}`);
    grid[h.name] = values;
  }
  const pre = req.preprocessing ?? {};
  const m = pre.minFrequency;
  if (m !== undefined && m !== null && !(m < 1 || Number.isInteger(m))) {
    throw new BadRequestError('minFrequency must be a count (a whole number ≥ 1) or a share of the rows below 1', 'preprocessing.minFrequency');
  }
  const candidates = Object.values(grid).reduce((p, v) => p * v.length, 1);
  const fits = candidates * FOLDS;
  if (fits > maxFits) throw new BadRequestError(`${candidates} candidates × ${FOLDS} folds = ${fits} fits, above the limit of ${maxFits}: narrow a range`, 'ranges');
  return {
    spec: { datasetId: ds.id, datasetVersion: ds.version, model: model.id, features: [...req.features], trainFraction: Math.round(f * 100) / 100, grid, folds: FOLDS, seed: SPLIT_SEED,
      ...(req.preprocessing ? { preprocessing: { ...req.preprocessing } } : {}) },
    fits,
  };
}
