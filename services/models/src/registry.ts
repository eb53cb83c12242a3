// The model registry (`models` table): every trained pipeline with its grid, split, cross-
// validation results, metrics and ONNX bytes. Only this module writes SQL for the table.
import type { Pool, ResultSetHeader, RowDataPacket } from '@enchilada/core';
import { parseInputs, type ModelInput } from './model-inputs.js';

export interface CandidateRow {
  readonly params: Record<string, number>;
  readonly mean: number;
  readonly std: number;
  readonly rank: number;
  readonly fitTime: number;
}

export interface NewModel {
  readonly datasetId: number;
  readonly datasetName: string;
  readonly datasetVersion: number;
  readonly modelType: string;
  readonly task: 'classification' | 'regression';
  readonly target: string;
  readonly features: readonly string[];
  readonly classes: readonly string[] | null;
  /** The dataset's names of the classes when it was trained ({"0": "malignant"}), or null. */
  readonly classLabels?: Readonly<Record<string, string>> | null;
  readonly grid: Record<string, number[]>;
  readonly bestParams: Record<string, number>;
  readonly splitSeed: number;
  readonly trainFraction: number;
  /** Row numbers (1-based, the dataset's `_row`) of the training and test rows. */
  readonly split: { readonly train: number[]; readonly test: number[] };
  readonly cvResults: readonly CandidateRow[];
  readonly cvScore: number;
  readonly trainScore: number;
  readonly testScore: number;
  /** Metrics for train and test, computed from the ONNX model's predictions. */
  readonly metrics: unknown;
  readonly onnx: Uint8Array;
  /** The columns the ONNX graph reads (mixed-table pipelines); null: one float matrix X of `features`. */
  readonly inputs: readonly ModelInput[] | null;
  /** The preprocessing's parameters and what it did to each column, for the results page. */
  readonly preprocessing: unknown;
  readonly jobId: number | null;
  readonly durationMs: number;
  readonly createdBy: number | null;
  /** The explainer artefact as stored (serialiseExplainer), or null: the model cannot be explained. */
  readonly explainer?: string | null;
}

export interface ModelSummary {
  readonly id: number;
  readonly datasetId: number | null;
  readonly datasetName: string;
  readonly datasetVersion: number;
  readonly modelType: string;
  readonly task: 'classification' | 'regression';
  readonly target: string;
  readonly features: string[];
  readonly classes: string[] | null;
  /** Names of the classes, copied from the dataset when the model was trained; null if it had none. */
  readonly classLabels?: Record<string, string> | null;
  readonly bestParams: Record<string, number>;
  readonly cvScore: number;
  readonly trainScore: number;
  readonly testScore: number;
  readonly onnxBytes: number;
  readonly durationMs: number;
  readonly createdBy: number | null;
  readonly createdByName: string | null;
  readonly createdAt: Date;
}

export interface ModelDetail extends ModelSummary {
  readonly grid: Record<string, number[]>;
  readonly splitSeed: number;
  readonly trainFraction: number;
  readonly split: { train: number[]; test: number[] };
  readonly cvResults: CandidateRow[];
  readonly metrics: unknown;
  readonly inputs: ModelInput[] | null;
  readonly preprocessing: unknown;
  readonly jobId: number | null;
}

/** A model as serve sees it: its contract, nothing of its training. */
export interface ServingModel {
  readonly id: number;
  readonly task: 'classification' | 'regression';
  readonly features: string[];
  readonly classes: string[] | null;
  /** Names of the classes, when the dataset carries them (class code → name). */
  readonly classLabels: Record<string, string> | null;
  readonly inputs: ModelInput[] | null;
}

const SUMMARY = `m.id, m.dataset_id, m.dataset_name, m.dataset_version, m.model_type, m.task, m.target, m.features, m.classes, m.class_labels,
  m.best_params, m.cv_score, m.train_score, m.test_score, m.onnx_bytes, m.duration_ms, m.created_by, m.created_at, u.username AS created_by_name`;

function toSummary(r: RowDataPacket): ModelSummary {
  return {
    id: Number(r.id),
    datasetId: r.dataset_id === null ? null : Number(r.dataset_id),
    datasetName: String(r.dataset_name),
    datasetVersion: Number(r.dataset_version),
    modelType: String(r.model_type),
    task: r.task === 'regression' ? 'regression' : 'classification',
    target: String(r.target),
    features: JSON.parse(String(r.features)) as string[],
    classes: r.classes ? (JSON.parse(String(r.classes)) as string[]) : null,
    classLabels: r.class_labels ? (JSON.parse(String(r.class_labels)) as Record<string, string>) : null,
    bestParams: JSON.parse(String(r.best_params)) as Record<string, number>,
    cvScore: Number(r.cv_score),
    trainScore: Number(r.train_score),
    testScore: Number(r.test_score),
    onnxBytes: Number(r.onnx_bytes),
    durationMs: Number(r.duration_ms),
    createdBy: r.created_by === null ? null : Number(r.created_by),
    createdByName: r.created_by_name === null ? null : String(r.created_by_name),
    createdAt: new Date(r.created_at),
  };
}

export class ModelRegistry {
  constructor(private readonly pool: Pool) {}

