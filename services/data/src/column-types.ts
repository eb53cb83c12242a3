// Column types of a dataset, how a CSV value is read as each, and how a type is inferred.
import { quoteIdent } from '@enchilada/core';
import { parseDate } from './dates.js';

export type ColumnType = 'integer' | 'decimal' | 'text' | 'boolean' | 'date';
export type ColumnRole = 'feature' | 'target' | 'identifier' | 'ignored';
export type Task = 'classification' | 'regression';

export const COLUMN_TYPES: readonly ColumnType[] = ['integer', 'decimal', 'text', 'boolean', 'date'];
export const COLUMN_ROLES: readonly ColumnRole[] = ['feature', 'target', 'identifier', 'ignored'];

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  readonly role: ColumnRole;
  /** Unit of measurement, for axis labels (toy datasets describe theirs). */
  readonly unit?: string;
}

/** Values read as missing (NULL), as pandas reads them by default. */
const MISSING = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '?']);
const INTEGER = /^[+-]?\d{1,18}$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const TRUE = new Set(['true', 'yes', 't', 'y']);
const FALSE = new Set(['false', 'no', 'f', 'n']);
export const MAX_TEXT = 255;

export function isMissing(raw: string): boolean {
  return MISSING.has(raw.trim().toLowerCase());
}

/** The value to store for `raw` as `type`, or an Error saying why it is not one. */
export function readValue(raw: string, type: ColumnType): number | string | null | Error {
  if (isMissing(raw)) return null;
  const v = raw.trim();
  switch (type) {
    case 'integer': {
      if (!INTEGER.test(v)) return new Error(`"${clip(raw)}" is not an integer`);
      const n = Number(v);
      return Number.isSafeInteger(n) ? n : new Error(`${clip(raw)} is too large for an integer column`);
    }
    case 'decimal': {
      if (!DECIMAL.test(v)) return new Error(`"${clip(raw)}" is not a number`);
      const n = Number(v);
      return Number.isFinite(n) ? n : new Error(`${clip(raw)} is out of range`);
    }
    case 'boolean': {
      const l = v.toLowerCase();
      if (TRUE.has(l) || l === '1') return 1;
      if (FALSE.has(l) || l === '0') return 0;
      return new Error(`"${clip(raw)}" is not true or false`);
    }
    case 'text':
      return raw.length > MAX_TEXT ? new Error(`text longer than ${MAX_TEXT} characters`) : raw;
    case 'date': {
      const ms = parseDate(v);
      if (ms instanceof Error) return ms;
      // Stored as UTC text the database reads into DATETIME(3) the same way under any session time zone.
      const iso = new Date(ms).toISOString();
      if (!/^\d{4}-/.test(iso) || iso < MIN_DATE)
        return new Error(`"${clip(raw)}" is outside the years 1000–9999 a date column holds`);
      return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
    }
  }
}

// DATETIME's portable range (MySQL documents 1000-01-01 as the earliest supported value).
const MIN_DATE = '1000-01-01';

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/**
 * What would hold `raw`, refused as `type`: the next wider type that reads it (integer → decimal →
 * text; boolean and date → text), said as advice for the upload preview.
 */
export function typeHint(raw: string, type: ColumnType): string {
  if (type === 'text')
    return `values longer than ${MAX_TEXT} characters cannot be stored: shorten them in the file or leave the column out of it`;
  const wider: ColumnType[] = type === 'integer' ? ['decimal', 'text'] : ['text'];
  const fits = wider.find((t) => !(readValue(raw, t) instanceof Error));
  if (!fits) return `no column type holds "${clip(raw)}" (longer than ${MAX_TEXT} characters): shorten it in the file`;
  return `choose the type "${fits}" for this column${fits === 'text' ? ' (its values become categories)' : ''}, or correct the value in the file`;
}

/** The narrowest type every non-missing sample value fits. */
export function inferType(values: readonly string[]): ColumnType {
  const present = values.filter((v) => !isMissing(v)).map((v) => v.trim());
  if (present.length === 0) return 'text';
  if (present.every((v) => INTEGER.test(v) && Number.isSafeInteger(Number(v)))) return 'integer';
  if (present.every((v) => DECIMAL.test(v))) return 'decimal';
  if (present.every((v) => TRUE.has(v.toLowerCase()) || FALSE.has(v.toLowerCase()))) return 'boolean';
  if (present.every((v) => !(readValue(v, 'date') instanceof Error))) return 'date';
  return 'text';
}

/** Classification for text, boolean or few distinct integer values; regression otherwise. */
export function suggestTask(type: ColumnType, values: readonly string[]): Task {
  if (type === 'text' || type === 'boolean') return 'classification';
  if (type === 'integer') {
    const distinct = new Set(values.filter((v) => !isMissing(v)).map((v) => v.trim()));
    return distinct.size <= 20 ? 'classification' : 'regression';
  }
  return 'regression';
}

export function sqlType(type: ColumnType): string {
  switch (type) {
    case 'integer':
      return 'BIGINT NULL';
    case 'decimal':
      return 'DOUBLE NULL';
    case 'boolean':
      return 'TINYINT(1) NULL';
    case 'text':
      return `VARCHAR(${MAX_TEXT}) NULL`;
    // Milliseconds kept (what parseDate reads); with DATETIME(0) MySQL would round a fraction and
    // MariaDB truncate it, so the two databases would store different values.
    case 'date':
      return 'DATETIME(3) NULL';
  }
}

/**
 * The SQL that reads a stored value out of `expr` (a column, or an aggregate of one) for people and
 * files: a date as ISO 8601 text, written by the database, so neither the session's time zone nor
 * the driver's Date conversion can shift it. Same text as dates.ts' formatDate.
 */
export function selectValue(type: ColumnType, expr: string): string {
  if (type !== 'date') return expr;
  return (
    `(CASE WHEN ${expr} IS NULL THEN NULL WHEN TIME(${expr}) = '00:00:00' THEN DATE_FORMAT(${expr}, '%Y-%m-%d')` +
    ` WHEN MICROSECOND(${expr}) = 0 THEN DATE_FORMAT(${expr}, '%Y-%m-%dT%H:%i:%s')` +
    ` ELSE LEFT(DATE_FORMAT(${expr}, '%Y-%m-%dT%H:%i:%s.%f'), 23) END)`
  );
}

/** `selectValue` of column `c`, named for it. */
export const selectColumn = (c: ColumnSpec, prefix = ''): string =>
  `${selectValue(c.type, prefix + quoteIdent(c.name))} AS ${quoteIdent(c.name)}`;

export const isNumeric = (t: ColumnType): boolean => t === 'integer' || t === 'decimal' || t === 'boolean';
