// What a training job is asked to do: validated by web before it is queued, read by viz.

/** Every grid search cross-validates with this many folds: web plans with it, viz's pages say it. */
export const FOLDS = 5;

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
  readonly ranges?: Readonly<
    Record<
      string,
      { readonly min: number; readonly max: number; readonly scale: 'linear' | 'log'; readonly perDecade?: number }
    >
  >;
  readonly folds: number;
  readonly seed: number;
  /**
   * A random search instead of the grid: `candidates` drawn from the model's search space (the
   * Compare-all one) with `seed`; `grid` then lists the values drawn per hyperparameter.
   */
  readonly search?: { readonly kind: 'random'; readonly candidates: number; readonly seed: number };
  /** The random search's candidates, searched instead of the grid's product. */
  readonly candidates?: readonly Readonly<Record<string, number>>[];
  /** How missing values are imputed and text encoded; absent: the defaults (PREPROCESS_DEFAULTS in services/ml). */
  readonly preprocessing?: PreprocessingChoice;
  /**
   * Retraining on logged outcomes (issue 19): the job first builds a new dataset from this dataset's
   * rows plus the predictions of the published `name` that have outcomes, trains on it, and sets the
   * model as the name's challenger (as `actor`, whose right to was checked when the job was queued).
   */
  readonly retrain?: RetrainOf;
}

export interface RetrainOf {
  readonly name: string;
  readonly championModelId: number;
  readonly actor: { readonly id: number; readonly role: string };
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
  /** A retrain's dataset: its id, the rows copied from the champion's dataset and those from logged outcomes, and the name it now challenges. */
  readonly retrain?: {
    readonly datasetId: number;
    readonly original: number;
    readonly fromOutcomes: number;
    readonly challengerOf: string;
  };
}

/** What a Compare-all job is asked to do: every valid model over its search space within a budget. */
export interface CompareSpec {
  readonly datasetId: number;
  readonly datasetVersion: number;
  /** Registry ids compared (web leaves out those over the memory budget). */
  readonly models: readonly string[];
  readonly features: readonly string[];
  readonly trainFraction: number;
  readonly folds: number;
  readonly seed: number;
  readonly budgetSeconds: number;
  readonly preprocessing?: PreprocessingChoice;
}

/** One row of the leaderboard: a candidate at the last successive-halving round it reached. */
export interface CompareEntry {
  readonly model: string;
  readonly params: Record<string, number>;
  readonly round: number;
  readonly rows: number;
  readonly meanScore: number;
  readonly stdScore: number;
  readonly fitSeconds: number;
  /** Prediction time per 1,000 rows, milliseconds (the fold's scoring time scaled). */
  readonly predictMsPer1000: number;
  /** A soft-voting ensemble's members (model is then soft_voting_classifier or _regressor). */
  readonly members?: readonly { readonly model: string; readonly params: Record<string, number> }[];
  /** The registry id of a model stored by the comparison itself (the ensemble, when it beat the best single model). */
  readonly modelId?: number;
}

/** A Compare-all job's result, written as it fills and when it ends. */
export interface CompareJobResult {
  readonly scoreName: string;
  readonly leaderboard: readonly CompareEntry[];
  readonly rounds: readonly { readonly rows: number; readonly candidates: number; readonly completed: number }[];
  readonly stoppedBy: 'running' | 'finished' | 'budget';
  readonly seconds: number;
  /** The best candidate of each model family, trained fully as an ordinary training job. */
  readonly trainJobs: readonly {
    readonly model: string;
    readonly params: Record<string, number>;
    readonly job: number;
  }[];
}
