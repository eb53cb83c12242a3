import { compareChallenger, type PairedRow } from '../src/challenger.js';

const clf = { task: 'classification' as const, classes: ['0', '1'] };
const row = (champion: string, challenger: string, outcome: string, p = 0.5, q = 0.5): PairedRow => ({
  champion: { prediction: champion, probabilities: { 0: 1 - p, 1: p } },
  challenger: { prediction: challenger, probabilities: { 0: 1 - q, 1: q } },
  outcome,
});

describe('compareChallenger', () => {
  it('gives a zero difference with a zero-width interval when both models predict the same', () => {
    const rows = Array.from({ length: 50 }, (_, i) =>
      row(String(i % 2), String(i % 2), String(i % 3 === 0 ? 1 : 0), 0.7, 0.7),
    );
    const c = compareChallenger(rows, clf);
    expect(c.pairs).toBe(50);
    for (const m of c.metrics) {
      expect(m.difference).toBe(0);
      expect([m.low, m.high]).toEqual([0, 0]);
    }
    expect(c.metrics.map((m) => m.metric)).toEqual(['accuracy', 'macro F1', 'Brier score']);
  });

  it('finds a clearly better challenger: accuracy and F1 up, Brier score down, intervals away from 0', () => {
    // The champion is right on half the rows, the challenger on all.
    const rows = Array.from({ length: 200 }, (_, i) => {
      const y = String(i % 2);
      return row(i % 4 < 2 ? y : String(1 - (i % 2)), y, y, 0.5, y === '1' ? 0.9 : 0.1);
    });
    const c = compareChallenger(rows, clf);
    const by = Object.fromEntries(c.metrics.map((m) => [m.metric, m]));
    expect(by.accuracy.champion).toBeCloseTo(0.5, 10);
    expect(by.accuracy.challenger).toBe(1);
    expect(by.accuracy.difference).toBeCloseTo(0.5, 10);
    expect(by.accuracy.low).toBeGreaterThan(0.35);
    expect(by.accuracy.high).toBeLessThanOrEqual(0.65);
    expect(by['macro F1'].low).toBeGreaterThan(0);
    // Brier: champion 2 × 0.25 = 0.5 per row, challenger 2 × 0.01 = 0.02.
    expect(by['Brier score'].champion).toBeCloseTo(0.5, 10);
    expect(by['Brier score'].challenger).toBeCloseTo(0.02, 10);
    expect(by['Brier score'].high).toBeLessThan(0);
    expect(c.calibration?.challenger.kind).toBe('positive-class');
  });

  it('is seeded: the same rows give the same interval', () => {
    const rows = Array.from({ length: 60 }, (_, i) => row(String(i % 2), String((i >> 1) % 2), String((i >> 2) % 2)));
    expect(compareChallenger(rows, clf)).toEqual(compareChallenger(rows, clf));
  });

  it('compares regressors on MAE and R²', () => {
    const rows: PairedRow[] = Array.from({ length: 100 }, (_, i) => ({
      champion: { prediction: i + 2 },
      challenger: { prediction: i + (i % 2 ? 0.5 : -0.5) },
      outcome: i,
    }));
    const c = compareChallenger(rows, { task: 'regression', classes: null });
    const by = Object.fromEntries(c.metrics.map((m) => [m.metric, m]));
    expect(by.MAE.champion).toBeCloseTo(2, 10);
    expect(by.MAE.challenger).toBeCloseTo(0.5, 10);
    expect(by.MAE.difference).toBeCloseTo(-1.5, 10);
    expect(by.MAE.high).toBeLessThan(0);
    expect(by['R²'].difference).toBeGreaterThan(0);
  });

  it('has nothing to compare without outcome rows', () => {
    expect(compareChallenger([], clf)).toEqual({ pairs: 0, resamples: 1000, metrics: [], calibration: null });
  });
});
