// Reads a CSV stream as records with their line numbers (csv-parse does the parsing), turning
// parser errors into sentences that name the line and column. The first record is the header.
// Quotes inside a value that does not start with one are read as written, as pandas reads them
// (`=cmd|"/c calc"!A1`, `5'10"`).
import type { Readable } from 'node:stream';
import { parse, CsvError as ParseError } from 'csv-parse';
import { BadRequestError } from '@enchilada/core';
import { Utf8Error, Utf8Guard } from './utf8-guard.js';

/** Most columns a dataset may have (the upload's commit accepts no more). */
export const MAX_COLUMNS = 500;
/** Most characters in one row: bounds the parser's memory when a closing quote is missing. */
export const MAX_RECORD_CHARS = 1 << 20;

/** A column by its name (data rows) or its 1-based number (the header, or where the name is unknown). */
export type CsvColumn = string | number;

export class CsvError extends BadRequestError {
  /** What would work instead (a value refused by its column's type), for the person fixing it. */
  hint?: string;
  constructor(
    readonly line: number,
    message: string,
    readonly column?: CsvColumn,
  ) {
    super(
      `line ${line}${column === undefined ? '' : typeof column === 'number' ? `, column ${column}` : `, column ${JSON.stringify(column)}`}: ${message}`,
      'file',
    );
    this.name = 'CsvError';
  }
}

export interface CsvRecord {
  readonly line: number;
  readonly values: string[];
}

export interface CsvSource {
  /** Header cells, as written. */
  readonly header: string[];
  readonly records: AsyncIterable<CsvRecord>;
  /** Bytes read so far (for progress). */
  bytesRead(): number;
}

/**
 * Where the quote that is never closed opens in `raw` (the unfinished record's text, as csv-parse
 * kept it): its offset and its field's index. A quote opens a value only at the value's start;
 * inside a quoted value, `""` is a quote and `"` ends it.
 */
export function unclosedQuote(raw: string): { at: number; field: number } {
  let quoted = false;
  let start = true;
  let field = 0;
  let at = -1;
  let atField = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (quoted) {
      if (c !== '"') continue;
      if (raw[i + 1] === '"') {
        i++;
        continue;
      }
      quoted = false;
      start = false;
      continue;
    }
    if (c === '"' && start) {
      quoted = true;
      at = i;
      atField = field;
      continue;
    }
    if (c === ',') field++;
    else if (c === '\n' || c === '\r') field = 0;
    start = c === ',' || c === '\n' || c === '\r';
  }
  return { at, field: atField };
}

/** Counts line breaks as csv-parse does inside a quoted value (each \r and \n). */
const breaks = (s: string) => {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s[i] === '\n' || s[i] === '\r') n++;
  return n;
};

function toCsvError(err: unknown): Error {
  if (err instanceof Utf8Error)
    return new CsvError(err.line, 'the file is not UTF-8 text (save it as UTF-8 and upload it again)');
  if (err instanceof ParseError) {
    const e = err as ParseError & { lines?: number; record?: unknown[]; index?: number; raw?: string };
    const line = e.lines ?? 0;
    const column = typeof e.index === 'number' ? e.index + 1 : undefined;
    switch (e.code) {
      case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
        return new CsvError(
          line,
          `expected ${(e as unknown as { columns?: unknown[] }).columns?.length ?? "the header's number of"} fields but found ${e.record?.length ?? 'a different number'}`,
        );
      case 'CSV_QUOTE_NOT_CLOSED': {
        // csv-parse reports the end of the file; the person needs the line where the quote opens:
        // the lines after it are those in the unfinished record after the quote.
        const raw = e.raw ?? '';
        const q = unclosedQuote(raw);
        if (q.at < 0) return new CsvError(line, 'a quoted value is not closed (a " is missing)');
        const opens = line - breaks(raw.slice(q.at)) + (/[\r\n]$/.test(raw) ? 1 : 0);
        return new CsvError(
          opens,
          'a quoted value is not closed (a " is missing): it opens here and runs to the end of the file',
          q.field + 1,
        );
      }
      case 'CSV_MAX_RECORD_SIZE':
        return new CsvError(
          line,
          `a row is longer than ${MAX_RECORD_CHARS.toLocaleString('en')} characters, the most one row may hold (is a closing " missing?)`,
          column,
        );
      case 'CSV_INVALID_CLOSING_QUOTE':
      case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
        return new CsvError(
          line,
          'unexpected character after a closing quote (a " inside a quoted value must be doubled: "")',
          column,
        );
      default:
        // Anything else csv-parse refuses: a sentence, with its code for whoever reads the logs.
        return new CsvError(line, `this line is not valid CSV (${e.code})`, column);
    }
  }
  return err instanceof Error ? err : new Error(String(err));
}

const NUL = '\u0000';

function checkHeader(header: readonly string[]): void {
  if (header.length > MAX_COLUMNS) {
    throw new CsvError(
      1,
      `the header has ${header.length.toLocaleString('en')} columns; a dataset may have at most ${MAX_COLUMNS}`,
    );
  }
  header.forEach((h, i) => {
    if (h.includes(NUL)) throw new CsvError(1, 'the header contains a NUL character (is this a binary file?)', i + 1);
    if (h.trim() === '') throw new CsvError(1, 'the header name is empty: every column needs a name', i + 1);
  });
}

export async function openCsv(input: Readable): Promise<CsvSource> {
  const guard = new Utf8Guard();
  // `raw` keeps the unfinished record's text, from which an unclosed quote's line is found.
  const parser = parse({
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    relax_quotes: true,
    info: true,
    raw: true,
    max_record_size: MAX_RECORD_CHARS,
  });
  input.on('error', (e) => parser.destroy(e));
  guard.on('error', (e) => parser.destroy(e));
  input.pipe(guard).pipe(parser);
  const it = (parser as AsyncIterable<{ record: string[]; info: { lines: number } }>)[Symbol.asyncIterator]();
  let first: IteratorResult<{ record: string[]; info: { lines: number } }>;
  try {
    first = await it.next();
  } catch (err) {
    throw toCsvError(err);
  }
  if (first.done) throw new CsvError(1, 'the file is empty: a header row is required');
  const header = first.value.record;
  try {
    checkHeader(header);
  } catch (err) {
    parser.destroy();
    input.destroy();
    throw err;
  }
  const ncols = header.length;
  return {
    header,
    bytesRead: () => guard.bytes,
    records: {
      async *[Symbol.asyncIterator]() {
        try {
          for (;;) {
            const r = await it.next();
            if (r.done) return;
            const { record, info } = r.value;
            // Counted here rather than by csv-parse so that the message names both counts.
            if (record.length !== ncols)
              throw new CsvError(info.lines, `expected ${ncols} fields but found ${record.length}`);
            for (let j = 0; j < ncols; j++) {
              if (record[j]?.includes(NUL))
                throw new CsvError(
                  info.lines,
                  'the value contains a NUL character (is this a binary file?)',
                  header[j],
                );
            }
            yield { line: info.lines, values: record };
          }
        } catch (err) {
          throw err instanceof CsvError ? err : toCsvError(err);
        } finally {
          parser.destroy();
          input.destroy();
        }
      },
    },
  };
}
