// What the results document's sections are built from, and what a task's section gives back.
import type { TrainingTable } from '@enchilada/data';
import type { ModelDetail, ModelSummary } from '@enchilada/models';
import type { DocumentBuilder, LayoutDOM } from '../../bokeh/model.js';
import type { OnnxModel, OnnxOutputs } from '../../scoring/onnx-model.js';

export interface ResultsInput {
  readonly model: ModelDetail;
  readonly others: readonly ModelSummary[];
  readonly displayName: (id: string) => string;
  readonly train: TrainingTable;
  readonly test: TrainingTable;
  readonly onnx: OnnxModel;
}

/** One results document being built: its input, the builder and the model's outputs on each split. */
export interface ResultsContext {
  readonly input: ResultsInput;
  readonly b: DocumentBuilder;
  readonly oTrain: OnnxOutputs;
  readonly oTest: OnnxOutputs;
}

/** A task's blocks, and the test score from the model's outputs (what permutation importance drops). */
export interface TaskSection {
  readonly blocks: LayoutDOM[];
  readonly score: (o: OnnxOutputs) => number;
  readonly base: number;
}

export const r4 = (v: number) => (Number.isFinite(v) ? Math.round(v * 10000) / 10000 : v);
