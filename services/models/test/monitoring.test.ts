import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATASETS_DIR } from '@enchilada/test-support';
import {
  DRIFT_MIN_ROWS,
  PSI_THRESHOLD,
  bucketMinutesFor,
  categoricalPsiReference,
  monitoringFigures,
  psi,
  psiAgainst,
  psiReference,
  quantile,
  type WindowRow,
} from '../src/monitoring.js';

const normal = (n: number, shift = 0) =>
  Array.from({ length: n }, (_, i) => {
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
      {
        createdAt: new Date(t0),
        latencyMs: 1,
        output: { prediction: '1', probabilities: { 0: 0.1, 1: 0.9 } },
        outcome: '1',
        observation: { a: 1 },
      },
      {
        createdAt: new Date(t0 + 10_000),
        latencyMs: 3,
        output: { prediction: '0', probabilities: { 0: 0.8, 1: 0.2 } },
        outcome: '1',
        observation: { a: 2 },
      },
      {
        createdAt: new Date(t0 + 70_000),
        latencyMs: 2,
        output: { prediction: '0', probabilities: { 0: 0.85, 1: 0.15 } },
        outcome: '0',
        observation: { a: 3 },
      },
      {
        createdAt: new Date(t0 + 80_000),
        latencyMs: 4,
        output: { prediction: '1', probabilities: { 0: 0.3, 1: 0.7 } },
        outcome: null,
        observation: { a: 4 },
      },
    ];
    const f = monitoringFigures(
      rows,
      { task: 'classification', classes: ['0', '1'], features: ['a'] },
      { a: psiReference([1, 2, 3, 4]) },
    );
    expect(f.buckets.map((m) => [m.count, m.withOutcome])).toEqual([
      [2, 2],
      [2, 1],
    ]);
    expect(f.outcomeShare).toBe(0.75);
    expect(f.live).toEqual({ accuracy: 2 / 3, f1Macro: (2 / 3 + 2 / 3) / 2 });
    expect(f.latency.p50Ms).toBe(2.5);
    expect(f.calibration).toEqual({
      kind: 'positive-class',
      positive: '1',
      bins: [
        { meanPredicted: 0.15, observed: 0, count: 1 },
        { meanPredicted: 0.2, observed: 1, count: 1 },
        { meanPredicted: 0.9, observed: 1, count: 1 },
      ],
    });
    expect(f.drift).toHaveLength(1);
  });

  it('multiclass: macro F1 over the classes that occur (as scikit-learn) and the top-label calibration curve', () => {
    const row = (prediction: string, p: number, outcome: string | null): WindowRow => ({
      createdAt: new Date(0),
      latencyMs: 1,
      output: {
        prediction,
        probabilities: {
          a: prediction === 'a' ? p : (1 - p) / 2,
          b: prediction === 'b' ? p : (1 - p) / 2,
          c: prediction === 'c' ? p : (1 - p) / 2,
        },
      },
      outcome,
      observation: {},
    });
    const model = { task: 'classification' as const, classes: ['a', 'b', 'c'], features: [] };
    // Only class a occurs, predicted right every time: sklearn's f1_score(average='macro') is 1, not 1/3.
    const allA = monitoringFigures([row('a', 0.95, 'a'), row('a', 0.91, 'a')], model, {});
    expect(allA.live).toEqual({ accuracy: 1, f1Macro: 1 });
    // a: tp 1, fp 1 (the b truth), fn 0 → 2/3; b: tp 0 → 0; c does not occur. Macro over {a, b} = 1/3.
    const rows = [row('a', 0.95, 'a'), row('a', 0.65, 'b'), row('b', 0.62, null)];
    const f = monitoringFigures(rows, model, {});
    expect(f.live).toEqual({ accuracy: 0.5, f1Macro: (2 / 3 + 0) / 2 });
    // Top-label: P(predicted class) per decile vs the share predicted right; the row without outcome is not used.
    expect(f.calibration).toEqual({
      kind: 'top-label',
      positive: null,
      bins: [
        { meanPredicted: 0.65, observed: 0, count: 1 },
        { meanPredicted: 0.95, observed: 1, count: 1 },
      ],
    });
  });

  it("buckets by the given width and takes the window's counts from SQL when the rows are only its newest part", () => {
    const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
    const rows: WindowRow[] = [0, 1, 7].map((min) => ({
      createdAt: new Date(t0 + min * 60_000),
      latencyMs: min + 1,
      output: { prediction: 1 },
      outcome: null,
      observation: {},
    }));
    const model = { task: 'regression' as const, classes: null, features: [] };
    const own = monitoringFigures(rows, model, {}, { bucketMinutes: 5 });
    expect(own.buckets.map((b) => [b.start.getTime() - t0, b.count, b.p50Ms])).toEqual([
      [0, 2, 1.5],
      [5 * 60_000, 1, 8],
    ]);
    expect([own.count, own.rowsRead, own.bucketMinutes]).toEqual([3, 3, 5]);
    // SQL counted 500 in an earlier bucket that none of the rows read falls in, and more in the read ones.
    const counts = [
      { start: new Date(t0 - 5 * 60_000), count: 500, withOutcome: 100 },
      { start: new Date(t0), count: 40, withOutcome: 0 },
      { start: new Date(t0 + 5 * 60_000), count: 60, withOutcome: 20 },
    ];
    const f = monitoringFigures(rows, model, {}, { bucketMinutes: 5, counts });
    expect(f.buckets.map((b) => [b.count, b.withOutcome])).toEqual([
      [500, 100],
      [40, 0],
      [60, 20],
    ]);
    expect(Number.isNaN(f.buckets[0].p50Ms)).toBe(true);
    expect(f.buckets[2].p99Ms).toBe(8);
    expect([f.count, f.withOutcome, f.outcomeShare, f.rowsRead]).toEqual([600, 120, 0.2, 3]);
  });

  it('chooses about 60 buckets or fewer for each window', () => {
    expect([1, 6, 24, 168].map(bucketMinutesFor)).toEqual([1, 15, 30, 180]);
  });

  it('computes MAE and R² for a regressor', () => {
    const rows: WindowRow[] = [1, 2, 3].map((v, i) => ({
      createdAt: new Date(i),
      latencyMs: 1,
      output: { prediction: v + 0.5 },
      outcome: v,
      observation: {},
    }));
    const f = monitoringFigures(rows, { task: 'regression', classes: null, features: [] }, {});
    expect(f.live).toEqual({ mae: 0.5, r2: 1 - 0.75 / 2 });
    expect(f.calibration).toBeNull();
  });
});

