// Validates a Compare-all request: the same table checks as training, a budget of 1–60 minutes,
// and the models to compare — every model for the task with a search space, less those whose
// memory estimate at the search's widest point is over viz's budget (named, with why, so the page
// can say what was left out).
import { BadRequestError } from '@enchilada/core';
import type { Dataset } from '@enchilada/data';
import { SEARCH_SPACES, comparableModels, estimateTrainingMemory, formatBytes, modelSpec } from '@enchilada/ml';
import type { CompareSpec, PreprocessingChoice } from '@enchilada/models';
import { FOLDS, SPLIT_SEED, checkTable, encodedInputs, type TrainLimits } from './train-spec.js';

export interface CompareRequest {
  readonly features: readonly string[];
  readonly trainFraction: number;
  /** Wall-clock budget in minutes, 1–60. */
  readonly budgetMinutes?: number;
  readonly preprocessing?: PreprocessingChoice;
}

export const DEFAULT_BUDGET_MINUTES = 5;

export function validateCompareRequest(
  ds: Dataset,
  req: CompareRequest,
  limits: Omit<TrainLimits, 'maxFits'>,
): { spec: CompareSpec; skipped: { model: string; why: string }[] } {
  checkTable(ds, req);
  const budget = req.budgetMinutes ?? DEFAULT_BUDGET_MINUTES;
  if (!(Number.isFinite(budget) && budget >= 1 && budget <= 60))
    throw new BadRequestError('the time budget must be between 1 and 60 minutes', 'budgetMinutes');
  const task = ds.task === 'classification' ? 'classification' : 'regression';
  const rows = ds.stats?.rows ?? ds.rowCount;
  const classes = task === 'classification' ? Math.max(2, ds.stats?.classCounts?.length ?? 2) : 1;
  const inputs = encodedInputs(ds, req.features, req.preprocessing);
  const models: string[] = [];
  const skipped: { model: string; why: string }[] = [];
  for (const id of comparableModels(task)) {
    // the widest point of the search: its largest draw of every integer parameter (forest sizes)
    const grid = Object.fromEntries(Object.entries(SEARCH_SPACES[id] ?? {}).map(([k, d]) => [k, [d.high]]));
    const est = estimateTrainingMemory({
      model: id,
      rows,
      inputs,
      classes,
      trainFraction: req.trainFraction,
      folds: FOLDS,
      grid,
      concurrency: limits.workers,
    });
    if (est.bytes > limits.maxMemoryBytes)
      skipped.push({
        model: id,
        why: `${modelSpec(id).displayName} needs about ${formatBytes(est.bytes)} (${est.why})`,
      });
    else models.push(id);
  }
  if (models.length === 0)
    throw new BadRequestError(
      `no model fits the training budget of ${formatBytes(limits.maxMemoryBytes)} on ${rows.toLocaleString('en-US')} rows: use a sample of the dataset`,
      'dataset',
    );
  return {
    spec: {
      datasetId: ds.id,
      datasetVersion: ds.version,
      models,
      features: [...req.features],
      trainFraction: Math.round(req.trainFraction * 100) / 100,
      folds: FOLDS,
      seed: SPLIT_SEED,
      budgetSeconds: Math.round(budget * 60),
      ...(req.preprocessing ? { preprocessing: { ...req.preprocessing } } : {}),
    },
    skipped,
  };
}
