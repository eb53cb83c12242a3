// Dates and times as CSV files write them (ISO 8601 and the common "YYYY-MM-DD HH:MM:SS"), read as
// epoch milliseconds UTC, and the numeric parts a model uses in their place.
// One parser serves the upload (checking each value), the training reader and the tests, so what is
// stored and what is trained on cannot disagree.

import { at } from '@enchilada/core';

// Date, optional time (minutes required, seconds and fraction optional) after "T" or one space,
// optional zone ("Z", "+02:00", "+0200", "+02").
const DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/**
 * Epoch milliseconds UTC of `raw`, or an Error saying why it is not a date. A value without a zone
 * is taken as UTC (a file rarely says which zone it means; UTC at least never shifts with the
 * server's). A zone offset is honoured. A seconds fraction is kept to the millisecond (truncated).
 */
export function parseDate(raw: string): number | Error {
  const m = DATE.exec(raw.trim());
  if (!m) return new Error(`"${clip(raw)}" is not a date (YYYY-MM-DD, optionally with a time HH:MM:SS)`);
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  const millis = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  if (month < 1 || month > 12) return new Error(`"${clip(raw)}" is not a date: month ${month}`);
  const days = month === 2 && isLeap(year) ? 29 : at(DAYS_IN_MONTH, month - 1);
  if (day < 1 || day > days) return new Error(`"${clip(raw)}" is not a date: day ${day} of month ${month}`);
  if (hour > 23 || minute > 59 || second > 59) return new Error(`"${clip(raw)}" is not a time of day`);
  let offset = 0;
  const zone = m[8];
  if (zone && zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (oh > 23 || om > 59) return new Error(`"${clip(raw)}" has an impossible time-zone offset`);
    offset = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  // Date.UTC reads years 0–99 as 1900–1999; setUTCFullYear does not.
  const d = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, millis));
  d.setUTCFullYear(year);
  return d.getTime() - offset;
}

export interface DateParts {
  readonly year: number;
  /** 1–12 */
  readonly month: number;
  /** 1–31 */
  readonly day: number;
  /** 0 = Monday … 6 = Sunday, as pandas' dayofweek */
  readonly weekday: number;
  /** 0–23 */
  readonly hour: number;
}

/** The calendar parts (UTC) of an epoch-milliseconds date: the numbers a model sees for it. */
export function dateParts(ms: number): DateParts {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    weekday: (d.getUTCDay() + 6) % 7,
    hour: d.getUTCHours(),
  };
}

/**
 * ISO 8601 text of an epoch-milliseconds date, as short as it can be without losing anything:
 * "2024-03-01" at midnight, else "2024-03-01T12:30:00", with ".250" when there are milliseconds.
 * The SQL of column-types' `selectValue` writes the same text.
 */
export function formatDate(ms: number): string {
  const iso = new Date(ms).toISOString();
  if (iso.endsWith('T00:00:00.000Z')) return iso.slice(0, 10);
  return iso.endsWith('.000Z') ? iso.slice(0, 19) : iso.slice(0, 23);
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
