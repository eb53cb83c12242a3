// The estimator contract, modelled on scikit-learn's (see STYLE.md): an estimator is immutable
// hyperparameters; fit returns an immutable fitted model.
import type { Matrix } from './matrix.js';
import type { OnnxGraph } from './onnx/graph.js';

export type Task = 'classification' | 'regression';

/** Classification targets are integer codes 0…k-1 into `classes`; regression targets are numbers. */
export type Target =
  | { readonly kind: 'classification'; readonly codes: Int32Array; readonly classes: readonly string[] }
  | { readonly kind: 'regression'; readonly values: Float64Array };

export interface FitContext {
  /** Seed for every random choice the fit makes (scikit-learn's random_state). */
  readonly seed?: number;
  /** Called with a fraction in [0, 1] of this fit's work done. */
  readonly onProgress?: (fraction: number) => void;
  readonly signal?: AbortSignal;
}

export interface Model {
  predict(X: Matrix): Float64Array | Int32Array;
  /** Appends this model's nodes to `g` reading tensor `input`; returns the name of its output. */
  toOnnx(g: OnnxGraph, input: string): string;
}

export interface Classifier extends Model {
  readonly classes: readonly string[];
  predict(X: Matrix): Int32Array;
  predictProba(X: Matrix): Matrix;
}

export interface Regressor extends Model {
  predict(X: Matrix): Float64Array;
}

export interface Estimator<P extends object = object, M extends Model = Model> {
  readonly name: string;
  readonly task: Task;
  readonly params: Readonly<P>;
  with(changes: Partial<P>): Estimator<P, M>;
  fit(X: Matrix, y: Target, ctx?: FitContext): M;
  /**
   * Optional: fit many settings at once when they share work (forest sizes, boosting stages,
   * neighbour counts, regularisation paths). Result i must equal `with(settings[i]).fit(X, y, ctx)`.
   */
  fitPath?(X: Matrix, y: Target, settings: readonly Partial<P>[], ctx?: FitContext): M[];
  /**
   * Optional, with fitPath: settings with the same key share work and go to one fitPath call (and
   * one worker task) in a grid search; without it, all settings of a grid share one call.
   */
  pathKey?(setting: Partial<P>): string;
  /**
   * Optional: estimators that split text columns natively (histogram boosting) answer, for the
   * ordinal-coded text columns of a mixed table (their indices in X and their category counts), the
   * estimator to fit on them; null means they take text columns one-hot like every other model.
   * Called with no columns, it says whether the estimator wants them at all.
   */
  nativeCategories?(columns: readonly CategoricalColumn[]): Estimator<P, M> | null;
}

/** A text column as a mixed table's preprocessing codes it for native categorical splits. */
export interface CategoricalColumn {
  /** Its column in the preprocessed X. */
  readonly index: number;
  /** How many categories it has (codes 0 … levels − 1; −1 for a value unseen in fit). */
  readonly levels: number;
}

/**
 * Optional on classifiers, for ONNX export: append nodes producing both the label (int64 [N],
 * class index) and the probabilities (float [N, C]). Without it, `toOnnx` must return the
 * probabilities and the export takes their ArgMax as the label.
 */
export interface OnnxClassifierOutputs {
  toOnnxOutputs(g: OnnxGraph, input: string): { label: string; probabilities: string };
}

export function isClassifier(m: Model): m is Classifier {
  return 'predictProba' in m && 'classes' in m && Array.isArray((m as { classes?: unknown }).classes);
}

export function hasOnnxOutputs(m: Model): m is Model & OnnxClassifierOutputs {
  return typeof (m as Partial<OnnxClassifierOutputs>).toOnnxOutputs === 'function';
}

export class AbortedError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'AbortedError';
  }
}

export function throwIfAborted(ctx?: FitContext): void {
  if (ctx?.signal?.aborted) throw new AbortedError();
}

/**
 * The parameter handling every estimator shares: defaults merged with what was given, checked,
 * frozen; `with` builds the same estimator class with some parameters changed.
 */
export abstract class Configured<P extends object> {
  readonly params: Readonly<P>;

  protected constructor(defaults: P, params: Partial<P>, check: (p: P) => void = () => undefined) {
    const merged = { ...defaults, ...params };
    check(merged);
    this.params = Object.freeze(merged);
  }

  with(changes: Partial<P>): this {
    const Same = this.constructor as new (params: Partial<P>) => this;
    return new Same({ ...this.params, ...changes });
  }
}
