import * as ort from 'onnxruntime-node';
import { OnnxGraph, floats, int } from '../src/onnx/graph.js';

describe('OnnxGraph', () => {
  it('encodes a Scaler model that onnxruntime runs', async () => {
    const g = new OnnxGraph(2);
    const [scaled] = g.ml('Scaler', [g.input], 1, { offset: floats([1, 2]), scale: floats([0.5, 2]) });
    const [y] = g.node('Identity', [scaled], ['variable']);
    const bytes = g.toBytes([{ name: y, type: 'float', dims: ['N', 2] }]);
    const session = await ort.InferenceSession.create(bytes);
    const out = await session.run({ X: new ort.Tensor('float32', Float32Array.from([3, 4, 5, 6]), [2, 2]) });
    expect(Array.from(out.variable.data as Float32Array)).toEqual([1, 4, 2, 8]);
    expect(int(3)).toEqual({ int: 3 });
  });
});
