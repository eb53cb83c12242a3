// The explainer artefact (explain/explainer.ts): for every registered model, on a numeric toy table
// (iris, a two-class iris, Boston) and on mixed tables with text and missing values (penguins,
// Auto MPG, rows with nulls and unseen categories): base + Σ contributions = the model's explained
// output (1e-9), that output gives the probabilities / value onnxruntime computes for the same
// model's ONNX graph, the predicted labels agree, and the artefact explains the same after a trip
// through its stored text (JSON, gzip). A table with a date column checks dates given as text.
import * as ort from 'onnxruntime-node';
import { Matrix } from '../src/matrix.js';
import { exportPipelineToOnnx } from '../src/onnx/export.js';
import { Pipeline, type PipelineModel } from '../src/pipeline.js';
import { MODELS, defaultGrid, type ModelSpec } from '../src/registry.js';
import { expandGrid } from '../src/model-selection/param-grid.js';
import { trainTestSplit } from '../src/model-selection/train-test-split.js';
import { ColumnTransformer } from '../src/preprocessing/column-transformer.js';
import { tableFromColumns, tableFromRecords, type InputColumn } from '../src/preprocessing/table.js';
import { classificationTarget, regressionTarget, takeTarget } from '../src/target.js';
import type { Target } from '../src/estimator.js';
import {
  buildExplainer,
  explainRows,
  loadExplainer,
  parseExplainer,
  serialiseExplainer,
  type ExplainerArtefact,
  type RowExplanation,
} from '../src/explain/explainer.js';
import { loadDataset } from './support/datasets.js';
import { readMixed, type MixedName } from './support/mixed-csv.js';
import { ALL_MISSING, SOME_MISSING, UNSEEN_CATEGORY, type Rec } from './support/unseen-rows.js';

jest.setTimeout(120_000);

/** onnxruntime computes in float32: its outputs agree with float64 ones to about this. */
const ONNX_TOL = 1e-6;
const worst: string[] = [];
afterAll(() => console.log(`largest |explained output − onnxruntime| per case:\n${worst.join('\n')}`));

interface Case {
  readonly label: string;
  readonly spec: ModelSpec;
  readonly model: PipelineModel;
  readonly schema: readonly InputColumn[];
  readonly background: Matrix;
  readonly records: Rec[];
  readonly mixed: boolean;
}

// The rows training never had (support/unseen-rows.ts) beside each mixed table's test rows.
const EXTRA: Record<MixedName, Rec[]> = {
  penguins: [ALL_MISSING.penguins, UNSEEN_CATEGORY.penguins, SOME_MISSING.penguins],
  'auto-mpg': [ALL_MISSING['auto-mpg'], UNSEEN_CATEGORY['auto-mpg']],
};

/** Rows of a fitted model to explain: at most `n` test rows (fewer for sampled SHAP, which costs more). */
function rowsFor(spec: ModelSpec): number {
  return ['svc', 'svr', 'knn_classifier', 'knn_regressor', 'gaussian_nb'].includes(spec.id) ? 6 : 25;
}

function params(spec: ModelSpec) {
  return expandGrid(defaultGrid(spec))[0];
}

function numericCase(spec: ModelSpec, name: 'iris' | 'iris-2' | 'boston'): Case {
  const ds = loadDataset(name === 'iris-2' ? 'iris' : name);
  const y: Target =
    name === 'iris-2' && ds.y.kind === 'classification'
      ? classificationTarget(
          Array.from(ds.y.codes, (c) =>
            ds.y.kind === 'classification' && ds.y.classes[c] === 'versicolor' ? 'versicolor' : 'other',
          ),
        )
      : ds.y;
  const sp = trainTestSplit(ds.X.rows, 0.8, 7);
  const Xtr = ds.X.takeRows(sp.train);
  const model = new Pipeline(spec.create(params(spec)), true).fit(Xtr, takeTarget(y, sp.train), { seed: 0 });
  const n = Math.min(rowsFor(spec), sp.test.length);
  const records = Array.from(sp.test.subarray(0, n), (i) =>
    Object.fromEntries(ds.features.map((f, j) => [f, ds.X.data[i * ds.X.cols + j]])),
  );
  return {
    label: `${spec.id} on ${name}`,
    spec,
    model,
    schema: ds.features.map((f) => ({ name: f, kind: 'numeric' })),
    background: Xtr,
    records,
    mixed: false,
  };
}

