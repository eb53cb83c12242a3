import { MISSING, categoryCounts, importance, textCodes } from '../src/documents/eda-analysis.js';

describe('categoryCounts', () => {
  it('lists the most frequent values first, ties by value, then the values cut as "other", then missing', () => {
    const cc = categoryCounts(['b', 'a', 'c', null, 'b', 'a', 'd', 'b'], undefined, 2);
    expect(cc.values).toEqual(['b', 'a', '(other 2 values)', MISSING]);
    expect(cc.groups).toEqual(['']);
    expect(cc.counts).toEqual([[3, 2, 2, 1]]);
  });

  it('counts each value per class, with rows of a missing class as their own group', () => {
    const cc = categoryCounts(['x', 'y', 'x', null, 'x'], {
      labels: ['A', 'B'],
      codes: Int32Array.from([0, 1, 1, 0, -1]),
    });
    expect(cc.values).toEqual(['x', 'y', MISSING]);
    expect(cc.groups).toEqual(['A', 'B', MISSING]);
    expect(cc.counts).toEqual([
      [1, 0, 1],
      [1, 1, 0],
      [1, 0, 0],
    ]);
  });
});

describe('importance with text features', () => {
  const n = 60;
  const y = Int32Array.from({ length: n }, (_, i) => i % 3);
  const numeric = Float64Array.from({ length: n }, (_, i) => (i % 3) + Math.sin(i));
  const full = textCodes(Array.from({ length: n }, (_, i) => ['red', 'green', 'blue'][i % 3]));
  const sparse = textCodes(Array.from({ length: n }, (_, i) => (i % 4 === 0 ? null : ['p', 'q'][i % 2])));

  it('estimates a text feature with missing values on the rows where it is present, the others on every row', () => {
    const imp = importance(
      [
        { name: 'num', values: numeric, discrete: false },
        { name: 'full', values: full, discrete: true, categorical: true },
        { name: 'sparse', values: sparse, discrete: true, categorical: true },
      ],
      { values: new Float64Array(n), classes: y },
    );
    expect(imp.miRows).toEqual([n, n, n - n / 4]);
    expect(imp.rows).toBe(n);
  });

  it('gives a text feature that determines the class of three equal classes the contingency-table MI ln 3', () => {
    const imp = importance(
      [
        { name: 'num', values: numeric, discrete: false },
        { name: 'full', values: full, discrete: true, categorical: true },
      ],
      { values: new Float64Array(n), classes: y },
    );
    expect(imp.mi[1]).toBeCloseTo(Math.log(3), 12);
  });

  it('keeps text features out of PCA', () => {
    const imp = importance(
      [
        { name: 'num', values: numeric, discrete: false },
        { name: 'full', values: full, discrete: true, categorical: true },
      ],
      null,
    );
    expect(imp.pcaRatio).toHaveLength(1);
  });
});
