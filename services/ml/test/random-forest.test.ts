import { RandomForestClassifier, RandomForestRegressor } from '../src/ensemble/random-forest.js';
import { takeTarget } from '../src/target.js';
import { loadDataset, simpleSplit } from './ensemble-data.js';

function split(name: 'wine' | 'auto-mpg') {
  const { X, y } = loadDataset(name);
  const s = simpleSplit(X.rows);
  return { Xtr: X.takeRows(s.train), ytr: takeTarget(y, s.train), Xte: X.takeRows(s.test), yte: takeTarget(y, s.test) };
}

describe('RandomForest fitPath', () => {
  it('gives, for every n_estimators × max_depth, the classifier an independent fit gives', () => {
    const { Xtr, ytr, Xte } = split('wine');
    const est = new RandomForestClassifier();
    const settings = [10, 25].flatMap((n) => [2, 4, null].map((d) => ({ n_estimators: n, max_depth: d })));
    const path = est.fitPath(Xtr, ytr, settings, { seed: 7 });
    settings.forEach((s, i) => {
      const alone = est.with(s).fit(Xtr, ytr, { seed: 7 });
      expect(Array.from(path[i].predict(Xte))).toEqual(Array.from(alone.predict(Xte)));
      expect(Array.from(path[i].predictProba(Xte).data)).toEqual(Array.from(alone.predictProba(Xte).data));
    });
    // the shortcut is not vacuous: depth and size change the model
    expect(Array.from(path[0].predictProba(Xte).data)).not.toEqual(Array.from(path[5].predictProba(Xte).data));
  });

  it('gives, for every n_estimators × max_depth, the regressor an independent fit gives', () => {
    const { Xtr, ytr, Xte } = split('auto-mpg');
    const est = new RandomForestRegressor();
    const settings = [5, 12].flatMap((n) => [3, 6].map((d) => ({ n_estimators: n, max_depth: d })));
    const path = est.fitPath(Xtr, ytr, settings, { seed: 3 });
    settings.forEach((s, i) => {
      expect(Array.from(path[i].predict(Xte))).toEqual(Array.from(est.with(s).fit(Xtr, ytr, { seed: 3 }).predict(Xte)));
    });
  });
});

describe('RandomForest', () => {
  it('classifies Wine well with the defaults and gives probabilities summing to 1', () => {
    const { Xtr, ytr, Xte, yte } = split('wine');
    const m = new RandomForestClassifier().fit(Xtr, ytr, { seed: 1 });
    const pred = m.predict(Xte);
    const codes = yte.kind === 'classification' ? yte.codes : new Int32Array(0);
    const acc = pred.reduce((a, p, i) => a + (p === codes[i] ? 1 : 0), 0) / pred.length;
    expect(acc).toBeGreaterThan(0.9);
    const P = m.predictProba(Xte);
    for (let i = 0; i < P.rows; i++) expect(P.row(i).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('is deterministic for a seed and changes with it', () => {
    const { Xtr, ytr, Xte } = split('auto-mpg');
    const est = new RandomForestRegressor({ n_estimators: 10 });
    const a = est.fit(Xtr, ytr, { seed: 1 }).predict(Xte);
    expect(Array.from(est.fit(Xtr, ytr, { seed: 1 }).predict(Xte))).toEqual(Array.from(a));
    expect(Array.from(est.fit(Xtr, ytr, { seed: 2 }).predict(Xte))).not.toEqual(Array.from(a));
  });

  it('grows trees no deeper than max_depth', () => {
    const { Xtr, ytr } = split('auto-mpg');
    const m = new RandomForestRegressor({ n_estimators: 3, max_depth: 4 }).fit(Xtr, ytr);
    for (const t of m.trees) expect(t.depth()).toBeLessThanOrEqual(4);
    const deep = new RandomForestRegressor({ n_estimators: 3 }).fit(Xtr, ytr);
    expect(Math.max(...deep.trees.map((t) => t.depth()))).toBeGreaterThan(4);
  });
});