function mixedCase(spec: ModelSpec): Case {
  const name: MixedName = spec.task === 'classification' ? 'penguins' : 'auto-mpg';
  const ds = readMixed(name);
  const sp = trainTestSplit(ds.X.rows, 0.8, 214);
  const Xtr = ds.X.takeRows(sp.train);
  const model = new Pipeline(spec.create(params(spec)), new ColumnTransformer(ds.schema)).fit(
    Xtr,
    takeTarget(ds.y, sp.train),
    { seed: 0 },
  );
  const n = Math.min(rowsFor(spec), sp.test.length);
  const records: Rec[] = Array.from(sp.test.subarray(0, n), (i) =>
    Object.fromEntries(
      ds.columns.map((c) => {
        const v = c.values[i];
        return [c.name, v === null || (typeof v === 'number' && Number.isNaN(v)) ? null : v];
      }),
    ),
  );
  return {
    label: `${spec.id} on ${name}`,
    spec,
    model,
    schema: ds.schema,
    background: Xtr,
    records: [...records, ...EXTRA[name]],
    mixed: true,
  };
}

async function onnxOutputs(
  c: Case,
): Promise<{ label?: number[]; probabilities?: Float32Array; variable?: Float32Array }> {
  const bytes = exportPipelineToOnnx(c.model, c.schema.length);
  const session = await ort.InferenceSession.create(bytes);
  const n = c.records.length;
  const feeds: Record<string, ort.Tensor> = {};
  if (!c.mixed) {
    const x = new Float32Array(n * c.schema.length);
    c.records.forEach((r, i) =>
      c.schema.forEach((s, j) => {
        x[i * c.schema.length + j] = Number(r[s.name]);
      }),
    );
    feeds.X = new ort.Tensor('float32', x, [n, c.schema.length]);
  } else {
    const inputNames = c.model.columns?.inputNames ?? [];
    const inputIndex = c.model.columns?.inputIndex ?? new Int32Array(0);
    const width = c.schema.filter((s) => s.kind === 'numeric').length;
    const numbers = new Float32Array(n * width);
    feeds.X = new ort.Tensor('float32', numbers, [n, width]);
    c.schema.forEach((s, j) => {
      const v = c.records.map((r) => r[s.name]);
      if (s.kind === 'numeric')
        v.forEach((x, i) => {
          numbers[i * width + inputIndex[j]] = x === null ? NaN : Number(x);
        });
      else
        feeds[inputNames[j]] = new ort.Tensor(
          'string',
          v.map((x) => (x === null ? '' : String(x))),
          [n, 1],
        );
    });
  }
  const out = await session.run(feeds);
  await session.release();
  return {
    ...(out.label ? { label: Array.from(out.label.data as BigInt64Array, Number) } : {}),
    ...(out.probabilities ? { probabilities: out.probabilities.data as Float32Array } : {}),
    ...(out.variable ? { variable: out.variable.data as Float32Array } : {}),
  };
}

/** The class probabilities the explained outputs of one row imply, through their units' link. */
function impliedProbabilities(r: RowExplanation): number[] {
  const values = (r.classes ?? []).map((c) => c.value);
  switch (r.units) {
    case 'probability':
      return values;
    case 'log-odds':
      return values.map((z) => 1 / (1 + Math.exp(-z)));
    case 'logit': {
      const mx = Math.max(...values);
      const e = values.map((v) => Math.exp(v - mx));
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / s);
    }
    case 'decision': {
      const sig = values.map((v) => 1 / (1 + Math.exp(-v)));
      const s = sig.reduce((a, b) => a + b, 0);
      return sig.map((v) => v / s);
    }
    case 'target':
      throw new Error('a regressor has no probabilities');
  }
}