  async insert(m: NewModel): Promise<number> {
    const [res] = await this.pool.query<ResultSetHeader>(
      `INSERT INTO models (dataset_id, dataset_name, dataset_version, model_type, task, target, features, classes, grid, best_params,
        split_seed, train_fraction, split, cv_results, cv_score, train_score, test_score, metrics, onnx, onnx_bytes, job_id, duration_ms, created_by,
        inputs, preprocessing, class_labels, explainer)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        m.datasetId,
        m.datasetName,
        m.datasetVersion,
        m.modelType,
        m.task,
        m.target,
        JSON.stringify(m.features),
        m.classes ? JSON.stringify(m.classes) : null,
        JSON.stringify(m.grid),
        JSON.stringify(m.bestParams),
        m.splitSeed,
        m.trainFraction,
        JSON.stringify(m.split),
        JSON.stringify(m.cvResults),
        m.cvScore,
        m.trainScore,
        m.testScore,
        JSON.stringify(m.metrics),
        Buffer.from(m.onnx),
        m.onnx.byteLength,
        m.jobId,
        Math.round(m.durationMs),
        m.createdBy,
        m.inputs ? JSON.stringify(m.inputs) : null,
        m.preprocessing === null || m.preprocessing === undefined ? null : JSON.stringify(m.preprocessing),
        m.classLabels ? JSON.stringify(m.classLabels) : null,
        m.explainer ?? null,
      ],
    );
    return res.insertId;
  }

  /** Models, best test score first; optionally of one dataset. */
  async list(filter: { datasetId?: number; limit?: number } = {}): Promise<ModelSummary[]> {
    const limit = Math.min(500, filter.limit ?? 100);
    const where = filter.datasetId === undefined ? '' : 'WHERE m.dataset_id = ?';
    const args = filter.datasetId === undefined ? [limit] : [filter.datasetId, limit];
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT ${SUMMARY} FROM models m LEFT JOIN users u ON u.id = m.created_by ${where} ORDER BY m.test_score DESC, m.id DESC LIMIT ?`,
      args,
    );
    return rows.map(toSummary);
  }

  /** The newest models, of one person (createdBy) or of everyone. */
  async latest(opts: { limit: number; createdBy?: number }): Promise<ModelSummary[]> {
    const where = opts.createdBy === undefined ? '' : 'WHERE m.created_by = ?';
    const args =
      opts.createdBy === undefined ? [Math.min(100, opts.limit)] : [opts.createdBy, Math.min(100, opts.limit)];
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT ${SUMMARY} FROM models m LEFT JOIN users u ON u.id = m.created_by ${where} ORDER BY m.id DESC LIMIT ?`,
      args,
    );
    return rows.map(toSummary);
  }

  /** How many models there are, or one person has trained. */
  async count(createdBy?: number): Promise<number> {
    const [rows] =
      createdBy === undefined
        ? await this.pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM models')
        : await this.pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM models WHERE created_by = ?', [createdBy]);
    return Number(rows[0]?.n ?? 0);
  }

  async newest(datasetId: number): Promise<ModelSummary | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT ${SUMMARY} FROM models m LEFT JOIN users u ON u.id = m.created_by WHERE m.dataset_id = ? ORDER BY m.id DESC LIMIT 1`,
      [datasetId],
    );
    return rows[0] ? toSummary(rows[0]) : null;
  }

  async get(id: number): Promise<ModelDetail | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT ${SUMMARY}, m.grid, m.split_seed, m.train_fraction, m.split, m.cv_results, m.metrics, m.job_id, m.inputs, m.preprocessing
       FROM models m LEFT JOIN users u ON u.id = m.created_by WHERE m.id = ?`,
      [id],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      ...toSummary(r),
      grid: JSON.parse(String(r.grid)) as Record<string, number[]>,
      splitSeed: Number(r.split_seed),
      trainFraction: Number(r.train_fraction),
      split: JSON.parse(String(r.split)) as { train: number[]; test: number[] },
      cvResults: JSON.parse(String(r.cv_results)) as CandidateRow[],
      metrics: JSON.parse(String(r.metrics)) as unknown,
      inputs: parseInputs(r.inputs),
      preprocessing: r.preprocessing ? (JSON.parse(String(r.preprocessing)) as unknown) : null,
      jobId: r.job_id === null ? null : Number(r.job_id),
    };
  }

  /**
   * What serve needs to answer with a model: its task and columns (the ONNX graph comes from
   * onnx()). Reads only the columns serve's database account may read (serving-account.ts).
   */
  async servingModel(id: number): Promise<ServingModel | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT id, task, features, classes, class_labels, inputs FROM models WHERE id = ?',
      [id],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: Number(r.id),
      task: r.task === 'regression' ? 'regression' : 'classification',
      features: JSON.parse(String(r.features)) as string[],
      classes: r.classes ? (JSON.parse(String(r.classes)) as string[]) : null,
      inputs: parseInputs(r.inputs),
      classLabels: r.class_labels ? (JSON.parse(String(r.class_labels)) as Record<string, string>) : null,
    };
  }

  async onnx(id: number): Promise<Buffer | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT onnx FROM models WHERE id = ?', [id]);
    return rows[0] ? (rows[0].onnx as Buffer) : null;
  }

  /**
   * Deletes a model unless a published name serves it now (in one statement, so a name cannot be
   * left pointing at nothing by a delete that raced a look). Earlier versions of a name may go:
   * rolling back to one then says it was deleted.
   */
  async remove(id: number): Promise<'deleted' | 'live' | 'missing'> {
    const [res] = await this.pool.query<ResultSetHeader>(
      'DELETE FROM models WHERE id = ? AND NOT EXISTS (SELECT 1 FROM published_models p WHERE p.model_id = ? OR p.challenger_model_id = ?)',
      [id, id, id],
    );
    if (res.affectedRows > 0) return 'deleted';
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT 1 FROM models WHERE id = ?', [id]);
    return rows.length ? 'live' : 'missing';
  }

  /** The published names that serve this model now. */
  async liveNames(id: number): Promise<string[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT name FROM published_models WHERE model_id = ? OR challenger_model_id = ? ORDER BY name',
      [id, id],
    );
    return rows.map((r) => String(r.name));
  }
}
