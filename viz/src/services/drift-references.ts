// Drift compares a published model's recent inputs with its training rows. Their PSI references
// never change for a model (and its dataset version), so they are read once and kept: a few numbers
// a feature, at most MAX models, the oldest dropped first (FIFO).
import type { Pool } from '@enchilada/core';
import { readTrainingTable, type Dataset } from '@enchilada/data';
import type { ModelDetail, PsiReference } from '@enchilada/models';
import { driftReference } from '../documents/drift-reference.js';

export type DriftReferenceSet = Record<string, PsiReference | null>;

export class DriftReferences {
  private readonly kept = new Map<string, DriftReferenceSet>();

  constructor(
    private readonly pool: Pool,
    private readonly max = 256,
  ) {}

  /** The references of each feature of `model`, from its training rows in `ds` (its dataset, same version). */
  async get(model: ModelDetail, ds: Dataset): Promise<DriftReferenceSet> {
    const key = `${model.id}:${ds.version}`;
    let refs = this.kept.get(key);
    if (!refs) {
      const data = await readTrainingTable(this.pool, ds, model.features, model.split.train);
      refs = Object.fromEntries(data.columns.map((c) => [c.name, driftReference(c)]));
      this.kept.set(key, refs);
      if (this.kept.size > this.max) this.kept.delete(this.kept.keys().next().value as string);
    }
    return refs;
  }

  /** How many models' references are kept (for tests). */
  get size(): number {
    return this.kept.size;
  }
}
