// Splits of the toy datasets for the ensemble and SVM tests: the fixture script's train/test split
// and CV folds (when generated), or a fixed every-fifth-row split for tests that need no reference.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, splitFixture } from './support/fixtures.js';
import type { DatasetName } from './support/datasets.js';

export { FIXTURES };
export { loadDataset } from './support/datasets.js';
export type { Dataset, DatasetName } from './support/datasets.js';

export interface Split {
  readonly train: Int32Array;
  readonly test: Int32Array;
  readonly folds: readonly { readonly train: Int32Array; readonly test: Int32Array }[];
}

/** The fixture script's split of `name`, or null when the fixtures were not generated. */
export function fixtureSplit(name: DatasetName): Split | null {
  if (!existsSync(join(FIXTURES, name, '_split.json'))) return null;
  const s = splitFixture(name);
  return {
    train: Int32Array.from(s.train_idx),
    test: Int32Array.from(s.test_idx),
    folds: s.folds.map((f) => ({ train: Int32Array.from(f.train), test: Int32Array.from(f.test) })),
  };
}

/** A deterministic split for tests that do not need scikit-learn's: every fifth row is a test row. */
export function simpleSplit(n: number): { train: Int32Array; test: Int32Array } {
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < n; i++) (i % 5 === 2 ? test : train).push(i);
  return { train: Int32Array.from(train), test: Int32Array.from(test) };
}
