// The training-time global importance the monitoring document sets beside the live one (issue 18):
// the Explain document's sample of test rows explained by the model's stored explainer
// (explainSample: the same rule, the same time budget), mean |contribution| per original column to
// each row's predicted class — what a logged explained prediction carries, so the two compare. For
// two classes and for regressors this is the Explain document's global importance itself (a class's
// contributions are the other's negated); for more classes the Explain page shows one class's.
// Kept per model id (a stored model never changes): the sample costs up to SHAP_BUDGET_MS once.
import type { Pool } from '@enchilada/core';
import { readTrainingTable, type Catalog } from '@enchilada/data';
import { NO_EXPLAINER, storedExplainer, type ModelDetail } from '@enchilada/models';
import { ExplainSubject, contributionColumns, explainSample, meanAbs, predictedOutput } from './explain-data.js';

export interface TrainingImportance {
  /** Test rows explained (the Explain page's sample), of the model's test rows. */
  readonly rows: number;
  readonly testRows: number;
  readonly units: string;
  /** Per original column, in the explainer's order: mean |contribution| to the predicted class's output. */
  readonly columns: readonly { readonly column: string; readonly meanAbs: number }[];
}

export class TrainingImportances {
  private readonly cache = new Map<number, Promise<TrainingImportance | string>>();

  constructor(
    private readonly pool: Pool,
    private readonly catalog: Catalog,
    private readonly size = 8,
  ) {}

  /** The model's training-time importance, or why there is none (no explainer, its rows are gone). */
  get(model: ModelDetail): Promise<TrainingImportance | string> {
    const hit = this.cache.get(model.id);
    if (hit) return hit;
    const p = this.compute(model);
    this.cache.set(model.id, p);
    // a failure (the database away) is not remembered
    p.catch(() => this.cache.delete(model.id));
    while (this.cache.size > this.size) this.cache.delete(this.cache.keys().next().value as number);
    return p;
  }

  private async compute(model: ModelDetail): Promise<TrainingImportance | string> {
    const artefact = await storedExplainer(this.pool, model.id);
    if (!artefact) return NO_EXPLAINER;
    const ds = model.datasetId === null ? null : await this.catalog.get(model.datasetId);
    if (!ds || ds.version !== model.datasetVersion || model.split.test.length === 0)
      return 'the test rows of this model are no longer stored (its dataset was reloaded or deleted)';
    const table = await readTrainingTable(this.pool, ds, model.features, model.split.test);
    const subject = new ExplainSubject(artefact);
    const s = explainSample(subject, table);
    const importance = meanAbs(contributionColumns(s.explained, subject.columns, predictedOutput).contributions);
    return {
      rows: s.sample.length,
      testRows: table.rowIds.length,
      units: artefact.units,
      columns: subject.columns.map((c, j) => ({ column: c.name, meanAbs: importance[j] })),
    };
  }
}
