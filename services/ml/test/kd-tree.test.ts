// The KD-tree returns exactly the brute-force scan's neighbours, in its order (distance, then row index).
import { Matrix } from '../src/matrix.js';
import { NeighbourIndex, useTree } from '../src/neighbors/neighbours.js';
import { RandomState } from '../src/random/random-state.js';

function table(rows: number, cols: number, seed: number, draw: (r: RandomState) => number): Matrix {
  const rs = new RandomState(seed);
  const m = new Matrix(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = draw(rs);
  return m;
}

const both = (train: Matrix, queries: Matrix, k: number) => [
  new NeighbourIndex(train, k, 'brute').query(queries).index,
  new NeighbourIndex(train, k, 'kd_tree').query(queries).index,
];

describe('KD-tree neighbour search', () => {
  it.each([
    ['continuous values, 3 features', 3, (r: RandomState) => r.random()],
    ['continuous values, 20 features', 20, (r: RandomState) => r.random()],
    // small integers: most distances are tied, and many rows are duplicates
    ['integers 0–3 (ties everywhere), 4 features', 4, (r: RandomState) => Math.floor(r.random() * 4)],
    ['integers 0–1 (ties everywhere), 12 features', 12, (r: RandomState) => Math.floor(r.random() * 2)],
    // more features than principal axes kept: the residual norm is part of the bound
    ['integers 0–2 (ties everywhere), 20 features', 20, (r: RandomState) => Math.floor(r.random() * 3)],
    // a large offset and a small spread: the rounding of the projection is what is left to bound
    ['values near 10⁶ spread by 10⁻³, 16 features', 16, (r: RandomState) => 1e6 + 1e-3 * r.random()],
    ['values of 10⁻⁹ and 10⁹ mixed, 14 features', 14, (r: RandomState) => (r.random() < 0.5 ? 1e-9 : 1e9) * r.random()],
  ] as const)('%s: the same neighbours in the same order as brute force', (_name, cols, draw) => {
    const train = table(3000, cols, 1, draw),
      queries = table(300, cols, 2, draw);
    for (const k of [1, 5, 17]) {
      const [brute, tree] = both(train, queries, k);
      expect(Array.from(tree)).toEqual(Array.from(brute));
    }
  });

  it('queries equal to training rows find those rows first (lowest index among duplicates)', () => {
    const train = table(500, 2, 3, (r) => Math.floor(r.random() * 5));
    const [brute, tree] = both(train, train, 3);
    expect(Array.from(tree)).toEqual(Array.from(brute));
    for (let i = 0; i < train.rows; i++) {
      const first = tree[i * 3];
      expect(Array.from(train.row(first))).toEqual(Array.from(train.row(i)));
      expect(first).toBeLessThanOrEqual(i);
    }
  });

  it('rows tied in distance after one rounding keep the brute-force order (features 1 ulp apart)', () => {
    // rows that differ from the query by one unit in the last place in different features: their
    // exact distances tie or differ by an ulp, which no bound may blur
    const base = 1 + 2 ** -30;
    const train = table(2000, 18, 4, (r) => base + Math.floor(r.random() * 3) * 2 ** -52);
    const queries = table(200, 18, 5, (r) => base + Math.floor(r.random() * 3) * 2 ** -52);
    for (const k of [1, 4, 9]) {
      const [brute, tree] = both(train, queries, k);
      expect(Array.from(tree)).toEqual(Array.from(brute));
    }
  });

  it('a query far outside the training data finds the same neighbours as brute force', () => {
    const train = table(3000, 20, 6, (r) => r.random());
    const queries = table(50, 20, 7, (r) => 50 + 100 * r.random());
    const [brute, tree] = both(train, queries, 7);
    expect(Array.from(tree)).toEqual(Array.from(brute));
  });

  it('auto picks the tree for low dimension and brute force for many features or large k', () => {
    expect(useTree(new Matrix(10_000, 20), 5)).toBe(true);
    expect(useTree(new Matrix(10_000, 64), 5)).toBe(false);
    expect(useTree(new Matrix(100, 3), 60)).toBe(false);
  });
});
