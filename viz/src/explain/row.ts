// One row explained for the Explain page's per-row view and what-if form: a test row by its index,
// the test rows holding a searched value, or a row as the form edited it. Answers are small JSON;
// the subject (loaded explainer) and the test rows are kept per model, so an answer costs one
// explainRows call on one row.
import { BadRequestError } from '@enchilada/core';
import type { RowExplanation } from '@enchilada/ml';
import type { ColumnInfo, ExplainSubject, RawRow, RawValue } from './explain-data.js';

export interface RowAnswer {
  readonly row: number | null;
  readonly values: RawRow;
  readonly prediction: string | number;
  readonly probabilities?: Record<string, number>;
  /** The class explained (the predicted one), or null. */
  readonly output: string | null;
  readonly units: string;
  readonly method: string;
  readonly value: number;
  readonly base_value: number;
  /** Per original column, largest |contribution| first. */
  readonly contributions: readonly {
    readonly name: string;
    readonly value: RawValue;
    readonly contribution: number;
    readonly stderr?: number;
  }[];
  /** Server time to explain the row (ms). */
  readonly ms: number;
}

export function rowAnswer(subject: ExplainSubject, values: RawRow, row: number | null): RowAnswer {
  const t0 = performance.now();
  const [e]: RowExplanation[] = subject.explain([values]);
  const ms = performance.now() - t0;
  const contributions = subject.columns
    .map((c) => ({
      name: c.name,
      value: values[c.name] ?? null,
      contribution: e.contributions[c.name] ?? 0,
      ...(e.stderr ? { stderr: e.stderr[c.name] } : {}),
    }))
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  return {
    row,
    values,
    prediction: e.prediction,
    ...(e.probabilities ? { probabilities: e.probabilities } : {}),
    output: e.output,
    units: e.units,
    method: e.method,
    value: e.value,
    base_value: e.base_value,
    contributions,
    ms: Math.round(ms * 100) / 100,
  };
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * The what-if form's values, checked against the model's columns: every column present; a number
 * (or numeric text) for numeric columns, text for categories, an ISO date (or epoch ms) for dates,
 * and null or '' for a blank. Errors name the column.
 */
export function parseWhatIf(text: string, columns: readonly ColumnInfo[]): RawRow {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BadRequestError('values must be a JSON object of column → value', 'values');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new BadRequestError('values must be a JSON object of column → value', 'values');
  const given = parsed as Record<string, unknown>;
  const known = new Set(columns.map((c) => c.name));
  const extra = Object.keys(given).find((k) => !known.has(k));
  if (extra !== undefined)
    throw new BadRequestError(`${JSON.stringify(extra)} is not a feature of this model`, 'values');
  const out: RawRow = {};
  for (const c of columns) {
    const v = given[c.name];
    if (v === undefined)
      throw new BadRequestError(`values.${c.name} is missing (send null for a blank)`, `values.${c.name}`);
    if (v === null || v === '') {
      out[c.name] = null;
      continue;
    }
    if (c.kind === 'numeric') {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      if (!Number.isFinite(n))
        throw new BadRequestError(
          `values.${c.name} must be a number or blank, got ${JSON.stringify(v)}`,
          `values.${c.name}`,
        );
      out[c.name] = n;
    } else if (c.kind === 'date') {
      if (typeof v === 'number' && Number.isFinite(v)) out[c.name] = v;
      else if (typeof v === 'string' && ISO_DATE.test(v.trim())) out[c.name] = v.trim();
      else
        throw new BadRequestError(
          `values.${c.name} must be a date (YYYY-MM-DD, optionally with a time) or blank, got ${JSON.stringify(v)}`,
          `values.${c.name}`,
        );
    } else {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
        throw new BadRequestError(`values.${c.name} must be text or blank`, `values.${c.name}`);
      if (String(v).length > 500)
        throw new BadRequestError(`values.${c.name} is longer than 500 characters`, `values.${c.name}`);
      out[c.name] = String(v);
    }
  }
  return out;
}

/** Test rows (their positions) where some column's value contains `text` (case-insensitive), at most `limit`. */
export function findRows(rows: readonly RawRow[], columns: readonly ColumnInfo[], text: string, limit = 20): number[] {
  const needle = text.trim().toLowerCase();
  const out: number[] = [];
  if (!needle) return out;
  for (let i = 0; i < rows.length && out.length < limit; i++) {
    if (
      columns.some((c) => {
        const v = rows[i][c.name];
        return v !== null && shown(c, v).toLowerCase().includes(needle);
      })
    )
      out.push(i);
  }
  return out;
}

/** A value as the page shows it (dates as ISO text). */
export function shown(c: ColumnInfo, v: RawValue): string {
  if (v === null) return '';
  if (c.kind === 'date' && typeof v === 'number')
    return new Date(v).toISOString().replace('T00:00:00.000Z', '').replace('.000Z', 'Z');
  return String(v);
}
