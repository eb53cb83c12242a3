import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { digamma, mutualInfoClassif, mutualInfoRegression, pcaExplainedVariance } from '../src/analysis/index.js';

const ROOT = join(__dirname, '..', '..', '..');
const FIXTURE = join(__dirname, 'fixtures', 'eda.json');
interface Mixed {
  features: string[];
  discrete: boolean[];
  rows: number;
  mi: number[];
}
interface Ref {
  features: string[];
  discrete: boolean[];
  rows: number;
  mi: number[];
  pca_ratio: number[];
  mixed?: Mixed;
}
interface Toy {
  file: string;
  task: string;
  target: string;
  columns: { name: string; type: string }[];
}

function load(name: string, ref: Pick<Ref, 'features'>) {
  const toys = JSON.parse(readFileSync(join(ROOT, 'db', 'datasets', 'toy-datasets.json'), 'utf8')) as Record<
    string,
    Toy
  >;
  const toy = toys[name];
  // The toy files hold no quoted fields, so a plain split reads them.
  const rows = readFileSync(join(ROOT, 'db', 'datasets', toy.file), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
  const names = toy.columns.map((c) => c.name);
  const fi = ref.features.map((n) => names.indexOf(n));
  const ti = names.indexOf(toy.target);
  const complete = rows.filter((r) => fi.every((j) => r[j] !== '') && r[ti] !== '');
  // Text columns become codes in order of first appearance: MI does not depend on which code a
  // category gets, so these need not equal the reference's OrdinalEncoder codes.
  const cols = fi.map((j) => {
    if (toy.columns[j].type !== 'text') return Float64Array.from(complete, (r) => Number(r[j]));
    const seen = new Map<string, number>();
    return Float64Array.from(complete, (r) => seen.get(r[j]) ?? (seen.set(r[j], seen.size), seen.size - 1));
  });
  return { toy, complete, cols, ti };
}

const refs: Record<string, Ref> = existsSync(FIXTURE) ? JSON.parse(readFileSync(FIXTURE, 'utf8')) : {};

describe('mutual information and PCA against scikit-learn', () => {
  it('has its fixtures (run `pnpm fixtures`)', () => {
    expect(Object.keys(refs)).toEqual(expect.arrayContaining(['auto-mpg', 'boston', 'iris', 'wine']));
  });

  it.each(Object.keys(refs))(
    '%s: MI equals mutual_info_* (k = 3, seed 0) within 5e-3 with the same ranking, and PCA ratios within 1e-6',
    (name) => {
      const ref = refs[name];
      const { toy, complete, cols, ti } = load(name, ref);
      expect(complete.length).toBe(ref.rows);
      let mi: number[];
      if (toy.task === 'classification') {
        const classes = [...new Set(complete.map((r) => r[ti]))];
        mi = mutualInfoClassif(
          cols,
          Int32Array.from(complete, (r) => classes.indexOf(r[ti])),
          { discrete: ref.discrete, seed: 0 },
        );
      } else {
        mi = mutualInfoRegression(
          cols,
          Float64Array.from(complete, (r) => Number(r[ti])),
          { discrete: ref.discrete, seed: 0 },
        );
      }
      const rank = (v: number[]) =>
        v
          .map((x, i) => [x, i] as const)
          .sort((a, b) => b[0] - a[0])
          .map(([, i]) => ref.features[i]);
      expect(rank(mi)).toEqual(rank(ref.mi));
      // Equal up to floating-point order effects on near-ties (the issue allows 0.05).
      mi.forEach((v, i) => expect(Math.abs(v - ref.mi[i])).toBeLessThan(5e-3));
      const pca = pcaExplainedVariance(cols);
      pca.explainedVarianceRatio.forEach((v, i) => expect(Math.abs(v - ref.pca_ratio[i])).toBeLessThan(1e-6));
      expect(pca.cumulative[pca.cumulative.length - 1]).toBeCloseTo(1, 12);
    },
  );

  const mixed = Object.keys(refs).filter((name) => refs[name].mixed);
  it('has text-feature fixtures for penguins and Auto MPG', () => {
    expect(mixed).toEqual(expect.arrayContaining(['auto-mpg', 'penguins']));
  });

  it.each(mixed)(
    '%s: MI with text features as discrete codes equals mutual_info_* with discrete_features within 5e-3',
    (name) => {
      const ref = refs[name].mixed as Mixed;
      const { toy, complete, cols, ti } = load(name, ref);
      expect(complete.length).toBe(ref.rows);
      const classes = [...new Set(complete.map((r) => r[ti]))];
      const mi =
        toy.task === 'classification'
          ? mutualInfoClassif(
              cols,
              Int32Array.from(complete, (r) => classes.indexOf(r[ti])),
              { discrete: ref.discrete, seed: 0 },
            )
          : mutualInfoRegression(
              cols,
              Float64Array.from(complete, (r) => Number(r[ti])),
              { discrete: ref.discrete, seed: 0 },
            );
      mi.forEach((v, i) => expect(Math.abs(v - ref.mi[i])).toBeLessThan(5e-3));
    },
  );

  it('digamma matches known values', () => {
    expect(digamma(1)).toBeCloseTo(-0.5772156649015329, 10);
    expect(digamma(0.5)).toBeCloseTo(-1.9635100260214235, 10);
    expect(digamma(100)).toBeCloseTo(4.600161852738087, 10);
  });

  it('gives zero MI for a feature independent of the target and more for a dependent one', () => {
    const n = 400;
    const y = Int32Array.from({ length: n }, (_, i) => i % 2);
    const dependent = Float64Array.from({ length: n }, (_, i) => (i % 2) * 5 + Math.sin(i));
    const independent = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) + Math.floor(i / 2) * 0.001);
    const [a, b] = mutualInfoClassif([dependent, independent], y);
    expect(a).toBeGreaterThan(0.5);
    expect(b).toBeLessThan(0.05);
  });
});