function sum(o: Record<string, number>): number {
  return Object.values(o).reduce((a, b) => a + b, 0);
}

function checkEfficiency(r: RowExplanation, columns: readonly string[]): void {
  expect(Object.keys(r.contributions)).toEqual(columns);
  const outs = r.classes ?? [r];
  for (const o of outs) {
    expect(Math.abs(o.base_value + sum(o.contributions) - o.value)).toBeLessThanOrEqual(
      1e-9 * Math.max(1, Math.abs(o.value)),
    );
  }
  if (r.probability)
    expect(
      Math.abs(r.probability.base_value + sum(r.probability.contributions) - r.probability.value),
    ).toBeLessThanOrEqual(1e-9);
}

const cases: [string, () => Case][] = [];
for (const spec of MODELS) {
  if (spec.task === 'classification') {
    cases.push(
      [`${spec.id} on iris`, () => numericCase(spec, 'iris')],
      [`${spec.id} on iris-2`, () => numericCase(spec, 'iris-2')],
    );
  } else {
    cases.push([`${spec.id} on boston`, () => numericCase(spec, 'boston')]);
  }
  cases.push([
    `${spec.id} on ${spec.task === 'classification' ? 'penguins' : 'auto-mpg'} (mixed)`,
    () => mixedCase(spec),
  ]);
}

