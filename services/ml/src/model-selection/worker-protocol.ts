// Messages between the grid search and its workers. Data travels as SharedArrayBuffer views.
import type { CvScore, CvTask } from './cv-tasks.js';
import type { ParamSet } from './param-grid.js';
import type { ColumnTransformerSpec } from '../preprocessing/column-transformer.js';
import type { ExplainerArtefact } from '../explain/explainer.js';

export interface WorkerJob {
  readonly jobId: number;
  /** Registry id of the model; workers build estimators from the registry. */
  readonly model: string;
  readonly baseParams: ParamSet;
  readonly candidates: readonly ParamSet[];
  readonly rows: number;
  readonly cols: number;
  readonly X: Float64Array;
  readonly y:
    | { kind: 'classification'; codes: Int32Array; classes: readonly string[] }
    | { kind: 'regression'; values: Float64Array };
  readonly folds: readonly { train: Int32Array; test: Int32Array }[];
  /** The seed's StandardScaler (true), none (false), or a mixed-table ColumnTransformer. */
  readonly pre: boolean | ColumnTransformerSpec;
  readonly seed: number;
}

/** Refit one candidate on all the job's rows, export it to ONNX and predict the given rows with it. */
export interface RefitTask {
  readonly params: ParamSet;
  /** Width of the ONNX input `X` when the preprocessing is not a ColumnTransformer. */
  readonly nFeatures: number;
  /** Rows to predict with the refitted model (row-major, `cols` wide as the job's X). */
  readonly predictRows: number;
  readonly predictX: Float64Array;
}

/** What a refit sends back: the model as ONNX, and its own (TypeScript) predictions of the rows asked for. */
export interface RefitResult {
  readonly onnx: Uint8Array;
  readonly predictions: Float64Array | Int32Array;
  /** Class probabilities, row-major (rows × classes), for classifiers. */
  readonly probabilities: Float64Array | null;
  readonly refitTime: number;
  /**
   * The refitted pipeline's explainer artefact (explain/explainer.ts; its columns are the engine's,
   * see withExplainerColumns), or null: no ColumnTransformer, or it could not be built (`explainerError`).
   */
  readonly explainer: ExplainerArtefact | null;
  readonly explainerError?: string;
}

export type WorkerRequest =
  | ({ readonly type: 'job' } & WorkerJob)
  | { readonly type: 'task'; readonly jobId: number; readonly taskIndex: number; readonly task: CvTask }
  | { readonly type: 'refit'; readonly jobId: number; readonly refit: RefitTask }
  | { readonly type: 'ping' };

export type WorkerReply =
  | { readonly type: 'scores'; readonly jobId: number; readonly taskIndex: number; readonly scores: CvScore[] }
  | { readonly type: 'refitted'; readonly jobId: number; readonly result: RefitResult }
  | { readonly type: 'error'; readonly jobId: number; readonly message: string }
  | { readonly type: 'pong' };

/** A copy of `a` in shared memory, so every worker reads the same bytes without copying. */
export function shared<T extends Float64Array | Int32Array>(a: T): T {
  const buf = new SharedArrayBuffer(a.byteLength);
  const out = (a instanceof Float64Array ? new Float64Array(buf) : new Int32Array(buf)) as T;
  out.set(a);
  return out;
}
