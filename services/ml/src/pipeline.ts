// Pipeline(preprocessing, model) as an estimator itself: its params are the final model's, so a grid
// over the pipeline is a grid over the model. The preprocessing is the seed's StandardScaler
// (`true`), nothing (`false`), or a ColumnTransformer for mixed tables (imputation, encoding,
// scaling). A path fit preprocesses once and hands the result to the model's own fitPath.
// An estimator that splits text columns natively (histogram boosting, nativeCategories) gets them
// ordinal-coded instead of one-hot, and is told which columns they became (preprocessingFor,
// estimatorFor); every other model's preprocessing is the one asked for.
import type { Matrix } from './matrix.js';
import { isClassifier, type Estimator, type FitContext, type Model, type Target } from './estimator.js';
import type { OnnxGraph } from './onnx/graph.js';
import { StandardScaler, StandardScalerModel } from './preprocessing/standard-scaler.js';
import { ColumnTransformer, ColumnTransformerModel } from './preprocessing/column-transformer.js';

/** `true`: StandardScaler; `false`: none; or a ColumnTransformer. */
export type Preprocessing = boolean | ColumnTransformer;
export type FittedPreprocessing = StandardScalerModel | ColumnTransformerModel | null;

/** The preprocessing `est` is fitted behind: text columns ordinal-coded when it splits them natively. */
export function preprocessingFor(est: Estimator, pre: Preprocessing): Preprocessing {
  if (!(pre instanceof ColumnTransformer) || pre.params.encoding === 'ordinal') return pre;
  return est.nativeCategories?.([]) ? pre.with({ encoding: 'ordinal' }) : pre;
}

/** `est` told which of the fitted preprocessing's outputs are text columns, when it splits them natively. */
export function estimatorFor<P extends object, M extends Model>(
  est: Estimator<P, M>,
  fitted: FittedPreprocessing,
): Estimator<P, M> {
  if (!(fitted instanceof ColumnTransformerModel) || !est.nativeCategories) return est;
  return est.nativeCategories(fitted.ordinalColumns) ?? est;
}

export function fitPreprocessing(pre: Preprocessing, X: Matrix): FittedPreprocessing {
  if (pre === false) return null;
  return pre === true ? new StandardScaler().fit(X) : pre.fit(X);
}

export class PipelineModel<M extends Model = Model> implements Model {
  constructor(
    readonly pre: FittedPreprocessing,
    readonly model: M,
  ) {}

  /** The seed pipeline's scaler, when that is the preprocessing. */
  get scaler(): StandardScalerModel | null {
    return this.pre instanceof StandardScalerModel ? this.pre : null;
  }

  /** The mixed-table preprocessing, when that is the preprocessing. */
  get columns(): ColumnTransformerModel | null {
    return this.pre instanceof ColumnTransformerModel ? this.pre : null;
  }

  transform(X: Matrix): Matrix {
    if (!this.pre) return X;
    // Tree models read float32 values; preprocessing in float32 as the ONNX graph does keeps every
    // row on the same side of every threshold in both (a float64 result rounded afterwards can differ).
    return (this.model as { float32Input?: boolean }).float32Input
      ? this.pre.transformFloat32(X)
      : this.pre.transform(X);
  }

  predict(X: Matrix): Float64Array | Int32Array {
    return this.model.predict(this.transform(X));
  }

  get classes(): readonly string[] | undefined {
    return isClassifier(this.model) ? this.model.classes : undefined;
  }

  predictProba(X: Matrix): Matrix {
    if (!isClassifier(this.model)) throw new TypeError('predictProba needs a classifier');
    return this.model.predictProba(this.transform(X));
  }

  /** Declares the graph's inputs (one float matrix `X` of `nFeatures`, or one per column) and appends the preprocessing. */
  inputToOnnx(g: OnnxGraph, nFeatures: number): string {
    if (this.pre instanceof ColumnTransformerModel) return this.pre.toOnnx(g);
    const input = g.addInput(g.input, 'float', ['N', nFeatures]);
    return this.pre ? this.pre.toOnnx(g, input) : input;
  }

  toOnnx(g: OnnxGraph, input: string): string {
    if (this.pre instanceof ColumnTransformerModel)
      throw new TypeError('a mixed-table pipeline declares its own inputs: use exportPipelineToOnnx');
    return this.model.toOnnx(g, this.pre ? this.pre.toOnnx(g, input) : input);
  }
}

export class Pipeline<P extends object = object, M extends Model = Model> implements Estimator<P, PipelineModel<M>> {
  /** The preprocessing fitted: the one asked for, or its ordinal form for native categorical splits. */
  readonly pre: Preprocessing;

  constructor(
    readonly model: Estimator<P, M>,
    private readonly asked: Preprocessing = true,
  ) {
    this.pre = preprocessingFor(model, asked);
  }

  get name(): string {
    return this.model.name;
  }
  get task() {
    return this.model.task;
  }
  get params(): Readonly<P> {
    return this.model.params;
  }

  with(changes: Partial<P>): Pipeline<P, M> {
    return new Pipeline(this.model.with(changes), this.asked);
  }

  private prepared(X: Matrix): { pre: FittedPreprocessing; Xs: Matrix; est: Estimator<P, M> } {
    const pre = fitPreprocessing(this.pre, X);
    return { pre, Xs: pre ? pre.transform(X) : X, est: estimatorFor(this.model, pre) };
  }

  fit(X: Matrix, y: Target, ctx?: FitContext): PipelineModel<M> {
    const { pre, Xs, est } = this.prepared(X);
    return new PipelineModel(pre, est.fit(Xs, y, ctx));
  }

  fitPath(X: Matrix, y: Target, settings: readonly Partial<P>[], ctx?: FitContext): PipelineModel<M>[] {
    const { pre, Xs, est } = this.prepared(X);
    const models = est.fitPath ? est.fitPath(Xs, y, settings, ctx) : settings.map((s) => est.with(s).fit(Xs, y, ctx));
    return models.map((m) => new PipelineModel(pre, m));
  }

  pathKey(setting: Partial<P>): string {
    return this.model.pathKey ? this.model.pathKey(setting) : '';
  }
}
