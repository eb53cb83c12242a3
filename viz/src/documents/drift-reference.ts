// The PSI reference of one training column, kept per model for the monitoring document's drift.
import type { TrainingColumn } from '@enchilada/data';
import { categoricalPsiReference, psiReference, type PsiReference } from '@enchilada/models';

/** Numbers: quantile bins of the present values. Text: category shares with unseen and missing. Dates: none yet. */
export function driftReference(c: TrainingColumn): PsiReference | null {
  if (c.kind === 'numeric') return psiReference(Array.from(c.values).filter((v) => !Number.isNaN(v)));
  if (c.kind === 'categorical') return categoricalPsiReference(c.values);
  return null;
}
