// Reading an array at an index the code computed itself (a loop bound, a class code, a row of a
// resample): with noUncheckedIndexedAccess such a read may be undefined, and one out of range is a
// bug, said by name rather than carried on as NaN.

export class IndexOutOfRangeError extends RangeError {
  constructor(index: number, length: number) {
    super(`index ${index} is outside an array of ${length}`);
    this.name = 'IndexOutOfRangeError';
  }
}

/** `xs[i]`, or IndexOutOfRangeError when there is no such element. */
export function at<T>(xs: ArrayLike<T>, i: number): T {
  const v = xs[i];
  if (v === undefined) throw new IndexOutOfRangeError(i, xs.length);
  return v;
}
