// Rules for dataset and column names. Column names become SQL column names (always quoted with
// core's quoteIdent); dataset names become URL slugs. Neither ever becomes a table name.
import { BadRequestError } from '@enchilada/core';

const COLUMN = /^[\p{L}\p{N}_][\p{L}\p{N}_ -]{0,63}$/u;
const DATASET = /^[a-z][a-z0-9_-]{0,63}$/;
export const RESERVED_COLUMN = '_row';

export function columnNameProblem(name: string): string | null {
  if (name.trim() === '') return 'is empty';
  if (name !== name.trim()) return 'starts or ends with a space';
  if (name.length > 64) return 'is longer than 64 characters';
  if (name.toLowerCase() === RESERVED_COLUMN) return 'is reserved';
  if (!COLUMN.test(name)) return 'may hold only letters, digits, spaces, "_" and "-"';
  return null;
}

/** A name that passes the rules, made from a CSV header cell (shown to the user as a suggestion). */
export function suggestColumnName(header: string, index: number): string {
  let s = header
    .normalize('NFC')
    .trim()
    .replace(/[^\p{L}\p{N}_ -]+/gu, '_')
    .replace(/_+/g, '_')
    .replace(/^[ -]+|[ _-]+$/g, '');
  if (s.length > 64) s = s.slice(0, 64).trim();
  if (s === '' || s.toLowerCase() === RESERVED_COLUMN) s = `column_${index + 1}`;
  return s;
}

export function checkColumnNames(names: readonly string[]): void {
  const seen = new Map<string, number>();
  names.forEach((n, i) => {
    const problem = columnNameProblem(n);
    if (problem)
      throw new BadRequestError(`column ${i + 1} name ${JSON.stringify(n)} ${problem}`, `columns[${i}].name`);
    // MySQL column names are case-insensitive: "Age" and "age" collide.
    const key = n.toLowerCase();
    const prev = seen.get(key);
    if (prev !== undefined)
      throw new BadRequestError(
        `columns ${prev + 1} and ${i + 1} have the same name ${JSON.stringify(n)}`,
        `columns[${i}].name`,
      );
    seen.set(key, i);
  });
}

export function checkDatasetName(name: string): void {
  if (!DATASET.test(name)) {
    throw new BadRequestError(
      'dataset name must start with a letter and hold 1–64 lower-case letters, digits, "_" or "-"',
      'name',
    );
  }
}

export function suggestDatasetName(fileName: string): string {
  const base = fileName
    .replace(/\.[^.]*$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '_')
    .replace(/^[^a-z]+/, '')
    .slice(0, 64);
  return base || 'upload';
}
