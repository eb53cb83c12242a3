import { Matrix } from '../src/matrix.js';
import { StandardScaler } from '../src/preprocessing/standard-scaler.js';
import { SVC } from '../src/svm/svc.js';
import { SVR } from '../src/svm/svr.js';
import { takeTarget } from '../src/target.js';
import { loadDataset, simpleSplit } from './ensemble-data.js';

function scaledSplit(name: 'iris' | 'wine' | 'boston' | 'auto-mpg') {
  const { X, y } = loadDataset(name);
  const s = simpleSplit(X.rows);
  const scaler = new StandardScaler().fit(X.takeRows(s.train));
  return {
    Xtr: scaler.transform(X.takeRows(s.train)),
    ytr: takeTarget(y, s.train),
    Xte: scaler.transform(X.takeRows(s.test)),
    yte: takeTarget(y, s.test),
  };
}

const GRID = [0.1, 10.1, 20.1, 50.1, 100.1].map((C) => ({ C }));
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('SVC fitPath', () => {
  it.each(['iris', 'wine'] as const)(
    'gives on %s, for every C, the predictions of an independent fit and decision values within 1e-3',
    (name) => {
      const { Xtr, ytr, Xte } = scaledSplit(name);
      const est = new SVC();
      const path = est.fitPath(Xtr, ytr, GRID, { seed: 5 });
      GRID.forEach((s, i) => {
        const alone = est.with(s).fit(Xtr, ytr, { seed: 5 });
        expect(Array.from(path[i].predict(Xte))).toEqual(Array.from(alone.predict(Xte)));
        expect(maxAbsDiff(path[i].pairDecisions(Xte).data, alone.pairDecisions(Xte).data)).toBeLessThan(1e-3);
        expect(maxAbsDiff(path[i].predictProba(Xte).data, alone.predictProba(Xte).data)).toBeLessThan(1e-3);
      });
    },
  );
});

describe('SVR fitPath', () => {
  it.each(['boston', 'auto-mpg'] as const)(
    'gives on %s, for every C, predictions within 1e-3 of an independent fit',
    (name) => {
      const { Xtr, ytr, Xte } = scaledSplit(name);
      const est = new SVR();
      const path = est.fitPath(Xtr, ytr, GRID);
      GRID.forEach((s, i) => {
        expect(maxAbsDiff(path[i].predict(Xte), est.with(s).fit(Xtr, ytr).predict(Xte))).toBeLessThan(1e-3);
      });
    },
  );
});

describe('SVC', () => {
  it('separates two well-apart clusters and gives probabilities summing to 1', () => {
    const X = Matrix.fromRows([
      [0, 0],
      [0.2, 0.1],
      [0.1, 0.3],
      [0.3, 0.2],
      [0.2, 0.25],
      [3, 3],
      [3.1, 2.8],
      [2.9, 3.2],
      [3.2, 3.1],
      [2.8, 2.9],
    ]);
    const y = {
      kind: 'classification' as const,
      codes: Int32Array.from([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]),
      classes: ['a', 'b'],
    };
    const m = new SVC().fit(X, y);
    expect(
      Array.from(
        m.predict(
          Matrix.fromRows([
            [0.1, 0.1],
            [3, 3],
          ]),
        ),
      ),
    ).toEqual([0, 1]);
    const P = m.predictProba(Matrix.fromRows([[0.1, 0.1]]));
    expect(P.data[0] + P.data[1]).toBeCloseTo(1, 12);
  });

  it('never predicts a class absent from the training rows, and keeps probabilities finite', () => {
    const { Xtr, ytr, Xte } = scaledSplit('iris');
    const codes = ytr.kind === 'classification' ? ytr.codes : new Int32Array(0);
    const keep = Int32Array.from(codes.keys()).filter((i) => codes[i] !== 1);
    const y = {
      kind: 'classification' as const,
      codes: codes.filter((c) => c !== 1),
      classes: ['setosa', 'versicolor', 'virginica'],
    };
    const m = new SVC().fit(Xtr.takeRows(keep), y);
    expect(Array.from(m.predict(Xte)).every((c) => c !== 1)).toBe(true);
    const P = m.predictProba(Xte);
    for (let i = 0; i < P.rows; i++) expect(P.row(i).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  });

  it('uses one-vs-one with k(k-1)/2 pairs', () => {
    const { Xtr, ytr, Xte } = scaledSplit('wine');
    expect(new SVC().fit(Xtr, ytr).pairDecisions(Xte).cols).toBe(3);
  });
});
