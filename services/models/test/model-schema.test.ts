import { schemaChanges, type ModelSchema } from '../src/model-schema.js';

const numeric = (name: string, index: number) => ({ name, kind: 'numeric' as const, onnx: 'X', index, imputed: null });
const text = (name: string) => ({ name, kind: 'categorical' as const, onnx: name, categories: ['x'], imputed: null });

describe('schemaChanges', () => {
  const base: ModelSchema = { task: 'classification', features: ['a', 'b'], inputs: [numeric('a', 0), text('b')] };

  it('finds nothing between two models of the same task and columns', () => {
    expect(schemaChanges(base, { ...base, inputs: [text('b'), numeric('a', 0)] })).toEqual([]);
  });

  it('names a change of task, added and removed columns and a column that changes kind', () => {
    expect(
      schemaChanges(base, { task: 'regression', features: ['b', 'c'], inputs: [numeric('b', 0), numeric('c', 1)] }),
    ).toEqual([
      'the task changes from classification to regression',
      'new column clients must send: "c"',
      'column no longer read: "a"',
      'column "b" changes from categorical to numeric',
    ]);
  });

  it('reads a model of before mixed tables as numeric features', () => {
    expect(
      schemaChanges(
        { task: 'regression', features: ['a'], inputs: null },
        { task: 'regression', features: ['a'], inputs: [numeric('a', 0)] },
      ),
    ).toEqual([]);
  });
});
