// The PSI reference of one training column, kept per model for drift: the monitoring document's
// (viz) and the drift-share alert rule's (web). Typed by shape, so this package needs nothing of
// services/data (its TrainingColumn is one of these).
import { categoricalPsiReference, psiReference, type PsiReference } from '@enchilada/ml/metrics';

export type DriftColumn =
  | { readonly kind: 'numeric'; readonly values: Float64Array }
  | { readonly kind: 'categorical'; readonly values: readonly (string | null)[] }
  | { readonly kind: 'date'; readonly values: Float64Array };

/** Numbers: quantile bins of the present values. Text: category shares with unseen and missing. Dates: none yet. */
export function driftReference(c: DriftColumn): PsiReference | null {
  if (c.kind === 'numeric') return psiReference(Array.from(c.values).filter((v) => !Number.isNaN(v)));
  if (c.kind === 'categorical') return categoricalPsiReference(c.values);
  return null;
}
