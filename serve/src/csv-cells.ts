// The input's cells as batch scoring writes them back: as csvCell writes any text (quoted when it
// must be, a formula defused), but tested cheaply, since nearly every cell comes back as it came.
import { csvCell } from '@enchilada/data';

const NEEDS_QUOTES = /[",\n\r]/;

/** A passed-through cell, as csvCell writes it; a value starting with a digit is never a formula, so one test is enough. */
export function passedThrough(v: string): string {
  const c = v.charCodeAt(0);
  if (c >= 48 && c <= 57) return NEEDS_QUOTES.test(v) ? csvCell(v) : v;
  return csvCell(v);
}

/**
 * A cell csvCell changes in a line with no quote, CR or LF (a plain line, as CsvRecords keeps it):
 * one starting with =, +, -, @ or a tab that is not a plain number (csv-writer's PLAIN_NUMBER).
 */
const CHANGED_CELL = /(?:^|,)(?![+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?:,|$))[=+\-@\t]/;

/** Whether every cell of a plain line comes back as it is (then the line is written as it came). */
export function unchangedLine(text: string): boolean {
  return !CHANGED_CELL.test(text);
}
