// Validates observations against a model's features (the training column order; no NULLs, as
// training drops incomplete rows) and scores them with the model's onnxruntime session.
import * as ort from 'onnxruntime-node';
import { BadRequestError } from '@enchilada/core';
import type { LiveModel } from './serving-state.js';

export interface Scored {
  /** The predicted class (classifiers) or value (regressors). */
  readonly prediction: string | number;
  /** Class → probability (classifiers). */
  readonly probabilities?: Record<string, number>;
}

/** Copies one observation into row `row` of `x`, or throws a 400 naming the offending field. */
function fill(model: LiveModel, observation: unknown, x: Float32Array, row: number, where: string): void {
  if (typeof observation !== 'object' || observation === null || Array.isArray(observation)) {
    throw new BadRequestError(`${where}observation must be an object of feature: value`, `${where}observation`);
  }
  const obs = observation as Record<string, unknown>;
  const f = model.features.length;
  for (let j = 0; j < f; j++) {
    const name = model.features[j];
    const v = obs[name];
    if (v === undefined) throw new BadRequestError(`${where}observation is missing feature "${name}"`, name);
    if (v === null) throw new BadRequestError(`${where}feature "${name}" is null: the model was trained on complete rows only`, name);
    if (typeof v !== 'number') throw new BadRequestError(`${where}feature "${name}" must be a number, got ${typeof v}`, name);
    if (!Number.isFinite(v)) throw new BadRequestError(`${where}feature "${name}" must be a finite number`, name);
    x[row * f + j] = v;
  }
  const keys = Object.keys(obs);
  if (keys.length !== f) {
    const known = new Set(model.features);
    const unknown = keys.find((k) => !known.has(k));
    if (unknown !== undefined) throw new BadRequestError(`${where}observation has unknown feature "${unknown}"; the model's features are ${model.features.join(', ')}`, unknown);
  }
}

export function toInput(model: LiveModel, observations: readonly unknown[], batch: boolean): Float32Array {
  const x = new Float32Array(observations.length * model.features.length);
  observations.forEach((o, i) => fill(model, o, x, i, batch ? `instances[${i}]: ` : ''));
  return x;
}

export async function score(model: LiveModel, x: Float32Array, n: number): Promise<Scored[]> {
  const out = await model.session.run({ X: new ort.Tensor('float32', x, [n, model.features.length]) });
  const result: Scored[] = [];
  if (model.task === 'classification' && model.classes) {
    const classes = model.classes;
    const c = classes.length;
    const label = out.label?.data as BigInt64Array | undefined;
    const proba = out.probabilities?.data as Float32Array | undefined;
    if (!label || !proba) throw new Error('the classifier did not give label and probabilities');
    for (let i = 0; i < n; i++) {
      const probabilities: Record<string, number> = {};
      for (let k = 0; k < c; k++) probabilities[classes[k]] = proba[i * c + k];
      result.push({ prediction: classes[Number(label[i])], probabilities });
    }
  } else {
    const v = out.variable?.data as Float32Array | undefined;
    if (!v) throw new Error('the regressor did not give variable');
    for (let i = 0; i < n; i++) result.push({ prediction: v[i] });
  }
  return result;
}
