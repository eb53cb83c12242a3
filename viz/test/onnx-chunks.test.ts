// OnnxModel.run scores many rows in chunks (onnxruntime-node's run blocks the event loop, and an
// SVC's graph holds every row's kernel with every support vector): the same outputs as one run
// over all the rows, with the event loop answering between the chunks.
import { Matrix, classificationTarget, gridSearchToOnnx } from '@enchilada/ml';
import type { Feed } from '@enchilada/models';
import { CHUNK_ROWS, OnnxModel, type OnnxOutputs } from '../src/scoring/onnx-model.js';

jest.setTimeout(60_000);

let s = 7;
const r = () => (s = (s * 16807) % 2147483647) / 2147483647;

describe('OnnxModel.run in chunks', () => {
  it('gives what one run over all the rows gives, labels and probabilities, and lets the event loop run between chunks', async () => {
    const n = 300;
    const X = new Matrix(n, 2, Float64Array.from({ length: 2 * n }, r));
    const y = classificationTarget(Array.from({ length: n }, (_, i) => (X.data[2 * i] + 0.3 * r() > 0.6 ? 'a' : 'b')));
    const fitted = await gridSearchToOnnx(X, y, {
      estimator: 'logistic_regression',
      grid: { C: [1] },
      cv: 2,
      workers: 0,
      predict: X.takeRows([0]),
    });
    const scorer = await OnnxModel.load(fitted.onnx);
    try {
      const rows = 2 * CHUNK_ROWS + 37;
      const feeds: Record<string, Feed> = {
        X: { type: 'float32', data: Float32Array.from({ length: 2 * rows }, r), width: 2 },
      };
      const whole = await (
        scorer as unknown as { runRows(f: Record<string, Feed>, n: number): Promise<OnnxOutputs> }
      ).runRows(feeds, rows);
      let turned = false;
      setImmediate(() => {
        turned = true;
      });
      const chunked = await scorer.run(feeds, rows).then((o) => ({ o, turned }));
      expect(chunked.turned).toBe(true);
      expect(Array.from(chunked.o.label ?? [])).toEqual(Array.from(whole.label ?? []));
      expect(chunked.o.label).toHaveLength(rows);
      expect(Array.from(chunked.o.probabilities ?? [])).toEqual(Array.from(whole.probabilities ?? []));
      expect(chunked.o.probabilities).toHaveLength(2 * rows);
      expect(new Set(chunked.o.label)).toEqual(new Set([0, 1]));
    } finally {
      await scorer.release();
    }
  });
});
