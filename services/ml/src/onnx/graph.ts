// Builds an ONNX ModelProto (IR 8, opset 17, ai.onnx.ml 3: the window both Debian's onnx checker
// and onnxruntime 1.30 accept) from nodes appended by fitted models. Encoding is onnx-proto's.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type IAttributeProto = onnxProto.onnx.IAttributeProto;
type INodeProto = onnxProto.onnx.INodeProto;
type ITensorProto = onnxProto.onnx.ITensorProto;

export const IR_VERSION = 8;
export const OPSET = 17;
export const ML_OPSET = 3;
export const ML_DOMAIN = 'ai.onnx.ml';

/** A typed attribute value: ONNX distinguishes ints from floats, so plain numbers are not enough. */
export type Attr =
  | { readonly int: number }
  | { readonly float: number }
  | { readonly str: string }
  | { readonly ints: ArrayLike<number> }
  | { readonly floats: ArrayLike<number> }
  | { readonly strs: readonly string[] }
  | { readonly tensor: Tensor };

export const int = (v: number): Attr => ({ int: v });
export const float = (v: number): Attr => ({ float: v });
export const str = (v: string): Attr => ({ str: v });
export const ints = (v: ArrayLike<number>): Attr => ({ ints: v });
export const floats = (v: ArrayLike<number>): Attr => ({ floats: v });
export const strs = (v: readonly string[]): Attr => ({ strs: v });

export type TensorType = 'float' | 'int64' | 'uint8';
export interface Tensor {
  readonly type: TensorType;
  readonly dims: readonly number[];
  readonly values: ArrayLike<number>;
}

const ELEM = {
  float: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
  uint8: onnx.TensorProto.DataType.UINT8,
  string: onnx.TensorProto.DataType.STRING,
} as const;
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function tensorProto(name: string, t: Tensor): ITensorProto {
  const size = t.dims.reduce((a, b) => a * b, 1);
  if (size !== t.values.length)
    throw new RangeError(`tensor ${name}: dims ${t.dims.join(',')} need ${size} values, got ${t.values.length}`);
  const base: ITensorProto = { name, dims: t.dims.slice(), dataType: ELEM[t.type] };
  if (t.type === 'float') return { ...base, floatData: Array.from(t.values, Math.fround) };
  // ONNX keeps uint8 values in int32_data
  if (t.type === 'uint8') return { ...base, int32Data: Array.from(t.values, (v) => Math.trunc(v)) };
  return { ...base, int64Data: Array.from(t.values, (v) => Math.trunc(v)) };
}

function attribute(name: string, a: Attr): IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if ('int' in a) return { name, type: T.INT, i: Math.trunc(a.int) };
  if ('float' in a) return { name, type: T.FLOAT, f: a.float };
  if ('str' in a) return { name, type: T.STRING, s: utf8(a.str) };
  if ('ints' in a) return { name, type: T.INTS, ints: Array.from(a.ints, (v) => Math.trunc(v)) };
  if ('floats' in a) return { name, type: T.FLOATS, floats: Array.from(a.floats) };
  if ('strs' in a) return { name, type: T.STRINGS, strings: a.strs.map(utf8) };
  return { name, type: T.TENSOR, t: tensorProto(name, a.tensor) };
}

/** Types a graph input or output may have; strings only as inputs (categorical columns). */
export type ValueType = TensorType | 'string';

export interface GraphOutput {
  readonly name: string;
  readonly type: ValueType;
  /** Dimensions; a string is a symbolic dimension (the batch size 'N'). */
  readonly dims: readonly (number | string)[];
}

export class OnnxGraph {
  private readonly nodes: INodeProto[] = [];
  private readonly initializers: ITensorProto[] = [];
  private readonly used = new Set<string>();
  private readonly valueInfos: GraphOutput[] = [];
  private readonly inputs: GraphOutput[] = [];
  private counter = 0;
  /**
   * The ai.onnx.ml opset imported: ML_OPSET unless a node needs a later one (TreeEnsemble, opset 5,
   * for categorical splits; onnxruntime 1.30 runs it, Debian's onnx 1.12 checker does not know it).
   */
  private mlOpset = ML_OPSET;

