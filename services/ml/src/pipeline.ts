// Pipeline(StandardScaler, model), the seed application's workload, as an estimator itself: its
// params are the final model's, so a grid over the pipeline is a grid over the model. A path fit
// scales once and hands the scaled data to the model's own fitPath.
import type { Matrix } from './matrix.js';
import { isClassifier, type Estimator, type FitContext, type Model, type Target } from './estimator.js';
import type { OnnxGraph } from './onnx/graph.js';
import { StandardScaler, type StandardScalerModel } from './preprocessing/standard-scaler.js';

export class PipelineModel<M extends Model = Model> implements Model {
  constructor(readonly scaler: StandardScalerModel | null, readonly model: M) {}

  transform(X: Matrix): Matrix {
    if (!this.scaler) return X;
    // Tree models read float32 values; scaling in float32 as the ONNX graph does keeps every row on
    // the same side of every threshold in both (a float64 scale rounded afterwards can differ).
    return (this.model as { float32Input?: boolean }).float32Input ? this.scaler.transformFloat32(X) : this.scaler.transform(X);
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

  toOnnx(g: OnnxGraph, input: string): string {
    return this.model.toOnnx(g, this.scaler ? this.scaler.toOnnx(g, input) : input);
  }
}

export class Pipeline<P extends object = object, M extends Model = Model> implements Estimator<P, PipelineModel<M>> {
  constructor(readonly model: Estimator<P, M>, readonly scale = true) {}

  get name(): string { return this.model.name; }
  get task() { return this.model.task; }
  get params(): Readonly<P> { return this.model.params; }

  with(changes: Partial<P>): Pipeline<P, M> {
    return new Pipeline(this.model.with(changes), this.scale);
  }

  private scaled(X: Matrix): { scaler: StandardScalerModel | null; Xs: Matrix } {
    if (!this.scale) return { scaler: null, Xs: X };
    const scaler = new StandardScaler().fit(X);
    return { scaler, Xs: scaler.transform(X) };
  }

  fit(X: Matrix, y: Target, ctx?: FitContext): PipelineModel<M> {
    const { scaler, Xs } = this.scaled(X);
    return new PipelineModel(scaler, this.model.fit(Xs, y, ctx));
  }

  fitPath(X: Matrix, y: Target, settings: readonly Partial<P>[], ctx?: FitContext): PipelineModel<M>[] {
    const { scaler, Xs } = this.scaled(X);
    const models = this.model.fitPath
      ? this.model.fitPath(Xs, y, settings, ctx)
      : settings.map((s) => this.model.with(s).fit(Xs, y, ctx));
    return models.map((m) => new PipelineModel(scaler, m));
  }

  pathKey(setting: Partial<P>): string {
    return this.model.pathKey ? this.model.pathKey(setting) : '';
  }
}
