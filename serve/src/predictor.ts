// Validates observations against a model's input contract and scores them with its onnxruntime
// session. Mixed-table models take numbers for numeric columns, strings for text, ISO strings for
// dates, and null or an absent key for any column (the graph imputes it exactly as training did);
// models trained before them take the numeric features in order, all present.
import * as ort from 'onnxruntime-node';
import { BadRequestError, HttpError } from '@enchilada/core';
import { parseDate } from '@enchilada/data';
import { datePart, floatInputWidths, type ModelInput } from '@enchilada/models';
import type { LiveModel } from './serving-state.js';

export interface Scored {
  /** The predicted class (classifiers) or value (regressors). */
  readonly prediction: string | number;
  /** Class → probability (classifiers). */
  readonly probabilities?: Record<string, number>;
}

/** The ONNX feeds of a request, and per text feature how many values training never saw. */
export interface ModelInputData {
  readonly feeds: Record<string, ort.Tensor>;
  readonly unseen: ReadonlyMap<string, number>;
}

const FLOAT32_MAX = 3.4028234663852886e38;

function checkObject(observation: unknown, where: string): Record<string, unknown> {
  if (typeof observation !== 'object' || observation === null || Array.isArray(observation)) {
    throw new BadRequestError(`${where}observation must be an object of feature: value`, `${where}observation`);
  }
  return observation as Record<string, unknown>;
}

function checkNumber(v: unknown, name: string, where: string): number {
  if (typeof v !== 'number')
    throw new BadRequestError(`${where}feature "${name}" must be a number, got ${typeof v}`, name);
  if (!Number.isFinite(v)) throw new BadRequestError(`${where}feature "${name}" must be a finite number`, name);
  if (Math.abs(v) > FLOAT32_MAX)
    throw new BadRequestError(
      `${where}feature "${name}" is too large for the model (float32: at most ${FLOAT32_MAX})`,
      name,
    );
  return v;
}

function checkKeys(
  obs: Record<string, unknown>,
  known: ReadonlySet<string>,
  names: readonly string[],
  where: string,
): void {
  for (const k in obs) {
    if (!known.has(k))
      throw new BadRequestError(
        `${where}observation has unknown feature "${k}"; the model's features are ${names.join(', ')}`,
        k,
      );
  }
}

/** A model trained before mixed tables: one float matrix X, every feature present and numeric. */
function legacyInput(model: LiveModel, observations: readonly unknown[], batch: boolean): ModelInputData {
  const f = model.features.length;
  const x = new Float32Array(observations.length * f);
  const known = new Set(model.features);
  observations.forEach((o, i) => {
    const where = batch ? `instances[${i}]: ` : '';
    const obs = checkObject(o, where);
    for (let j = 0; j < f; j++) {
      const name = model.features[j];
      const v = obs[name];
      if (v === undefined) throw new BadRequestError(`${where}observation is missing feature "${name}"`, name);
      if (v === null)
        throw new BadRequestError(
          `${where}feature "${name}" is null: the model was trained on complete rows only`,
          name,
        );
      x[i * f + j] = checkNumber(v, name, where);
    }
    if (Object.keys(obs).length !== f) checkKeys(obs, known, model.features, where);
  });
  return { feeds: { X: new ort.Tensor('float32', x, [observations.length, f]) }, unseen: new Map() };
}

/** What a model's contract implies for every request (known categories as sets, float input widths), worked out once per contract. */
interface Prepared {
  readonly known: ReadonlyMap<string, ReadonlySet<string>>;
  readonly widths: ReadonlyMap<string, number>;
}
const prepared = new WeakMap<readonly ModelInput[], Prepared>();
function prepare(inputs: readonly ModelInput[]): Prepared {
  let p = prepared.get(inputs);
  if (!p) {
    const known = new Map(
      inputs.flatMap((c) => (c.kind === 'categorical' ? [[c.name, new Set(c.categories)] as const] : [])),
    );
    p = { known, widths: floatInputWidths(inputs) };
    prepared.set(inputs, p);
  }
  return p;
}

