import { Matrix } from '../src/matrix.js';

describe('Matrix', () => {
  it('stores rows contiguously and reads them back', () => {
    const m = Matrix.fromRows([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(m.rows).toBe(3);
    expect(m.get(2, 1)).toBe(6);
    expect(Array.from(m.column(0))).toEqual([1, 3, 5]);
    expect(m.takeRows([2, 0]).toRows()).toEqual([
      [5, 6],
      [1, 2],
    ]);
  });

  it('refuses ragged rows', () => {
    expect(() => Matrix.fromRows([[1, 2], [3]])).toThrow(/row 1/);
  });
});
