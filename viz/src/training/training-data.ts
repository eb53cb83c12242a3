// The dataset's rows as a training job and a comparison read them: the same target coding, engine
// table, preprocessing and train/test split, so a comparison's leaderboard and the training jobs it
// queues hold out the same test rows.
import {
  ColumnTransformer,
  classificationTarget,
  regressionTarget,
  tableFromColumns,
  takeTarget,
  trainTestSplit,
  type Matrix,
  type Split,
  type Table,
  type Target,
} from '@enchilada/ml';
import { readTrainingTable, type Dataset, type TrainingTable } from '@enchilada/data';
import type { Pool } from '@enchilada/core';
import type { DatePart, PreprocessingChoice } from '@enchilada/models';
import { engineColumns } from './model-columns.js';

export interface TrainingData {
  readonly data: TrainingTable;
  /** The whole table's target. */
  readonly y: Target;
  /** The date parts each date column was split into. */
  readonly parts: Map<string, DatePart[]>;
  readonly table: Table;
  /** The preprocessing asked for, unfitted. */
  readonly columns: ColumnTransformer;
  readonly split: Split;
  /** The training rows and their targets. */
  readonly X: Matrix;
  readonly yTrain: Target;
}

export interface TrainingDataSpec {
  readonly features: readonly string[];
  readonly folds: number;
  readonly trainFraction: number;
  readonly seed: number;
  readonly preprocessing?: PreprocessingChoice;
}

/** Reads and splits the rows; `purpose` ('train', 'compare models') names the work when there are too few. */
export async function readTrainingData(
  pool: Pool,
  ds: Dataset,
  spec: TrainingDataSpec,
  purpose: string,
): Promise<TrainingData> {
  const data = await readTrainingTable(pool, ds, spec.features);
  const n = data.rowIds.length;
  if (n < spec.folds * 2)
    throw new Error(`only ${n} rows with a target: too few to ${purpose} with ${spec.folds}-fold cross-validation`);
  const y: Target =
    'labels' in data.target ? classificationTarget(data.target.labels) : regressionTarget(data.target.values);
  const { raw, parts } = engineColumns(data.columns);
  const table = tableFromColumns(raw);
  const columns = new ColumnTransformer(table.schema, spec.preprocessing ?? {});
  const split = trainTestSplit(n, spec.trainFraction, spec.seed);
  return {
    data,
    y,
    parts,
    table,
    columns,
    split,
    X: table.X.takeRows(split.train),
    yTrain: takeTarget(y, split.train),
  };
}
