import { regressionTarget } from '../src/target.js';
import { Pipeline } from '../src/pipeline.js';
import { ColumnTransformer } from '../src/preprocessing/column-transformer.js';
import { RandomForestClassifier } from '../src/ensemble/random-forest.js';
import { GradientBoostingRegressor } from '../src/ensemble/gradient-boosting.js';
import { LogisticRegression } from '../src/linear/logistic-regression.js';
import { treeShap } from '../src/explain/tree-shap.js';
import { backgroundMean, linearShap } from '../src/explain/linear-shap.js';
import { byOriginalColumn, sumByGroup } from '../src/explain/groups.js';
import { contributionsOf, type Contributions } from '../src/explain/contributions.js';
import { readMixed } from './support/mixed-csv.js';

function total(c: Contributions, i: number, k: number): number {
  let s = c.base[k];
  for (const v of contributionsOf(c, i, k)) s += v;
  return s;
}

describe('contributions summed back to original columns (penguins)', () => {
  const ds = readMixed('penguins');
  // missing indicators too, so a numeric column is a group of two
  const columns = new ColumnTransformer(ds.schema, { addIndicator: true });

  it('gives one contribution per table column, each the sum of its one-hot and indicator columns, and keeps base + Σ = probability', () => {
    const p = new Pipeline(new RandomForestClassifier({ n_estimators: 10 }), columns).fit(ds.X, ds.y, { seed: 1 });
    const ct = p.columns;
    if (!ct) throw new Error('the pipeline has a ColumnTransformer');
    const Xm = p.transform(ds.X);
    const c = treeShap(p.model, Xm);
    const g = byOriginalColumn(c, ct);
    expect(g.names).toEqual(ds.schema.map((s) => s.name));
    expect(g.features).toBe(ds.schema.length);
    expect(ct.outputNames.some((n) => n.startsWith('missing('))).toBe(true);
    const proba = p.predictProba(ds.X);
    const island = ds.schema.findIndex((s) => s.name === 'island');
    const bill = ds.schema.findIndex((s) => s.name === 'bill_length_mm');
    let worst = 0;
    for (let i = 0; i < ds.X.rows; i++) {
      for (let k = 0; k < c.outputs; k++) {
        worst = Math.max(
          worst,
          Math.abs(total(g, i, k) - proba.data[i * c.outputs + k]),
          Math.abs(total(g, i, k) - total(c, i, k)),
        );
        const mine = contributionsOf(c, i, k);
        const of = (pred: (name: string) => boolean): number =>
          ct.outputNames.reduce((s, n, j) => (pred(n) ? s + mine[j] : s), 0);
        expect(contributionsOf(g, i, k)[island]).toBeCloseTo(
          of((n) => n.startsWith('island=')),
          14,
        );
        expect(contributionsOf(g, i, k)[bill]).toBeCloseTo(
          of((n) => n === 'bill_length_mm' || n === 'missing(bill_length_mm)'),
          14,
        );
      }
    }
    expect(worst).toBeLessThan(1e-9);
  });

  it('sums linear SHAP (logits) and boosting SHAP back to the table columns with base + Σ = output', () => {
    const lr = new Pipeline(new LogisticRegression(), columns).fit(ds.X, ds.y, { seed: 2 });
    const ct = lr.columns;
    if (!ct) throw new Error('the pipeline has a ColumnTransformer');
    const Xm = lr.transform(ds.X);
    const gl = byOriginalColumn(linearShap(lr.model, Xm, backgroundMean(Xm)), ct);
    const logits = lr.model.decisionFunction(Xm);
    for (let i = 0; i < ds.X.rows; i++)
      for (let k = 0; k < gl.outputs; k++)
        expect(Math.abs(total(gl, i, k) - logits.data[i * gl.outputs + k])).toBeLessThan(1e-9);

    // body mass from the other columns: a regressor
    const mass = ds.schema.findIndex((s) => s.name === 'body_mass_g');
    const y = Float64Array.from({ length: ds.X.rows }, (_, i) => ds.X.get(i, mass));
    const keep = Int32Array.from(Array.from(y.keys()).filter((i) => !Number.isNaN(y[i])));
    const others = Int32Array.from(ds.schema.keys()).filter((j) => j !== mass);
    const Xr = ds.X.takeRows(keep).columnsAt(others);
    const schema = Array.from(others, (j) => ds.schema[j]);
    const gb = new Pipeline(
      new GradientBoostingRegressor({ n_estimators: 30 }),
      new ColumnTransformer(schema, { addIndicator: true }),
    ).fit(Xr, regressionTarget(Float64Array.from(keep, (i) => y[i])), { seed: 3 });
    const gct = gb.columns;
    if (!gct) throw new Error('the pipeline has a ColumnTransformer');
    const gg = byOriginalColumn(treeShap(gb.model, gb.transform(Xr)), gct);
    const pred = gb.predict(Xr);
    expect(gg.names).toEqual(schema.map((s) => s.name));
    for (let i = 0; i < Xr.rows; i++) expect(Math.abs(total(gg, i, 0) - pred[i])).toBeLessThan(1e-9);
  });

  it('refuses groups that do not match the contributions, naming the counts', () => {
    const c = { rows: 1, outputs: 1, features: 3, values: new Float64Array(3), base: new Float64Array(1) };
    expect(() => sumByGroup(c, Int32Array.of(0, 1), 2)).toThrow('2 groups given for 3 contribution columns');
    expect(() => sumByGroup(c, Int32Array.of(0, 1, 2), 2)).toThrow('column 2 is in group 2, but there are 2 groups');
  });
});
