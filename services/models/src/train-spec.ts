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
  /** The ranges the form (or API client) asked for, by which `grid` was chosen: what the Train form shows again while the job runs. */
  readonly ranges?: Readonly<Record<string, { readonly min: number; readonly max: number; readonly scale: 'linear' | 'log'; readonly perDecade?: number }>>;
  readonly folds: number;
  readonly seed: number;
  /** How missing values are imputed and text encoded; absent: the defaults (PREPROCESS_DEFAULTS in services/ml). */
  readonly preprocessing?: PreprocessingChoice;
}

/** The preprocessing a person can choose on the Train page, per column kind. */
export interface PreprocessingChoice {
  readonly numericStrategy?: 'mean' | 'median' | 'most_frequent' | 'constant';
  readonly addIndicator?: boolean;
  readonly categoricalStrategy?: 'most_frequent' | 'constant';
  readonly encoding?: 'onehot' | 'ordinal';
  /** A count (integer ≥ 1) or a fraction of the rows below which a category is infrequent. */
  readonly minFrequency?: number | null;
  readonly maxCategories?: number | null;
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
  /** Rows left out because their target is missing. */
  readonly dropped: number;
  readonly onnxBytes: number;
  /** Largest difference between onnxruntime's and the TypeScript model's outputs on the test rows. */
  readonly onnxMaxDiff: number;
  readonly onnxLabelMismatches: number;
}
