// What a training job is asked to do: validated by web before it is queued, read by viz.
export interface TrainSpec {
  readonly datasetId: number;
  readonly datasetVersion: number;
  /** Registry model id (services/ml registry), e.g. 'logistic_regression'. */
  readonly model: string;
  readonly features: readonly string[];
  readonly trainFraction: number;
  /** Every value of every tuned hyperparameter: the grid is their product. */
  readonly grid: Readonly<Record<string, readonly number[]>>;
  readonly folds: number;
  readonly seed: number;
}

/** What a finished training job reports (the page's summary). */
export interface TrainResult {
  readonly modelId: number;
  readonly bestParams: Record<string, number>;
  readonly cvScore: number;
  readonly trainScore: number;
  readonly testScore: number;
  readonly scoreName: string;
  readonly seconds: number;
  readonly rows: number;
  readonly dropped: number;
  readonly onnxBytes: number;
  /** Largest difference between onnxruntime's and the TypeScript model's outputs on the test rows. */
  readonly onnxMaxDiff: number;
  readonly onnxLabelMismatches: number;
}