  /** The input tensor `X`: float [N, nFeatures], declared when the graph is built with a feature count. */
  readonly input = 'X';

  /** With `nFeatures`, the graph reads one float matrix `X`; without, inputs are added with `addInput`. */
  constructor(readonly nFeatures?: number) {
    if (nFeatures !== undefined) this.addInput(this.input, 'float', ['N', nFeatures]);
  }

  /** Declares a graph input; its name must not be taken. */
  addInput(name: string, type: ValueType, dims: readonly (number | string)[]): string {
    if (this.used.has(name)) throw new RangeError(`ONNX input name ${JSON.stringify(name)} is already used`);
    this.used.add(name);
    this.inputs.push({ name, type, dims });
    return name;
  }

  /** A new tensor name, unique in this graph. */
  fresh(prefix: string): string {
    let name: string;
    do name = `${prefix}_${this.counter++}`;
    while (this.used.has(name));
    this.used.add(name);
    return name;
  }

  /**
   * Declares the type of an intermediate tensor (graph value_info). Needed after ai.onnx.ml
   * operators whose outputs older checkers cannot type (Scaler), when standard operators follow.
   */
  declare(name: string, type: ValueType, dims: readonly (number | string)[]): void {
    this.valueInfos.push({ name, type, dims });
  }

  /** Adds a constant tensor; returns its name. */
  constant(prefix: string, t: Tensor): string {
    const name = this.fresh(prefix);
    this.initializers.push(tensorProto(name, t));
    return name;
  }

  /**
   * Appends a node. `outputs` is how many outputs to create (named from the op type) or explicit
   * names; returns the output names. `domain` is '' for standard operators or ai.onnx.ml.
   */
  node(
    opType: string,
    inputs: readonly string[],
    outputs: number | readonly string[] = 1,
    attrs: Readonly<Record<string, Attr>> = {},
    domain: '' | typeof ML_DOMAIN = '',
  ): string[] {
    const outs =
      typeof outputs === 'number'
        ? Array.from({ length: outputs }, () => this.fresh(opType.toLowerCase()))
        : outputs.map((o) => {
            this.used.add(o);
            return o;
          });
    this.nodes.push({
      opType,
      domain,
      name: this.fresh(`${opType}_node`),
      input: inputs.slice(),
      output: outs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outs;
  }

  /** Imports ai.onnx.ml at `version` at least. */
  requireMlOpset(version: number): void {
    if (version > this.mlOpset) this.mlOpset = version;
  }

  /** Shorthand for an ai.onnx.ml operator. */
  ml(
    opType: string,
    inputs: readonly string[],
    outputs: number | readonly string[],
    attrs: Readonly<Record<string, Attr>>,
  ): string[] {
    return this.node(opType, inputs, outputs, attrs, ML_DOMAIN);
  }

  /** Encodes the model with the given graph outputs (already produced by some node). */
  toBytes(outputs: readonly GraphOutput[], name = 'enchilada'): Uint8Array {
    const valueInfo = (n: string, type: ValueType, dims: readonly (number | string)[]) => ({
      name: n,
      type: {
        tensorType: {
          elemType: ELEM[type],
          shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
        },
      },
    });
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: 'enchilada',
      producerVersion: '0.1.0',
      opsetImport: [
        { domain: '', version: OPSET },
        { domain: ML_DOMAIN, version: this.mlOpset },
      ],
      graph: {
        name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs.map((o) => valueInfo(o.name, o.type, o.dims)),
        output: outputs.map((o) => valueInfo(o.name, o.type, o.dims)),
        valueInfo: this.valueInfos.map((o) => valueInfo(o.name, o.type, o.dims)),
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
