// JSON state of fitted objects (preprocessing, models), so an explainer built where a model was
// trained can run in any other process. Hand-written rather than a library: the fitted classes are
// ours, plain fields plus typed arrays, and what matters is that each comes back as an instance of
// its own class (its methods: transform, predictProba) with every field as it was — so an object is
// written as its registered class name and its own fields, and read back by giving those fields to
// an object of that class's prototype (no constructor runs: derived fields are stored too). Typed
// arrays are base64 of their bytes; NaN and ±Infinity (a dropped column's statistic, a forest read
// to full depth) are tagged; a class that is not registered, a function or a cycle is refused.
import { Matrix } from '../matrix.js';
import { Tree } from '../tree/tree.js';
import { RandomForestClassifierModel, RandomForestRegressorModel } from '../ensemble/random-forest.js';
import { GradientBoostingClassifierModel, GradientBoostingRegressorModel } from '../ensemble/gradient-boosting.js';
import {
  HistGradientBoostingClassifierModel,
  HistGradientBoostingRegressorModel,
} from '../ensemble/hist-gradient-boosting.js';
import { VotingClassifierModel, VotingRegressorModel } from '../ensemble/voting.js';
import { LinearRegressorModel } from '../linear/linear-model.js';
import { LinearScores } from '../linear/linear-classifier.js';
import { LogisticRegressionModel } from '../linear/logistic-regression.js';
import { LinearSVCModel } from '../linear/linear-svc.js';
import { SvcModel } from '../svm/svc.js';
import { SvrModel } from '../svm/svr.js';
import { KNeighborsClassifierModel, KNeighborsRegressorModel } from '../neighbors/knn.js';
import { NeighbourIndex } from '../neighbors/neighbours.js';
import { KdTree } from '../neighbors/kd-tree.js';
import { GaussianNBModel } from '../naive-bayes/gaussian-nb.js';
import { ColumnTransformerModel } from '../preprocessing/column-transformer.js';
import { SimpleImputerModel } from '../preprocessing/simple-imputer.js';
import { StandardScalerModel } from '../preprocessing/standard-scaler.js';
import { OneHotColumn, OrdinalColumn } from '../preprocessing/categorical.js';

type Ctor = abstract new (...args: never[]) => object;

/** Every class a fitted pipeline is made of, by the name written for it. */
const CLASSES: Readonly<Record<string, Ctor>> = {
  Matrix,
  Tree,
  RandomForestClassifierModel,
  RandomForestRegressorModel,
  GradientBoostingClassifierModel,
  GradientBoostingRegressorModel,
  HistGradientBoostingClassifierModel,
  HistGradientBoostingRegressorModel,
  LinearRegressorModel,
  LinearScores,
  LogisticRegressionModel,
  LinearSVCModel,
  SvcModel,
  SvrModel,
  KNeighborsClassifierModel,
  KNeighborsRegressorModel,
  NeighbourIndex,
  GaussianNBModel,
  ColumnTransformerModel,
  SimpleImputerModel,
  StandardScalerModel,
  OneHotColumn,
  OrdinalColumn,
  VotingClassifierModel,
  VotingRegressorModel,
};
const NAMES = new Map<unknown, string>(Object.entries(CLASSES).map(([k, v]) => [v, k]));
/** Caches rebuilt on demand (a k-NN model's k-d tree): not written, absent when read back. */
const TRANSIENT = new Set<unknown>([KdTree]);

const TYPED = {
  Float64Array,
  Float32Array,
  Int32Array,
  Uint8Array,
  Int8Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
} as const;
type TypedName = keyof typeof TYPED;

export type State = null | boolean | number | string | State[] | { [k: string]: State };

function typedName(v: ArrayBufferView): TypedName | null {
  for (const [name, C] of Object.entries(TYPED)) if (v instanceof C) return name as TypedName;
  return null;
}

