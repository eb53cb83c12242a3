// Checks every registered estimator passes, like scikit-learn's check_estimator.
import { isClassifier } from '../src/estimator.js';
import { MODELS, defaultGrid } from '../src/registry.js';
import { expandGrid } from '../src/model-selection/param-grid.js';
import { Pipeline } from '../src/pipeline.js';
import { datasetsFor, workload } from './support/workload.js';

describe.each(MODELS.map((s) => [s.id, s] as const))('%s', (_id, spec) => {
  const w = workload(datasetsFor(spec.task)[0]);
  const setting = expandGrid(defaultGrid(spec))[0];

  it('has scikit-learn’s name for each tunable hyperparameter among its params', () => {
    const est = spec.create();
    for (const h of spec.hyperparameters) expect(Object.keys(est.params)).toContain(h.name);
    expect(est.task).toBe(spec.task);
  });

  it('gives the same predictions when fitted twice with the same seed', () => {
    const a = new Pipeline(spec.create(setting)).fit(w.Xtr, w.ytr, { seed: 7 });
    const b = new Pipeline(spec.create(setting)).fit(w.Xtr, w.ytr, { seed: 7 });
    expect(Array.from(a.predict(w.Xte))).toEqual(Array.from(b.predict(w.Xte)));
  });

  it('predicts one value per row, of the task’s kind', () => {
    const m = new Pipeline(spec.create(setting)).fit(w.Xtr, w.ytr, { seed: 0 });
    const p = m.predict(w.Xte);
    expect(p.length).toBe(w.Xte.rows);
    if (spec.task === 'classification') {
      expect(p).toBeInstanceOf(Int32Array);
      const k = w.ytr.kind === 'classification' ? w.ytr.classes.length : 0;
      for (const v of p) expect(v >= 0 && v < k).toBe(true);
    } else {
      expect(p).toBeInstanceOf(Float64Array);
      for (const v of p) expect(Number.isFinite(v)).toBe(true);
    }
  });

  if (spec.task === 'classification') {
    it('gives probabilities of shape rows × classes that sum to 1, whose argmax is the label', () => {
      const m = new Pipeline(spec.create(setting)).fit(w.Xtr, w.ytr, { seed: 0 });
      if (!isClassifier(m.model)) throw new Error('not a classifier');
      const P = m.predictProba(w.Xte);
      expect([P.rows, P.cols]).toEqual([w.Xte.rows, m.model.classes.length]);
      const labels = m.predict(w.Xte);
      for (let i = 0; i < P.rows; i++) {
        const row = Array.from(P.row(i));
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
        for (const v of row) expect(v >= 0 && v <= 1).toBe(true);
        // not for svc: as in scikit-learn, its Platt-scaled probabilities may disagree with predict
        if (spec.id !== 'svc') expect(row[labels[i]]).toBeCloseTo(Math.max(...row), 12);
      }
    });
  }

  it('with() returns an unfitted clone with the changes, leaving the original as it was', () => {
    const est = spec.create();
    const before = { ...est.params };
    const changes = Object.fromEntries(spec.hyperparameters.map((h) => [h.name, h.max]));
    const clone = est.with(changes);
    expect(clone).not.toBe(est);
    expect(est.params).toEqual(before);
    expect(clone.params).toEqual({ ...before, ...changes });
    expect('predict' in clone).toBe(false);
    expect(Object.isFrozen(clone.params)).toBe(true);
  });

  it('refuses a target of the other task with a message naming the problem', () => {
    const other = spec.task === 'classification' ? workload('boston').ytr : workload('iris').ytr;
    const X = spec.task === 'classification' ? workload('boston').Xtr : workload('iris').Xtr;
    expect(() => spec.create(setting).fit(X, other, { seed: 0 })).toThrow(/target|class|label|numeric/i);
  });
});