function columnInput(
  model: LiveModel,
  inputs: readonly ModelInput[],
  observations: readonly unknown[],
  batch: boolean,
): ModelInputData {
  const { known: categories, widths } = prepare(inputs);
  const n = observations.length;
  const objs = observations.map((o, i) => checkObject(o, batch ? `instances[${i}]: ` : ''));
  const known = new Set(inputs.map((c) => c.name));
  objs.forEach((obs, i) => checkKeys(obs, known, model.features, batch ? `instances[${i}]: ` : ''));
  const feeds: Record<string, ort.Tensor> = {};
  const matrices = new Map<string, { data: Float32Array; width: number }>();
  for (const [onnx, width] of widths) {
    const data = new Float32Array(n * width);
    matrices.set(onnx, { data, width });
    feeds[onnx] = new ort.Tensor('float32', data, [n, width]);
  }
  const matrix = (onnx: string) => {
    const m = matrices.get(onnx);
    if (!m) throw new Error(`the model's contract names no float input ${onnx}`);
    return m;
  };
  const unseen = new Map<string, number>();
  for (const c of inputs) {
    if (c.kind === 'categorical') {
      const seen = categories.get(c.name) ?? new Set<string>();
      const data = objs.map((obs, i): string => {
        const v = obs[c.name];
        if (v === undefined || v === null) return '';
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
          throw new BadRequestError(
            `${batch ? `instances[${i}]: ` : ''}feature "${c.name}" must be text, got ${typeof v}`,
            c.name,
          );
        }
        const s = String(v);
        if (s !== '' && !seen.has(s)) unseen.set(c.name, (unseen.get(c.name) ?? 0) + 1);
        return s;
      });
      feeds[c.onnx] = new ort.Tensor('string', data, [n, 1]);
    } else if (c.kind === 'numeric') {
      const { data, width } = matrix(c.onnx);
      objs.forEach((obs, i) => {
        const v = obs[c.name];
        data[i * width + c.index] =
          v === undefined || v === null ? NaN : checkNumber(v, c.name, batch ? `instances[${i}]: ` : '');
      });
    } else {
      const ms = objs.map((obs, i) => {
        const v = obs[c.name];
        if (v === undefined || v === null || v === '') return NaN;
        const where = batch ? `instances[${i}]: ` : '';
        if (typeof v !== 'string')
          throw new BadRequestError(
            `${where}feature "${c.name}" must be a date as text (ISO 8601, e.g. "2024-03-01" or "2024-03-01 12:30:00"), got ${typeof v}`,
            c.name,
          );
        const t = parseDate(v);
        if (t instanceof Error) throw new BadRequestError(`${where}feature "${c.name}": ${t.message}`, c.name);
        return t;
      });
      for (const p of c.parts) {
        const { data, width } = matrix(p.onnx);
        for (let i = 0; i < n; i++) data[i * width + p.index] = datePart(ms[i], p.part);
      }
    }
  }
  return { feeds, unseen };
}

/** A column of a batch's values, converted and checked already: numbers (NaN: empty) for numeric columns, text or null for text and dates. */
export type ColumnValues = Float64Array | readonly (string | null)[];

/**
 * The feeds of n rows given column by column (batch scoring, see batch-scoring.ts): no object per
 * row, and nothing checked again (the batch's converters checked each value as they read it).
 */
