// Drift tests against SciPy: the Kolmogorov distribution, the two-sample KS test and chi-squared
// goodness of fit (fixtures from services/ml/scripts/drift_fixtures.py), and the choice of test by
// sample size.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DRIFT_MIN_ROWS,
  DRIFT_P_VALUE,
  PSI_THRESHOLD,
  categoricalPsiReference,
  chiSquaredGof,
  featureDrift,
  kolmogorovSf,
  ks2Samp,
  psiReference,
} from '../src/metrics/drift.js';

interface Fixture {
  readonly kolmogorov: { x: number; sf: number }[];
  readonly ks: { reference: number[]; live: number[]; statistic: number; pValue: number; pStephens: number }[];
  readonly chi2: { observed: number[]; shares: number[]; statistic: number | null; pValue: number }[];
}
const FIXTURE = join(__dirname, 'fixtures', 'drift', 'tests.json');
if (!existsSync(FIXTURE))
  throw new Error(
    `${FIXTURE} is missing: run \`pnpm fixtures\` (services/ml/scripts/drift_fixtures.py, Debian's python3-scipy)`,
  );
const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Fixture;

const closeRel = (a: number, b: number, rel: number) =>
  expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.abs(b) + 1e-300);

describe('drift tests against SciPy', () => {
  it('the Kolmogorov survival function equals scipy.special.kolmogorov on both sides of the series switch', () => {
    for (const { x, sf } of fixture.kolmogorov) closeRel(kolmogorovSf(x), sf, 1e-9);
  });

  it("the two-sample KS statistic equals ks_2samp's, ties included, and its p-value the Stephens-corrected asymptotic formula", () => {
    for (const c of fixture.ks) {
      const t = ks2Samp(c.reference, c.live);
      expect(t.statistic).toBeCloseTo(c.statistic, 12);
      closeRel(t.pValue, c.pStephens, 1e-8);
    }
  });

  it("the KS p-value is within 0.025 of ks_2samp's default (exact) p-value and takes the same decision at 0.05", () => {
    for (const c of fixture.ks) {
      const t = ks2Samp(c.reference, c.live);
      expect(Math.abs(t.pValue - c.pValue)).toBeLessThan(0.025);
      expect(t.pValue < DRIFT_P_VALUE).toBe(c.pValue < DRIFT_P_VALUE);
    }
  });

  it('chi-squared goodness of fit equals scipy.stats.chisquare, an observed bucket with no expected share giving p = 0', () => {
    for (const c of fixture.chi2) {
      const t = chiSquaredGof(c.observed, c.shares);
      if (c.statistic === null) expect(t.statistic).toBe(Number.POSITIVE_INFINITY);
      else expect(t.statistic).toBeCloseTo(c.statistic, 9);
      if (c.pValue === 0) expect(t.pValue).toBe(0);
      else closeRel(t.pValue, c.pValue, 1e-9);
    }
  });
});

describe('the drift test chosen by sample size', () => {
  // A seeded normal sample (Box–Muller over a small LCG), so the test is the same on every run.
  const normal = (n: number, seed: number, shift = 0) => {
    let s = seed;
    const u = () => ((s = (s * 1103515245 + 12345) % 2147483648) + 0.5) / 2147483648;
    return Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()) + shift);
  };
  const ref = psiReference(normal(5000, 1));

  it('decides nothing below the minimum of live values', () => {
    const d = featureDrift(ref, normal(DRIFT_MIN_ROWS - 1, 2, 5));
    expect(d).toEqual({ n: DRIFT_MIN_ROWS - 1, method: null, statistic: Number.NaN, pValue: null, drifted: false });
    expect(featureDrift(ref, [1]).method).toBeNull();
  });

  it('uses KS up to 1,000 values: the same distribution passes, a shifted one is flagged', () => {
    const same = featureDrift(ref, normal(61, 3));
    expect(same.method).toBe('ks');
    expect(same.drifted).toBe(false);
    const shifted = featureDrift(ref, normal(61, 4, 1));
    expect(shifted).toMatchObject({ method: 'ks', drifted: true });
    expect(shifted.pValue).toBeLessThan(0.001);
  });

  it('uses PSI above 1,000 values', () => {
    expect(featureDrift(ref, normal(1500, 5))).toMatchObject({ method: 'psi', drifted: false });
    const shifted = featureDrift(ref, normal(1500, 6, 0.8));
    expect(shifted).toMatchObject({ method: 'psi', drifted: true });
    expect(shifted.statistic).toBeGreaterThan(PSI_THRESHOLD);
  });

  it('uses chi-squared for text: training shares pass, a category never seen in training is flagged', () => {
    const training = Array.from({ length: 300 }, (_, i) => ['a', 'b', 'c'][i % 3]);
    const cref = categoricalPsiReference(training);
    const live = Array.from({ length: 40 }, (_, i) => ['a', 'b', 'c'][(i * 7) % 3]);
    expect(featureDrift(cref, live)).toMatchObject({ method: 'chi2', drifted: false });
    expect(
      featureDrift(
        cref,
        live.map((v, i) => (i % 5 ? v : 'zzz')),
      ),
    ).toMatchObject({ method: 'chi2', drifted: true, pValue: 0 });
  });
});
