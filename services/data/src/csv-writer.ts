// The one CSV writer of every export (a dataset, the prediction log): RFC 4180 quoting, and
// OWASP's rule against CSV injection — a text cell that a spreadsheet would run as a formula
// (starting with =, +, -, @, tab or carriage return) is prefixed with a single quote, so it is
// shown as text. A number, even a negative one, is not a formula and is written as it is.
import { Transform, type Readable } from 'node:stream';

const FORMULA_START = /^[=+\-@\t\r]/;
/** Text that is a plain number ("-1.5", "+3", "2e-7"): DECIMAL columns come from mysql2 as text. */
const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const NEEDS_QUOTES = /[",\n\r]/;

/** One CSV cell: empty for null, numbers as they are, text defused and quoted when it must be. */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  let t =
    typeof v === 'string'
      ? v
      : v instanceof Date
        ? v.toISOString()
        : Buffer.isBuffer(v)
          ? v.toString('utf8')
          : JSON.stringify(v);
  if (FORMULA_START.test(t) && !PLAIN_NUMBER.test(t)) t = `'${t}`;
  return NEEDS_QUOTES.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

/** One CSV line, with its line break. */
export function csvLine(values: readonly unknown[]): string {
  return values.map(csvCell).join(',') + '\n';
}

/** A stream of row objects → CSV text: the header, then each row's `columns` in order. */
export function csvFromRows(columns: readonly string[], rows: Readable): Readable {
  let header = false;
  const out = new Transform({
    writableObjectMode: true,
    transform(row: Record<string, unknown>, _enc, done) {
      const head = header ? '' : csvLine(columns);
      header = true;
      done(null, head + csvLine(columns.map((c) => row[c])));
    },
    flush(done) {
      // An empty table still has its header.
      done(null, header ? '' : csvLine(columns));
    },
  });
  rows.on('error', (e) => out.destroy(e));
  return rows.pipe(out);
}
