// A date column becomes numeric columns, one a part: training names and computes them here, and
// every caller of a model (serve's feeds, viz's scoring, the explainer) must compute them the same way.

export const DATE_PARTS = ['year', 'month', 'day', 'weekday', 'hour'] as const;
export type DatePart = (typeof DATE_PARTS)[number];

/** The name of the numeric column a date part becomes in training ('when (year)'). */
export function datePartColumn(column: string, part: DatePart): string {
  return `${column} (${part})`;
}

/** Year, month (1–12), day of month, day of week (0 = Monday, as pandas) and hour of an epoch-ms UTC instant. */
export function datePart(ms: number, part: DatePart): number {
  if (Number.isNaN(ms)) return NaN;
  const d = new Date(ms);
  switch (part) {
    case 'year':
      return d.getUTCFullYear();
    case 'month':
      return d.getUTCMonth() + 1;
    case 'day':
      return d.getUTCDate();
    case 'weekday':
      return (d.getUTCDay() + 6) % 7;
    case 'hour':
      return d.getUTCHours();
  }
}
