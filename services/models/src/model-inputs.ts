// The contract between a trained model's ONNX graph and everything that calls it (viz scoring,
// serve): which columns it reads, of which kind, where (numbers and date parts: a column `index` of
// the float matrix input `onnx`, 'X'; text: its own string input), which categories it knows and
// what a missing value becomes. Models trained before mixed tables have no inputs (null) and read
// one float matrix `X` in the order of their features.

import { datePart, type DatePart } from '@enchilada/ml';

// Date parts are computed as training computes them; exported here too, as part of the contract.
export { DATE_PARTS, datePart, datePartColumn, type DatePart } from '@enchilada/ml';

export type ModelInput =
  | {
      readonly name: string;
      readonly kind: 'numeric';
      readonly onnx: string;
      readonly index: number;
      readonly imputed: number | null;
    }
  | {
      readonly name: string;
      readonly kind: 'categorical';
      readonly onnx: string;
      readonly categories: readonly string[];
      readonly imputed: string | null;
    }
  | { readonly name: string; readonly kind: 'date'; readonly parts: readonly DatePartInput[] };

export interface DatePartInput {
  readonly part: DatePart;
  readonly onnx: string;
  readonly index: number;
  readonly imputed: number | null;
}

/** A column's values as the data layer reads them: numbers (NaN missing; dates as epoch ms) or strings (null missing). */
export type ColumnValues = Float64Array | readonly (string | null)[];

/** One ONNX input's data, for `new ort.Tensor(type, data, [n, width])`. */
export type Feed =
  | { readonly type: 'float32'; readonly data: Float32Array; readonly width: number }
  | { readonly type: 'string'; readonly data: string[]; readonly width: 1 };

/** The float matrix inputs of a contract and their widths (numbers and date parts share `X`). */
export function floatInputWidths(inputs: readonly ModelInput[]): Map<string, number> {
  const widths = new Map<string, number>();
  const see = (onnx: string, index: number) => widths.set(onnx, Math.max(widths.get(onnx) ?? 0, index + 1));
  for (const c of inputs) {
    if (c.kind === 'numeric') see(c.onnx, c.index);
    else if (c.kind === 'date') for (const p of c.parts) see(p.onnx, p.index);
  }
  return widths;
}

/** The ONNX feeds for `n` rows of the model's columns (dates expanded into their parts). */
export function feedsFromColumns(
  inputs: readonly ModelInput[],
  columns: ReadonlyMap<string, ColumnValues>,
  n: number,
): Record<string, Feed> {
  const feeds: Record<string, Feed> = {};
  const matrices = new Map<string, { data: Float32Array; width: number }>();
  for (const [onnx, width] of floatInputWidths(inputs)) {
    const m = { data: new Float32Array(n * width), width };
    matrices.set(onnx, m);
    feeds[onnx] = { type: 'float32', data: m.data, width };
  }
  const write = (onnx: string, index: number, column: Float64Array) => {
    const m = matrices.get(onnx);
    if (!m) throw new RangeError(`no float input ${onnx}`);
    for (const [i, x] of column.entries()) m.data[i * m.width + index] = x;
  };
  for (const input of inputs) {
    const values = columns.get(input.name);
    if (!values) throw new RangeError(`no values for the model's column ${input.name}`);
    if (values.length !== n) throw new RangeError(`column ${input.name} has ${values.length} values, expected ${n}`);
    if (input.kind === 'categorical') {
      feeds[input.onnx] = {
        type: 'string',
        width: 1,
        data: Array.from(values as ArrayLike<string | number | null>, (v) =>
          v === null || (typeof v === 'number' && Number.isNaN(v)) ? '' : String(v),
        ),
      };
    } else if (input.kind === 'numeric') {
      write(input.onnx, input.index, Float64Array.from(values as ArrayLike<number | string | null>, toNumber));
    } else {
      const ms = Float64Array.from(values as ArrayLike<number | string | null>, toNumber);
      for (const p of input.parts)
        write(
          p.onnx,
          p.index,
          ms.map((x) => datePart(x, p.part)),
        );
    }
  }
  return feeds;
}

function toNumber(v: number | string | null): number {
  return v === null || v === '' ? NaN : Number(v);
}

/** Parses the stored JSON of a model's inputs; null for models trained before mixed tables. */
export function parseInputs(json: unknown): ModelInput[] | null {
  if (json === null || json === undefined) return null;
  const v = (typeof json === 'string' ? JSON.parse(json) : json) as unknown;
  return Array.isArray(v) ? (v as ModelInput[]) : null;
}
