import { PSI_THRESHOLD, monitoringFigures, psi, quantile, type WindowRow } from '../src/monitoring.js';

const normal = (n: number, shift = 0) => Array.from({ length: n }, (_, i) => {
  // deterministic, roughly normal: sum of 4 spread sequences
  let s = 0;
  for (let k = 1; k <= 4; k++) s += ((i * (0.6180339887 * k)) % 1) - 0.5;
  return s + shift;
});

describe('monitoring figures', () => {
  it('PSI is near 0 for the same distribution and above the threshold for a shifted one', () => {
    const train = normal(2000);
    expect(psi(train, normal(1000))).toBeLessThan(0.02);
    expect(psi(train, normal(1000, 0.8))).toBeGreaterThan(PSI_THRESHOLD);
  });

  it('quantile interpolates like numpy (linear)', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4], 0.99)).toBeCloseTo(3.97, 10);
  });

  it('counts per minute, outcome share, live accuracy / macro F1 and calibration of a binary classifier', () => {
    const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
    const rows: WindowRow[] = [
      { createdAt: new Date(t0), latencyMs: 1, output: { prediction: '1', probabilities: { 0: 0.1, 1: 0.9 } }, outcome: '1', observation: { a: 1 } },
      { createdAt: new Date(t0 + 10_000), latencyMs: 3, output: { prediction: '0', probabilities: { 0: 0.8, 1: 0.2 } }, outcome: '1', observation: { a: 2 } },
      { createdAt: new Date(t0 + 70_000), latencyMs: 2, output: { prediction: '0', probabilities: { 0: 0.85, 1: 0.15 } }, outcome: '0', observation: { a: 3 } },
      { createdAt: new Date(t0 + 80_000), latencyMs: 4, output: { prediction: '1', probabilities: { 0: 0.3, 1: 0.7 } }, outcome: null, observation: { a: 4 } },
    ];
    const f = monitoringFigures(rows, { task: 'classification', classes: ['0', '1'], features: ['a'] }, { a: [1, 2, 3, 4] });
    expect(f.perMinute.map((m) => [m.count, m.withOutcome])).toEqual([[2, 2], [2, 1]]);
    expect(f.outcomeShare).toBe(0.75);
    expect(f.live).toEqual({ accuracy: 2 / 3, f1Macro: (2 / 3 + 2 / 3) / 2 });
    expect(f.latency.p50Ms).toBe(2.5);
    expect(f.calibration).toEqual([{ meanPredicted: 0.15, observed: 0, count: 1 }, { meanPredicted: 0.2, observed: 1, count: 1 }, { meanPredicted: 0.9, observed: 1, count: 1 }]);
    expect(f.drift).toHaveLength(1);
  });

  it('computes MAE and R² for a regressor', () => {
    const rows: WindowRow[] = [1, 2, 3].map((v, i) => ({ createdAt: new Date(i), latencyMs: 1, output: { prediction: v + 0.5 }, outcome: v, observation: {} }));
    const f = monitoringFigures(rows, { task: 'regression', classes: null, features: [] }, {});
    expect(f.live).toEqual({ mae: 0.5, r2: 1 - 0.75 / 2 });
    expect(f.calibration).toBeNull();
  });
});
