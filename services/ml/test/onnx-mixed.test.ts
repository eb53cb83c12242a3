// ONNX export of mixed-table pipelines (ColumnTransformer + each of the fifteen models): the graph
// takes one input per original column (float [N,1] for numbers, string [N,1] for text; NaN and ''
// are missing), and onnxruntime gives the TypeScript model's labels, probabilities and values on the
// test rows and on rows with missing values and categories never seen in training.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { exportPipelineToOnnx } from '../src/onnx/export.js';
import { Pipeline } from '../src/pipeline.js';
import { MODELS, defaultGrid } from '../src/registry.js';
import { expandGrid } from '../src/model-selection/param-grid.js';
import { trainTestSplit } from '../src/model-selection/train-test-split.js';
import { ColumnTransformer } from '../src/preprocessing/column-transformer.js';
import { tableFromRecords } from '../src/preprocessing/table.js';
import { takeTarget } from '../src/target.js';
import { readMixed, type MixedName } from './support/mixed-csv.js';
import { ALL_MISSING, SOME_MISSING, UNSEEN_CATEGORY, type Rec } from './support/unseen-rows.js';

jest.setTimeout(60_000);

// Rows the training data never had: every value missing, unseen text, one value missing at a time.
const EXTRA: Record<MixedName, Rec[]> = {
  penguins: [
    ALL_MISSING.penguins,
    UNSEEN_CATEGORY.penguins,
    {
      island: 'Dream',
      bill_length_mm: 50,
      bill_depth_mm: null,
      flipper_length_mm: 220,
      body_mass_g: 5000,
      sex: 'female',
      year: 2031,
    },
    SOME_MISSING.penguins,
  ],
  'auto-mpg': [ALL_MISSING['auto-mpg'], UNSEEN_CATEGORY['auto-mpg'], SOME_MISSING['auto-mpg']],
};

const dataset = (task: string): MixedName => (task === 'classification' ? 'penguins' : 'auto-mpg');
const exported = new Map<string, Uint8Array>();
const worst: string[] = [];
afterAll(() => console.log(`largest |onnxruntime − TypeScript| per model:\n${worst.join('\n')}`));

function records(name: MixedName, rows: ArrayLike<number>): Rec[] {
  const ds = readMixed(name);
  const out: Rec[] = Array.from(rows, (i) =>
    Object.fromEntries(
      ds.columns.map((c) => {
        const v = c.values[i];
        return [c.name, v === null || (typeof v === 'number' && Number.isNaN(v)) ? null : v];
      }),
    ),
  );
  return [...out, ...EXTRA[name]];
}

describe('ONNX export of mixed-table pipelines', () => {
  it.each(MODELS.map((s) => [s.id, dataset(s.task)] as const))(
    '%s on %s: onnxruntime, fed one tensor per column with nulls and unseen categories, gives the TypeScript outputs to 1e-5',
    async (id, name) => {
      const spec = MODELS.find((m) => m.id === id);
      if (!spec) throw new Error(id);
      const ds = readMixed(name);
      const sp = trainTestSplit(ds.X.rows, 0.8, 214);
      const model = new Pipeline(spec.create(expandGrid(defaultGrid(spec))[0]), new ColumnTransformer(ds.schema)).fit(
        ds.X.takeRows(sp.train),
        takeTarget(ds.y, sp.train),
        { seed: 0 },
      );
      const bytes = exportPipelineToOnnx(model, ds.schema.length);
      exported.set(id, bytes);
      const recs = records(name, sp.test);
      const X = tableFromRecords(ds.schema, recs);
      const inputNames = model.columns?.inputNames ?? [];
      const inputIndex = model.columns?.inputIndex ?? new Int32Array(0);
      const width = ds.schema.filter((c) => c.kind === 'numeric').length;
      const numbers = new Float32Array(recs.length * width);
      const feeds: Record<string, ort.Tensor> = { X: new ort.Tensor('float32', numbers, [recs.length, width]) };
      ds.schema.forEach((c, j) => {
        const v = recs.map((r) => r[c.name]);
        if (c.kind === 'numeric')
          v.forEach((x, i) => {
            numbers[i * width + inputIndex[j]] = x === null ? NaN : Number(x);
          });
        else
          feeds[inputNames[j]] = new ort.Tensor(
            'string',
            v.map((x) => (x === null ? '' : String(x))),
            [v.length, 1],
          );
      });
      const session = await ort.InferenceSession.create(bytes);
      expect([...session.inputNames].sort()).toEqual([...new Set(inputNames)].sort());
      const out = await session.run(feeds);
      let diff = 0;
      if (model.classes) {
        expect(Array.from(out.label.data as BigInt64Array, Number)).toEqual(Array.from(model.predict(X)));
        const P = model.predictProba(X);
        const got = out.probabilities.data as Float32Array;
        expect(got.length).toBe(P.data.length);
        P.data.forEach((v, i) => {
          diff = Math.max(diff, Math.abs(got[i] - v));
        });
        expect(diff).toBeLessThanOrEqual(1e-5);
      } else {
        const got = out.variable.data as Float32Array;
        const want = model.predict(X);
        expect(got.length).toBe(want.length);
        // relative: float32 carries ~7 digits of values like 30 mpg
        want.forEach((v, i) => {
          diff = Math.max(diff, Math.abs(got[i] - v) / Math.max(1, Math.abs(v)));
        });
        expect(diff).toBeLessThanOrEqual(1e-5);
      }
      worst.push(`${id}: ${diff.toExponential(2)}${model.classes ? '' : ' (relative)'}`);
    },
  );

  let hasOnnx = true;
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import onnx'], { stdio: 'ignore' });
  } catch {
    hasOnnx = false;
  }
  // a visible skip, never a silent pass, when Debian's python3-onnx is not installed
  (hasOnnx ? it : it.skip)(
    'passes onnx.checker.check_model(full_check=True) for a classifier and a regressor (needs python3-onnx)',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'enchilada-onnx-mixed-'));
      try {
        const files = ['logistic_regression', 'random_forest_regressor'].map((id) => {
          const bytes = exported.get(id);
          if (!bytes) throw new Error(`${id} was not exported`);
          const f = join(dir, `${id}.onnx`);
          writeFileSync(f, bytes);
          return f;
        });
        const script =
          'import onnx, sys\nfor f in sys.argv[1:]:\n    onnx.checker.check_model(onnx.load(f), full_check=True)\nprint(len(sys.argv) - 1)';
        expect(execFileSync('/usr/bin/python3', ['-c', script, ...files], { encoding: 'utf8' }).trim()).toBe('2');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
