// Reads the scikit-learn reference results written by services/ml/scripts/make_fixtures.py.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatasetName } from './datasets.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

export interface Candidate {
  readonly params: Record<string, number>;
  readonly mean_test_score: number;
  readonly std_test_score: number;
  readonly rank: number;
  readonly split_scores: number[];
}

export interface ModelFixture {
  readonly dataset: string;
  readonly model: string;
  readonly task: 'classification' | 'regression';
  readonly deterministic: boolean;
  readonly sklearn_seconds: number;
  readonly candidates: Candidate[];
  readonly best_params: Record<string, number>;
  readonly best_score: number;
  readonly train_score: number;
  readonly test_score: number;
  readonly classes?: string[];
  readonly y_test: number[];
  readonly test_pred: number[];
  readonly test_proba?: number[][];
  readonly metrics: Record<string, unknown>;
}

export interface SplitFixture {
  readonly train_idx: number[];
  readonly test_idx: number[];
  readonly folds: { train: number[]; test: number[] }[];
  readonly features: string[];
  readonly extra_splits: { n: number; train_size: number; seed: number; train: number[]; test: number[] }[];
  readonly extra_stratified: { y: number[]; k: number; folds: number[][] }[];
}

function read<T>(path: string): T {
  if (!existsSync(path)) {
    throw new Error(
      `missing fixture ${path}: run \`pnpm fixtures\` at the repository root (needs /usr/bin/python3 with python3-sklearn)`,
    );
  }
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export const splitFixture = (d: DatasetName): SplitFixture => read(join(FIXTURES, d, '_split.json'));
export const modelFixture = (d: DatasetName, model: string): ModelFixture => read(join(FIXTURES, d, `${model}.json`));