describe('explainer artefact', () => {
  it.each(cases)(
    '%s: base + Σ contributions = the explained output, which gives the ONNX outputs; same after a JSON round trip',
    async (_label, make) => {
      const c = make();
      const artefact = buildExplainer({
        preprocessing: c.model.pre,
        model: c.model.model,
        background: c.background,
        modelType: c.spec.id,
        ...(c.mixed ? {} : { features: c.schema.map((s) => s.name) }),
      });
      const expectedKind = ['svc', 'svr', 'knn_classifier', 'knn_regressor', 'gaussian_nb'].includes(c.spec.id)
        ? 'sampling'
        : /forest|boosting/.test(c.spec.id)
          ? 'tree'
          : 'linear';
      expect(artefact.kind).toBe(expectedKind);
      const explained = explainRows(artefact, c.records);
      const columns = c.schema.map((s) => s.name);
      expect(explained).toHaveLength(c.records.length);
      for (const r of explained) checkEfficiency(r, columns);

      const onnx = await onnxOutputs(c);
      let diff = 0;
      if (c.spec.task === 'classification') {
        const classes = c.model.classes ?? [];
        expect(explained.map((r) => classes.indexOf(String(r.prediction)))).toEqual(onnx.label);
        const P = onnx.probabilities ?? new Float32Array(0);
        explained.forEach((r, i) => {
          const implied = impliedProbabilities(r);
          implied.forEach((p, k) => {
            diff = Math.max(diff, Math.abs(p - P[i * classes.length + k]));
          });
          // the prediction's own probabilities are those the explained outputs imply
          classes.forEach((cls, k) =>
            expect(Math.abs((r.probabilities?.[cls] ?? NaN) - implied[k])).toBeLessThanOrEqual(1e-12),
          );
          if (r.probability) expect(r.probability.value).toBe(r.probabilities?.[String(r.prediction)]);
        });
      } else {
        const v = onnx.variable ?? new Float32Array(0);
        explained.forEach((r, i) => {
          expect(r.prediction).toBe(r.value);
          diff = Math.max(diff, Math.abs(r.value - v[i]) / Math.max(1, Math.abs(v[i])));
        });
      }
      worst.push(`${c.label}: ${diff.toExponential(2)}${c.spec.task === 'regression' ? ' (relative)' : ''}`);
      expect(diff).toBeLessThanOrEqual(ONNX_TOL);
      if (artefact.kind === 'sampling') for (const r of explained) expect(Object.keys(r.stderr ?? {})).toEqual(columns);

      const text = serialiseExplainer(artefact);
      const back: ExplainerArtefact = parseExplainer(text);
      expect(JSON.parse(JSON.stringify(back))).toEqual(JSON.parse(JSON.stringify(artefact)));
      expect(loadExplainer(back).explain(c.records)).toEqual(explained);
    },
  );

  it('explains a table with a date column: a date given as text is the rows it was trained on, its parts one contribution', () => {
    const n = 120;
    const days = Float64Array.from({ length: n }, (_, i) => Date.UTC(2020, 0, 1) + i * 7 * 86_400_000);
    const x = Float64Array.from({ length: n }, (_, i) => (i * 37) % 11);
    const colour = Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : ['red', 'green', 'blue'][i % 3]));
    const parts = ['year', 'month', 'day', 'weekday'] as const;
    const raw = [
      { name: 'x', kind: 'numeric' as const, values: x },
      { name: 'colour', kind: 'categorical' as const, values: colour },
      ...parts.map((p) => ({
        name: `when (${p})`,
        kind: 'numeric' as const,
        values: Float64Array.from(days, (d) => {
          const t = new Date(d);
          return p === 'year'
            ? t.getUTCFullYear()
            : p === 'month'
              ? t.getUTCMonth() + 1
              : p === 'day'
                ? t.getUTCDate()
                : (t.getUTCDay() + 6) % 7;
        }),
      })),
    ];
    const table = tableFromColumns(raw);
    const y = regressionTarget(
      Array.from({ length: n }, (_, i) => x[i] * 2 + (colour[i] === 'red' ? 5 : 0) + new Date(days[i]).getUTCMonth()),
    );
    for (const id of ['random_forest_regressor', 'ridge', 'knn_regressor']) {
      const spec = MODELS.find((m) => m.id === id);
      if (!spec) throw new Error(id);
      const model = new Pipeline(spec.create(params(spec)), new ColumnTransformer(table.schema)).fit(table.X, y, {
        seed: 0,
      });
      const artefact = buildExplainer({
        preprocessing: model.pre,
        model: model.model,
        background: table.X,
        columns: [
          { name: 'x', kind: 'numeric' },
          { name: 'colour', kind: 'categorical' },
          { name: 'when', kind: 'date', parts },
        ],
      });
      const rows = [3, 50, 101].map((i) => ({
        x: x[i],
        colour: colour[i],
        when: new Date(days[i]).toISOString().slice(0, 10),
      }));
      const explained = explainRows(artefact, rows);
      const coded = [3, 50, 101].map((i) => model.predict(table.X.takeRows([i]))[0]);
      explained.forEach((r, k) => {
        expect(Object.keys(r.contributions)).toEqual(['x', 'colour', 'when']);
        expect(Math.abs(r.base_value + sum(r.contributions) - r.value)).toBeLessThanOrEqual(1e-9);
        expect(Math.abs(r.value - coded[k])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(coded[k])));
      });
      // the same instant as epoch ms and as a Date
      expect(explainRows(artefact, [{ ...rows[0], when: days[3] }])[0].value).toBe(explained[0].value);
      expect(explainRows(artefact, [{ ...rows[0], when: new Date(days[3]) }])[0].value).toBe(explained[0].value);
    }
  });

  it('refuses a value of the wrong kind, naming the column', () => {
    const ds = readMixed('penguins');
    const spec = MODELS.find((m) => m.id === 'logistic_regression');
    if (!spec) throw new Error('logistic_regression');
    const model = new Pipeline(spec.create(params(spec)), new ColumnTransformer(ds.schema)).fit(ds.X, ds.y, {
      seed: 0,
    });
    const artefact = buildExplainer({ preprocessing: model.pre, model: model.model, background: ds.X });
    expect(() => explainRows(artefact, [{ bill_length_mm: 'long' }])).toThrow(/bill_length_mm must be a number/);
    // an absent column is missing, as the API takes it
    const [r] = explainRows(artefact, [{}]);
    const X = tableFromRecords(ds.schema, [{}]);
    expect(r.prediction).toBe(model.classes?.[model.predict(X)[0]]);
  });
});

void Matrix;
