// A soft-voting ensemble stored as Compare-all stores one (ensemble-register.ts, with its ONNX graph
// and explainer), without running a comparison: its members are given and cross-validated here as
// compareModels would (votingCvScores on the spec's folds), and the leaderboard they come from scores
// every single model 0, so the ensemble beats them and is registered.
import type { Pool } from '@enchilada/core';
import { readTrainingTable, type Dataset } from '@enchilada/data';
import {
  ColumnTransformer,
  classificationTarget,
  cvFolds,
  regressionTarget,
  tableFromColumns,
  takeTarget,
  trainTestSplit,
  votingCvScores,
  type LeaderboardEntry,
  type VotingMember,
} from '@enchilada/ml';
import type { CompareSpec } from '@enchilada/models';
import { compareEnsemble } from '../../src/training/ensemble-register.js';
import { engineColumns } from '../../src/training/model-columns.js';

/** The registry id of the ensemble of `members` fitted on `features` of `ds` (a share `trainFraction` of its rows). */
export async function registerEnsemble(
  pool: Pool,
  ds: Dataset,
  features: readonly string[],
  members: readonly VotingMember[],
  trainFraction = 0.8,
  seed = 214,
): Promise<number> {
  const data = await readTrainingTable(pool, ds, [...features]);
  const y = 'labels' in data.target ? classificationTarget(data.target.labels) : regressionTarget(data.target.values);
  const { raw, parts } = engineColumns(data.columns);
  const table = tableFromColumns(raw);
  const split = trainTestSplit(data.rowIds.length, trainFraction, seed);
  const X = table.X.takeRows(split.train);
  const leaderboard: LeaderboardEntry[] = members.map((m) => ({
    ...m,
    round: 0,
    rows: X.rows,
    meanScore: 0,
    stdScore: 0,
    fitTime: 0,
    scoreTime: 0,
  }));
  const spec: CompareSpec = {
    datasetId: ds.id,
    datasetVersion: ds.version,
    models: members.map((m) => m.model),
    features: [...features],
    trainFraction,
    folds: 2,
    seed,
    budgetSeconds: 60,
  };
  const yTrain = takeTarget(y, split.train);
  const preprocessing = new ColumnTransformer(table.schema, {});
  const scores = votingCvScores(members, X, yTrain, cvFolds(X, yTrain, spec.folds), preprocessing, seed);
  const meanScore = scores.reduce((a, v) => a + v, 0) / scores.length;
  const entry = await compareEnsemble(
    {
      pool,
      ds,
      spec,
      jobId: 0,
      createdBy: null,
      X,
      yTrain,
      y,
      columns: data.columns,
      parts,
      rowIds: data.rowIds,
      split,
      preprocessing,
    },
    leaderboard,
    { members: [...members], rows: X.rows, round: 0, meanScore, stdScore: 0, fitTime: 0 },
  );
  if (entry?.modelId === undefined) throw new Error('the ensemble was not stored');
  return entry.modelId;
}
