// Contributions per original column: Shapley values add, so the contribution of a table column is
// the sum over the model input columns it became (its one-hot categories, its missing indicator,
// its number); base + Σ contributions = output still holds exactly.
import type { ColumnTransformerModel } from '../preprocessing/column-transformer.js';
import { emptyContributions, type Contributions } from './contributions.js';

/** Sums the contributions of input column j into group groups[j] (0 … nGroups−1; −1 drops it). */
export function sumByGroup(c: Contributions, groups: Int32Array, nGroups: number): Contributions {
  if (groups.length !== c.features)
    throw new RangeError(`${groups.length} groups given for ${c.features} contribution columns`);
  for (let j = 0; j < groups.length; j++) {
    if (groups[j] >= nGroups)
      throw new RangeError(`column ${j} is in group ${groups[j]}, but there are ${nGroups} groups`);
  }
  const out = emptyContributions(c.rows, c.outputs, nGroups);
  out.base.set(c.base);
  const F = c.features;
  const src = c.values;
  const dst = out.values;
  const n = c.rows * c.outputs;
  for (let r = 0; r < n; r++) {
    const s = r * F;
    const d = r * nGroups;
    for (let j = 0; j < F; j++) {
      const g = groups[j];
      if (g >= 0) dst[d + g] += src[s + j];
    }
  }
  return out;
}

/**
 * The contributions per column of the table the ColumnTransformer was fitted on (its schema order),
 * from contributions per column of its output. A column the transformer dropped (all missing when
 * fitted) contributes 0.
 */
export function byOriginalColumn(
  c: Contributions,
  columns: ColumnTransformerModel,
): Contributions & { readonly names: readonly string[] } {
  if (c.features !== columns.nOutputs)
    throw new RangeError(`contributions have ${c.features} columns, the transformer gives ${columns.nOutputs}`);
  const summed = sumByGroup(c, columns.outputGroups, columns.schema.length);
  return { ...summed, names: columns.schema.map((s) => s.name) };
}
