// BokehJS documents as plain JSON, typed by bokehjs's own declarations (import type only: nothing of
// bokehjs runs in Node). `bk('Scatter', {...})` is checked by the compiler against the attributes of
// the same @bokeh/bokehjs version the browser loads; the result stands in for the model wherever
// another model's attribute expects one.
import { gzipSync } from 'node:zlib';
import type * as Core from '@bokeh/bokehjs/build/js/lib/models/index.js';
import type * as Widgets from '@bokeh/bokehjs/build/js/lib/models/widgets/index.js';
import type * as Tables from '@bokeh/bokehjs/build/js/lib/models/widgets/tables/index.js';

type Models = typeof Core & typeof Widgets & typeof Tables;
type Ctor = abstract new (attrs?: never) => object;
export type ModelName = { [K in keyof Models]: Models[K] extends Ctor ? K : never }[keyof Models];
export type AttrsOf<K extends ModelName> = Models[K] extends abstract new (attrs?: infer A) => object
  ? NonNullable<A>
  : never;
export type InstanceOf<K extends ModelName> = Models[K] extends abstract new (attrs?: never) => infer I ? I : never;
/** Anything a Column, Row or TabPanel lays out: a plot, a widget, another layout. */
export type LayoutDOM = InstanceOf<'LayoutDOM'>;

/** A model in a document being built: its type name, a document-unique id and its attributes. */
class Node {
  constructor(
    readonly name: string,
    readonly id: string,
    readonly attributes: Record<string, unknown>,
  ) {}
}

function node(model: object): Node {
  if (!(model instanceof Node)) throw new TypeError('not a model made by bk()');
  return model;
}

/** Numeric arrays worth sending in binary: typed arrays, gzip + base64 as BokehJS 3.10 expects. */
type Numeric = Float64Array | Float32Array | Int32Array | Uint8Array;

export class DocumentBuilder {
  private next = 1000;

  /** Creates a model. The return type is bokehjs's class, so models nest where bokehjs allows. */
  bk<K extends ModelName>(name: K, attrs: AttrsOf<K>): InstanceOf<K> {
    return new Node(name, `p${this.next++}`, { ...(attrs as Record<string, unknown>) }) as unknown as InstanceOf<K>;
  }

  /** Changes attributes of a model already made (wiring that needs both ends to exist first). */
  set(model: object, attrs: Record<string, unknown>): void {
    Object.assign(node(model).attributes, attrs);
  }

  /** An attribute of a model (a callback's argument, say). */
  get(model: object, name: string): unknown {
    return node(model).attributes[name];
  }

  /** The first model of a list attribute (a plot's `below` axis, say). */
  first(model: object, name: string): unknown {
    const v = node(model).attributes[name];
    return Array.isArray(v) ? v[0] : undefined;
  }

  /** The JSON item `Bokeh.embed.embed_item` takes. */
  item(root: object, title = 'Enchilada'): EmbedItem {
    if (!(root instanceof Node)) throw new TypeError('root must be a model made by bk()');
    const seen = new Set<string>();
    const rootRep = encode(root, seen);
    return { target_id: null, root_id: root.id, doc: { version: BOKEH_VERSION, title, roots: [rootRep] } };
  }
}

export const BOKEH_VERSION = '3.10.0';

export interface EmbedItem {
  target_id: string | null;
  root_id: string;
  doc: { version: string; title: string; roots: unknown[] };
}

const DTYPE: Record<string, string> = {
  Float64Array: 'float64',
  Float32Array: 'float32',
  Int32Array: 'int32',
  Uint8Array: 'uint8',
};

function isNumeric(v: unknown): v is Numeric {
  return v instanceof Float64Array || v instanceof Float32Array || v instanceof Int32Array || v instanceof Uint8Array;
}

// A model is written in full where it first occurs and as {id} after; BokehJS resolves either order.
function encode(v: unknown, seen: Set<string>): unknown {
  if (v instanceof Node) {
    if (seen.has(v.id)) return { id: v.id };
    seen.add(v.id);
    const attributes: Record<string, unknown> = {};
    for (const [k, a] of Object.entries(v.attributes)) if (a !== undefined) attributes[k] = encode(a, seen);
    return { type: 'object', name: v.name, id: v.id, attributes };
  }
  if (isNumeric(v)) {
    if (v.length < 64) return Array.from(v, finite);
    const bytes = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    return {
      type: 'typed_array',
      array: { type: 'bytes', data: gzipSync(bytes, { level: 1 }).toString('base64') },
      order: 'little',
      dtype: DTYPE[v.constructor.name],
    };
  }
  if (typeof v === 'number') return finite(v);
  if (Array.isArray(v)) return v.map((x) => encode(x, seen));
  if (v instanceof Map)
    return { type: 'map', entries: [...(v as Map<unknown, unknown>).entries()].map(([k, x]) => [k, encode(x, seen)]) };
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => [k, encode(x, seen)] as const);
    // BokehJS reads a plain object with a string `id` as a model reference and one with a string
    // `type` as a typed value; data keyed by user column names ("id", "type") must go as a map.
    if ('id' in v || 'type' in v) return { type: 'map', entries };
    return Object.fromEntries(entries);
  }
  return v;
}

/** JSON has no NaN or infinities; BokehJS reads them from number reps. */
function finite(x: number): unknown {
  if (Number.isFinite(x)) return x;
  return { type: 'number', value: Number.isNaN(x) ? 'nan' : x > 0 ? '+inf' : '-inf' };
}
