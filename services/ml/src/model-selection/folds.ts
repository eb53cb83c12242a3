// KFold and StratifiedKFold with scikit-learn 1.2's defaults (no shuffling), fold for fold.
import type { Split } from './train-test-split.js';

/** Contiguous folds; the first n % k folds hold one extra row. */
export function kFold(n: number, k = 5): Split[] {
  if (k < 2 || k > n) throw new RangeError(`cannot make ${k} folds of ${n} rows`);
  const out: Split[] = [];
  let start = 0;
  for (let f = 0; f < k; f++) {
    const size = Math.floor(n / k) + (f < n % k ? 1 : 0);
    const test = new Int32Array(size);
    const train = new Int32Array(n - size);
    for (let i = 0; i < size; i++) test[i] = start + i;
    let t = 0;
    for (let i = 0; i < n; i++) if (i < start || i >= start + size) train[t++] = i;
    out.push({ train, test });
    start += size;
  }
  return out;
}

/**
 * sklearn's StratifiedKFold._make_test_folds: classes are numbered by first appearance, the sorted
 * labels are dealt round-robin to get each fold's count per class, and each class's rows (in data
 * order) fill the folds in blocks of those counts.
 */
export function stratifiedKFold(labels: ArrayLike<number>, k = 5): Split[] {
  const n = labels.length;
  const firstSeen = new Map<number, number>();
  const encoded = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let c = firstSeen.get(labels[i]);
    if (c === undefined) {
      c = firstSeen.size;
      firstSeen.set(labels[i], c);
    }
    encoded[i] = c;
  }
  const nClasses = firstSeen.size;
  const counts = new Int32Array(nClasses);
  for (let i = 0; i < n; i++) counts[encoded[i]]++;
  if (counts.every((c) => c < k)) throw new RangeError(`every class has fewer than ${k} members`);
  // allocation[f][c]: how many of y_order[f::k] are class c, where y_order is the sorted codes
  const allocation = Array.from({ length: k }, () => new Int32Array(nClasses));
  let pos = 0;
  for (let c = 0; c < nClasses; c++) {
    for (let r = 0; r < counts[c]; r++, pos++) allocation[pos % k][c]++;
  }
  const testFold = new Int32Array(n);
  for (let c = 0; c < nClasses; c++) {
    let f = 0;
    let left = allocation[0][c];
    for (let i = 0; i < n; i++) {
      if (encoded[i] !== c) continue;
      while (left === 0) left = allocation[++f][c];
      testFold[i] = f;
      left--;
    }
  }
  const out: Split[] = [];
  for (let f = 0; f < k; f++) {
    const test: number[] = [];
    const train: number[] = [];
    for (let i = 0; i < n; i++) (testFold[i] === f ? test : train).push(i);
    out.push({ train: Int32Array.from(train), test: Int32Array.from(test) });
  }
  return out;
}
