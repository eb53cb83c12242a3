// ONNX export of fitted pipelines: onnxruntime gives the TypeScript model's outputs, and Debian's
// onnx checker (when installed) accepts the bytes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { exportPipelineToOnnx } from '../src/onnx/export.js';
import { Pipeline, type PipelineModel } from '../src/pipeline.js';
import { modelSpec } from '../src/registry.js';
import { modelFixture } from './support/fixtures.js';
import { datasetsFor, workload } from './support/workload.js';

function hasPythonOnnx(): boolean {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import onnx'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

jest.setTimeout(60_000);

const OURS = [
  'knn_classifier',
  'logistic_regression',
  'gaussian_nb',
  'linear_svc',
  'knn_regressor',
  'linear_regression',
  'lasso',
  'ridge',
  'linear_svr',
];
const cases = OURS.flatMap((id) => datasetsFor(modelSpec(id).task).map((d) => [id, d] as const));
const exported: { name: string; bytes: Uint8Array }[] = [];

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(b));

describe('ONNX export', () => {
  it.each(cases)('%s on %s: onnxruntime gives the same labels and values as the model', async (id, dataset) => {
    const w = workload(dataset);
    const params = modelFixture(dataset, id).best_params;
    const model: PipelineModel = new Pipeline(modelSpec(id).create(params)).fit(w.Xtr, w.ytr, { seed: 0 });
    const bytes = exportPipelineToOnnx(model, w.Xte.cols);
    exported.push({ name: `${id}-${dataset}`, bytes });
    const session = await ort.InferenceSession.create(bytes);
    const X = new ort.Tensor('float32', Float32Array.from(w.Xte.data), [w.Xte.rows, w.Xte.cols]);
    const out = await session.run({ X });
    if (model.classes) {
      expect(session.outputNames).toEqual(['label', 'probabilities']);
      const labels = Array.from(out.label.data as BigInt64Array, Number);
      expect(out.probabilities.dims).toEqual([w.Xte.rows, model.classes.length]);
      expect(labels).toEqual(Array.from(model.predict(w.Xte)));
      const P = model.predictProba(w.Xte);
      const got = out.probabilities.data as Float32Array;
      P.data.forEach((v, i) => expect(close(got[i], v)).toBe(true));
    } else {
      expect(session.outputNames).toEqual(['variable']);
      expect(out.variable.dims).toEqual([w.Xte.rows, 1]);
      const got = out.variable.data as Float32Array;
      model.predict(w.Xte).forEach((v, i) => expect(close(got[i], v)).toBe(true));
    }
  });

  // A visible skip where python3-onnx is missing (scripts/test-all.sh installs it), never a silent pass.
  (hasPythonOnnx() ? it : it.skip)(
    'passes onnx.checker.check_model(full_check=True) under /usr/bin/python3 (needs python3-onnx)',
    () => {
      expect(exported.length).toBe(cases.length);
      const dir = mkdtempSync(join(tmpdir(), 'enchilada-onnx-'));
      try {
        const files = exported.map(({ name, bytes }) => {
          const f = join(dir, `${name}.onnx`);
          writeFileSync(f, bytes);
          return f;
        });
        const script =
          'import onnx, sys\nfor f in sys.argv[1:]:\n    onnx.checker.check_model(onnx.load(f), full_check=True)\nprint(len(sys.argv) - 1)';
        const checked = execFileSync('/usr/bin/python3', ['-c', script, ...files], { encoding: 'utf8' });
        expect(Number(checked.trim())).toBe(files.length);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
