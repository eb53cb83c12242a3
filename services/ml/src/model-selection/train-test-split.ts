// scikit-learn's train_test_split(train_size=f, random_state=seed) indices, exactly: ShuffleSplit
// takes the first n_test entries of one permutation as the test set and the next n_train as train.
import { RandomState } from '../random/random-state.js';

export interface Split {
  readonly train: Int32Array;
  readonly test: Int32Array;
}

export function trainTestSplit(n: number, trainFraction: number, seed: number): Split {
  if (!(trainFraction > 0 && trainFraction < 1))
    throw new RangeError(`trainFraction must be in (0, 1), got ${trainFraction}`);
  const nTrain = Math.floor(trainFraction * n);
  const nTest = n - nTrain;
  if (nTrain === 0 || nTest === 0)
    throw new RangeError(`a split of ${n} rows at ${trainFraction} leaves an empty side`);
  const perm = new RandomState(seed).permutation(n);
  return { test: perm.slice(0, nTest), train: perm.slice(nTest, nTest + nTrain) };
}
