import { GradientBoostingClassifier, GradientBoostingRegressor } from '../src/ensemble/gradient-boosting.js';
import { classificationTarget, takeTarget } from '../src/target.js';
import { loadDataset, simpleSplit } from './ensemble-data.js';

function split(name: 'iris' | 'wine' | 'boston') {
  const { X, y } = loadDataset(name);
  const s = simpleSplit(X.rows);
  return { Xtr: X.takeRows(s.train), ytr: takeTarget(y, s.train), Xte: X.takeRows(s.test), yte: takeTarget(y, s.test) };
}

describe('GradientBoosting fitPath', () => {
  it('gives, for every n_estimators, the multiclass classifier an independent fit gives', () => {
    const { Xtr, ytr, Xte } = split('iris');
    const est = new GradientBoostingClassifier({ learning_rate: 0.5 });
    const settings = [
      { n_estimators: 5 },
      { n_estimators: 20, max_depth: 2 },
      { n_estimators: 20 },
      { n_estimators: 12 },
    ];
    const path = est.fitPath(Xtr, ytr, settings, { seed: 4 });
    settings.forEach((s, i) => {
      const alone = est.with(s).fit(Xtr, ytr, { seed: 4 });
      expect(Array.from(path[i].predictProba(Xte).data)).toEqual(Array.from(alone.predictProba(Xte).data));
    });
    expect(Array.from(path[0].predictProba(Xte).data)).not.toEqual(Array.from(path[2].predictProba(Xte).data));
  });

  it('gives, for every n_estimators, the regressor an independent fit gives', () => {
    const { Xtr, ytr, Xte } = split('boston');
    const est = new GradientBoostingRegressor({ max_depth: 4 });
    const settings = [{ n_estimators: 10 }, { n_estimators: 30 }, { n_estimators: 30, learning_rate: 1 }];
    const path = est.fitPath(Xtr, ytr, settings, { seed: 2 });
    settings.forEach((s, i) => {
      expect(Array.from(path[i].predict(Xte))).toEqual(Array.from(est.with(s).fit(Xtr, ytr, { seed: 2 }).predict(Xte)));
    });
  });
});

describe('GradientBoosting', () => {
  it('starts binary log-loss boosting from the log-odds prior', () => {
    const { Xtr, ytr } = split('wine');
    const codes = ytr.kind === 'classification' ? ytr.codes : new Int32Array(0);
    const binary = classificationTarget(Array.from(codes, (c) => (c === 0 ? 'a' : 'b')));
    const m = new GradientBoostingClassifier({ n_estimators: 1 }).fit(Xtr, binary);
    const p = Array.from(binary.codes).filter((c) => c === 1).length / binary.codes.length;
    expect(m.init[0]).toBeCloseTo(Math.log(p / (1 - p)), 12);
    expect(m.trees).toHaveLength(1);
  });

  it('fits the training set closely with the defaults (log-loss Newton leaves)', () => {
    const { Xtr, ytr, Xte, yte } = split('wine');
    const m = new GradientBoostingClassifier().fit(Xtr, ytr);
    expect(m.trees).toHaveLength(300);
    const codes = yte.kind === 'classification' ? yte.codes : new Int32Array(0);
    const pred = m.predict(Xte);
    expect(pred.reduce((a, p, i) => a + (p === codes[i] ? 1 : 0), 0) / pred.length).toBeGreaterThan(0.85);
  });
});
