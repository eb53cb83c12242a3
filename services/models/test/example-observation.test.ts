import type { ModelInput } from '../src/model-inputs.js';
import { exampleObservation, roundForExample } from '../src/example-observation.js';

const inputs: ModelInput[] = [
  { name: 'age', kind: 'numeric', onnx: 'X', index: 0, imputed: 29.69911764705882 },
  { name: 'income', kind: 'numeric', onnx: 'X', index: 1, imputed: 123456.789 },
  { name: 'gap', kind: 'numeric', onnx: 'X', index: 2, imputed: null },
  { name: 'port', kind: 'categorical', onnx: 'port', categories: ['C', 'Q', 'S'], imputed: 'S' },
  {
    name: 'cabin',
    kind: 'categorical',
    onnx: 'cabin',
    categories: ['A1', 'B2', 'missing_value'],
    imputed: 'missing_value',
  },
  { name: 'deck', kind: 'categorical', onnx: 'deck', categories: ['missing_value', 'E'], imputed: 'missing_value' },
  { name: 'empty', kind: 'categorical', onnx: 'empty', categories: [], imputed: null },
  { name: 'when', kind: 'date', parts: [{ part: 'year', onnx: 'X', index: 3, imputed: 1912 }] },
];

describe("the example observation (serve's /docs, the API keys and Published pages)", () => {
  it('is built from the contract: imputed numbers to four significant digits, the imputed or first known category, a fixed date', () => {
    expect(
      exampleObservation(
        inputs.map((c) => c.name),
        inputs,
      ),
    ).toEqual({
      age: 29.7,
      income: 123500,
      gap: 0,
      port: 'S',
      cabin: 'A1',
      deck: 'E',
      empty: null,
      when: '2024-01-01',
    });
  });

  it('is zeros for a model trained before input contracts', () => {
    expect(exampleObservation(['a', 'b'], null)).toEqual({ a: 0, b: 0 });
  });

  it('rounds without turning small values into zero', () => {
    expect(roundForExample(0.000123456)).toBe(0.0001235);
    expect(roundForExample(-3.14159)).toBe(-3.142);
    expect(roundForExample(Number.NaN)).toBe(0);
  });
});