/** The JSON-serialisable state of a fitted object graph. */
export function toState(value: unknown): State {
  const path = new Set<object>();
  const enc = (v: unknown, where: string): State | undefined => {
    if (v === null) return null;
    if (v === undefined) return undefined;
    if (typeof v === 'number') return Number.isFinite(v) ? v : { $num: String(v) };
    if (typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v !== 'object') throw new TypeError(`cannot store ${typeof v} at ${where}`);
    if (ArrayBuffer.isView(v)) {
      const t = typedName(v);
      if (!t) throw new TypeError(`cannot store ${v.constructor.name} at ${where}`);
      return { $typed: t, b64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
    }
    if (path.has(v)) throw new TypeError(`cycle at ${where}`);
    path.add(v);
    try {
      if (Array.isArray(v)) return v.map((x, i) => enc(x, `${where}[${i}]`) ?? null);
      if (v instanceof WeakMap) return { $weakmap: true };
      if (v instanceof Map)
        return {
          $map: [...v.entries()].map(([k, x], i) => [
            enc(k, `${where}.key${i}`) ?? null,
            enc(x, `${where}.value${i}`) ?? null,
          ]),
        };
      if (v instanceof Set) return { $set: [...v].map((x, i) => enc(x, `${where}{${i}}`) ?? null) };
      const proto = Object.getPrototypeOf(v) as { constructor?: unknown } | null;
      const ctor = proto?.constructor;
      if (TRANSIENT.has(ctor)) return undefined;
      const name = proto === Object.prototype || proto === null ? null : NAMES.get(ctor);
      if (name === undefined)
        throw new TypeError(
          `cannot store an instance of ${String((ctor as { name?: string } | undefined)?.name)} at ${where}: its class is not registered in explain/state.ts`,
        );
      const fields: Record<string, State> = {};
      for (const [k, x] of Object.entries(v)) {
        if (typeof x === 'function') throw new TypeError(`cannot store the function ${where}.${k}`);
        const e = enc(x, `${where}.${k}`);
        if (e !== undefined) fields[k] = e;
      }
      return name === null ? { $obj: fields } : { $class: name, fields };
    } finally {
      path.delete(v);
    }
  };
  return enc(value, '$') ?? null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The object graph a state describes, each object an instance of its class again. */
export function fromState(state: unknown): unknown {
  const dec = (s: unknown, where: string): unknown => {
    if (s === null || typeof s === 'number' || typeof s === 'string' || typeof s === 'boolean') return s;
    if (Array.isArray(s)) return s.map((x, i) => dec(x, `${where}[${i}]`));
    if (!isRecord(s)) throw new TypeError(`unreadable state at ${where}`);
    if (typeof s.$num === 'string') return Number(s.$num);
    if (typeof s.$typed === 'string' && typeof s.b64 === 'string') {
      const C = TYPED[s.$typed as TypedName] as (typeof TYPED)[TypedName] | undefined;
      if (!C) throw new TypeError(`unknown typed array ${s.$typed} at ${where}`);
      const bytes = Buffer.from(s.b64, 'base64');
      // copied into a fresh, aligned buffer
      const copy = new Uint8Array(bytes.byteLength);
      copy.set(bytes);
      return new C(copy.buffer, 0, copy.byteLength / C.BYTES_PER_ELEMENT);
    }
    if (s.$weakmap === true) return new WeakMap();
    if (Array.isArray(s.$map))
      return new Map(
        (s.$map as unknown[]).map((e, i) => {
          if (!Array.isArray(e) || e.length !== 2) throw new TypeError(`unreadable map entry at ${where}[${i}]`);
          return [dec(e[0], `${where}.key${i}`), dec(e[1], `${where}.value${i}`)] as const;
        }),
      );
    if (Array.isArray(s.$set)) return new Set((s.$set as unknown[]).map((x, i) => dec(x, `${where}{${i}}`)));
    if (isRecord(s.$obj))
      return Object.fromEntries(Object.entries(s.$obj).map(([k, x]) => [k, dec(x, `${where}.${k}`)]));
    if (typeof s.$class === 'string' && isRecord(s.fields)) {
      const C = CLASSES[s.$class] as Ctor | undefined;
      if (!C) throw new TypeError(`unknown class ${s.$class} at ${where}`);
      const obj = Object.create(C.prototype as object) as object;
      for (const [k, x] of Object.entries(s.fields)) {
        Object.defineProperty(obj, k, {
          value: dec(x, `${where}.${k}`),
          writable: true,
          enumerable: true,
          configurable: true,
        });
      }
      return obj;
    }
    throw new TypeError(`unreadable state at ${where}`);
  };
  return dec(state, '$');
}