export function columnarInput(model: LiveModel, column: (name: string) => ColumnValues, n: number): ModelInputData {
  if (!model.inputs) {
    const f = model.features.length;
    const x = new Float32Array(n * f);
    for (let j = 0; j < f; j++) {
      const values = column(model.features[j]);
      if (!(values instanceof Float64Array)) throw new Error(`the batch gave feature ${model.features[j]} as text`);
      for (let i = 0; i < n; i++) x[i * f + j] = values[i];
    }
    return { feeds: { X: new ort.Tensor('float32', x, [n, f]) }, unseen: new Map() };
  }
  const { known: categories, widths } = prepare(model.inputs);
  const feeds: Record<string, ort.Tensor> = {};
  const matrices = new Map<string, { data: Float32Array; width: number }>();
  for (const [onnx, width] of widths) {
    const data = new Float32Array(n * width);
    matrices.set(onnx, { data, width });
    feeds[onnx] = new ort.Tensor('float32', data, [n, width]);
  }
  const matrix = (onnx: string) => {
    const m = matrices.get(onnx);
    if (!m) throw new Error(`the model's contract names no float input ${onnx}`);
    return m;
  };
  const unseen = new Map<string, number>();
  for (const c of model.inputs) {
    const values = column(c.name);
    if (c.kind !== 'numeric' && values instanceof Float64Array)
      throw new Error(`the batch gave feature ${c.name} as numbers`);
    if (c.kind === 'categorical') {
      const seen = categories.get(c.name) ?? new Set<string>();
      const data = new Array<string>(n);
      let k = 0;
      for (let i = 0; i < n; i++) {
        const v = values[i];
        const s = v === null ? '' : String(v);
        if (s !== '' && !seen.has(s)) k++;
        data[i] = s;
      }
      if (k) unseen.set(c.name, k);
      feeds[c.onnx] = new ort.Tensor('string', data, [n, 1]);
    } else if (c.kind === 'numeric') {
      const { data, width } = matrix(c.onnx);
      if (!(values instanceof Float64Array)) throw new Error(`the batch gave feature ${c.name} as text`);
      for (let i = 0; i < n; i++) data[i * width + c.index] = values[i];
    } else {
      const ms = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        const t = v === null || v === '' ? NaN : parseDate(String(v));
        ms[i] = t instanceof Error ? NaN : t;
      }
      for (const p of c.parts) {
        const { data, width } = matrix(p.onnx);
        for (let i = 0; i < n; i++) data[i * width + p.index] = datePart(ms[i], p.part);
      }
    }
  }
  return { feeds, unseen };
}

/** A batch's raw answers: class indices and probabilities (n × classes), or values. Not checked for NaN. */
export type RawScores =
  | { readonly kind: 'classes'; readonly labels: BigInt64Array; readonly probabilities: Float32Array }
  | { readonly kind: 'values'; readonly values: Float32Array };

export async function scoreRaw(model: LiveModel, input: ModelInputData): Promise<RawScores> {
  const out = await model.session.run(input.feeds);
  if (model.task === 'classification' && model.classes) {
    const labels = out.label?.data as BigInt64Array | undefined;
    const probabilities = out.probabilities?.data as Float32Array | undefined;
    if (!labels || !probabilities) throw new Error('the classifier did not give label and probabilities');
    return { kind: 'classes', labels, probabilities };
  }
  const values = out.variable?.data as Float32Array | undefined;
  if (!values) throw new Error('the regressor did not give variable');
  return { kind: 'values', values };
}

export function toInput(model: LiveModel, observations: readonly unknown[], batch: boolean): ModelInputData {
  return model.inputs ? columnInput(model, model.inputs, observations, batch) : legacyInput(model, observations, batch);
}

/**
 * A model answered NaN or ±Inf for an observation whose inputs were all valid (an overflow inside
 * the graph). Such an answer is neither stored nor acknowledged: a stored row with null
 * probabilities would then answer 409 for its id forever.
 */
export class ModelOutputError extends HttpError {
  constructor(message: string) {
    super(500, message, 'model_output');
  }
}

function finite(v: number, what: string, i: number, n: number): number {
  if (Number.isFinite(v)) return v;
  const where = n > 1 ? `instances[${i}]: ` : '';
  throw new ModelOutputError(
    `${where}the model gave ${String(v)} as ${what}, which is not a number it can answer; nothing was stored. Check the observation's values against the training data's range`,
  );
}

export async function score(model: LiveModel, input: ModelInputData, n: number): Promise<Scored[]> {
  const out = await model.session.run(input.feeds);
  const result: Scored[] = [];
  if (model.task === 'classification' && model.classes) {
    const classes = model.classes;
    const c = classes.length;
    const label = out.label?.data as BigInt64Array | undefined;
    const proba = out.probabilities?.data as Float32Array | undefined;
    if (!label || !proba) throw new Error('the classifier did not give label and probabilities');
    for (let i = 0; i < n; i++) {
      const probabilities: Record<string, number> = {};
      for (let k = 0; k < c; k++)
        probabilities[classes[k]] = finite(proba[i * c + k], `the probability of class "${classes[k]}"`, i, n);
      result.push({ prediction: classes[Number(label[i])], probabilities });
    }
  } else {
    const v = out.variable?.data as Float32Array | undefined;
    if (!v) throw new Error('the regressor did not give variable');
    for (let i = 0; i < n; i++) result.push({ prediction: finite(v[i], 'its prediction', i, n) });
  }
  return result;
}
