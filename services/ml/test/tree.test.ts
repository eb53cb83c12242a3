import { Matrix } from '../src/matrix.js';
import { TreeGrower } from '../src/tree/grow.js';
import { presort } from '../src/tree/presort.js';
import { UNLIMITED } from '../src/tree/tree.js';

const ones = (n: number): Float64Array => new Float64Array(n).fill(1);

describe('CART growing', () => {
  it('splits at the midpoint between the two values that separate the classes best', () => {
    const X = Matrix.fromRows([[1], [2], [3], [10], [11], [12]]);
    const tree = new TreeGrower(presort(X)).grow(
      ones(6),
      { criterion: 'gini', codes: Int32Array.from([0, 0, 0, 1, 1, 1]), classes: 2 },
      { maxDepth: UNLIMITED, maxFeatures: 1, seed: 1 },
    );
    expect(tree.nodeCount).toBe(3);
    expect(tree.feature[0]).toBe(0);
    expect(tree.threshold[0]).toBe(6.5);
    expect(Array.from(tree.value.subarray(2, 6))).toEqual([1, 0, 0, 1]);
  });

  it('keeps a threshold below the upper value after float32 rounding', () => {
    const lo = 1;
    const hi = 1 + 2 ** -23; // the next float32 after 1: their midpoint rounds up to hi
    const X = Matrix.fromRows([[lo], [hi]]);
    const tree = new TreeGrower(presort(X)).grow(
      ones(2),
      { criterion: 'gini', codes: Int32Array.from([0, 1]), classes: 2 },
      { maxDepth: UNLIMITED, maxFeatures: 1, seed: 1 },
    );
    expect(tree.threshold[0]).toBe(lo);
    expect(tree.leaf(Float32Array.of(hi), 0, UNLIMITED)).toBe(tree.right[0]);
  });

  it('draws past max_features while the features drawn are constant in the node', () => {
    const X = Matrix.fromRows([
      [5, 0, 5],
      [5, 1, 5],
      [5, 2, 5],
      [5, 3, 5],
    ]);
    const codes = Int32Array.from([0, 0, 1, 1]);
    for (let seed = 0; seed < 10; seed++) {
      const tree = new TreeGrower(presort(X)).grow(
        ones(4),
        { criterion: 'gini', codes, classes: 2 },
        { maxDepth: UNLIMITED, maxFeatures: 1, seed },
      );
      expect(tree.feature[0]).toBe(1);
    }
  });

  it('leaves weighted means in regression leaves and counts bootstrap weights', () => {
    const X = Matrix.fromRows([[0], [1], [2], [3]]);
    const tree = new TreeGrower(presort(X)).grow(
      Float64Array.from([1, 3, 0, 2]),
      { criterion: 'squared_error', values: Float64Array.of(1, 2, 100, 7) },
      { maxDepth: 1, maxFeatures: 1, seed: 0 },
    );
    // row 2 has weight 0: it is out of the sample, so the split is between 1 and 3
    expect(tree.threshold[0]).toBe(2);
    expect(tree.value[0]).toBeCloseTo((1 + 6 + 14) / 6, 12);
    expect(tree.value[tree.left[0]]).toBeCloseTo((1 + 6) / 4, 12);
    expect(tree.value[tree.right[0]]).toBe(7);
  });
});