describe('drift of a text feature', () => {
  // PSI's definition over bucket shares, with the 1e-4 floor that keeps an empty bucket finite.
  const EPS = 1e-4;
  const psiOf = (pairs: readonly [actual: number, expected: number][]) =>
    pairs.reduce((s, [pa, pe]) => {
      const [a, e] = [Math.max(pa, EPS), Math.max(pe, EPS)];
      return s + (a - e) * Math.log(a / e);
    }, 0);
  const training = ['a', 'a', 'b', 'c', null];

  it('keeps the share of each training category, an empty unseen bucket and the share of missing values', () => {
    expect(categoricalPsiReference(training)).toEqual({
      kind: 'categorical',
      categories: ['a', 'b', 'c'],
      shares: [0.4, 0.2, 0.2, 0, 0.2],
    });
  });

  it('gives PSI 0 for live values with the training shares', () => {
    expect(psiAgainst(categoricalPsiReference(training), ['c', null, 'a', 'b', 'a'])).toBe(0);
  });

  it('counts a value never seen in training as unseen, not as any category', () => {
    // live a, a, b, zzz, null: a 0.4, b 0.2, c 0, unseen 0.2, missing 0.2
    const expected = psiOf([
      [0.4, 0.4],
      [0.2, 0.2],
      [0, 0.2],
      [0.2, 0],
      [0.2, 0.2],
    ]);
    expect(psiAgainst(categoricalPsiReference(training), ['a', 'a', 'b', 'zzz', null])).toBeCloseTo(expected, 12);
  });

  it('counts an observation without the field as missing, in the monitoring figures', () => {
    const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
    const row = (observation: Record<string, unknown>): WindowRow => ({
      createdAt: new Date(t0),
      latencyMs: 1,
      output: { prediction: 1 },
      outcome: null,
      observation,
    });
    const rows = [row({ colour: 'red' }), row({ colour: 'red' }), row({}), row({ colour: null })];
    const f = monitoringFigures(
      rows,
      { task: 'regression', classes: null, features: ['colour'] },
      { colour: categoricalPsiReference(['red', 'blue']) },
    );
    // live red 0.5, blue 0, unseen 0, missing 0.5 against red 0.5, blue 0.5, unseen 0, missing 0
    expect(f.drift).toEqual([
      {
        feature: 'colour',
        kind: 'categorical',
        psi: expect.closeTo(
          psiOf([
            [0.5, 0.5],
            [0, 0.5],
            [0, 0],
            [0.5, 0],
          ]),
          12,
        ),
      },
    ]);
  });
});

describe('drift by sample size (breast cancer: 30 numeric features, 569 training rows)', () => {
  const [header, ...lines] = readFileSync(join(DATASETS_DIR, 'breast-cancer.csv'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','));
  const features = header.slice(0, 30);
  const data = lines.map((l) => l.slice(0, 30).map(Number));
  const training = Object.fromEntries(features.map((f, j) => [f, psiReference(data.map((r) => r[j]))]));
  const model = { task: 'classification' as const, classes: ['0', '1'], features };
  // Rows drawn without replacement from the training rows, by a seeded shuffle.
  const drawn = (n: number, seed: number) => {
    const idx = data.map((_, i) => i);
    let s = seed;
    for (let i = idx.length - 1; i > 0; i--) {
      s = (s * 1103515245 + 12345) % 2147483648;
      const j = s % (i + 1);
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    return idx.slice(0, n).map((i) => data[i]);
  };
  const rowsOf = (sample: number[][]): WindowRow[] =>
    sample.map((r, i) => ({
      createdAt: new Date(i),
      latencyMs: 1,
      output: { prediction: '0' },
      outcome: null,
      observation: Object.fromEntries(features.map((f, j) => [f, r[j]])),
    }));

  it('61 rows drawn from the training rows flag almost nothing (PSI alone flagged several)', () => {
    const f = monitoringFigures(rowsOf(drawn(61, 7)), model, training);
    expect(f.driftCheck).toMatchObject({ rows: 61, enough: true, decided: 30 });
    expect(f.driftCheck.features.every((d) => d.method === 'ks')).toBe(true);
    expect(f.driftCheck.drifting).toBeLessThanOrEqual(1);
    expect(f.driftCheck.share).toBe(f.driftCheck.drifting / 30);
    // What the page showed before: PSI over ten bins of 61 values is noisy.
    expect(f.drift.filter((d) => d.psi > PSI_THRESHOLD).length).toBeGreaterThanOrEqual(3);
  });

  it('flags the shifted features of a shifted sample, and only them', () => {
    const shifted = drawn(61, 11).map((r) => r.map((v, j) => (j < 3 ? v * 1.4 : v)));
    const f = monitoringFigures(rowsOf(shifted), model, training);
    const flagged = f.driftCheck.features.filter((d) => d.drifted).map((d) => d.feature);
    expect(flagged).toEqual(expect.arrayContaining(features.slice(0, 3)));
    expect(flagged.length).toBeLessThanOrEqual(4);
  });

  it('says "not enough" below the minimum and decides nothing (one prediction had PSI 4–8.5 on every feature)', () => {
    for (const n of [1, DRIFT_MIN_ROWS - 1]) {
      const f = monitoringFigures(rowsOf(drawn(n, 3)), model, training);
      expect(f.driftCheck).toMatchObject({
        rows: n,
        enough: false,
        decided: 0,
        drifting: 0,
        share: 0,
        minRows: DRIFT_MIN_ROWS,
      });
    }
  });
});
