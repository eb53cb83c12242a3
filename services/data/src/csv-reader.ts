// Reads a CSV stream as records with their line numbers (csv-parse does the parsing), turning
// parser errors into messages that name the line. The first record is the header.
import type { Readable } from 'node:stream';
import { parse, CsvError as ParseError } from 'csv-parse';
import { BadRequestError } from '@enchilada/core';
import { Utf8Error, Utf8Guard } from './utf8-guard.js';

export class CsvError extends BadRequestError {
  constructor(readonly line: number, message: string, readonly column?: string) {
    super(`line ${line}${column ? `, column ${JSON.stringify(column)}` : ''}: ${message}`, 'file');
    this.name = 'CsvError';
  }
}

export interface CsvRecord { readonly line: number; readonly values: string[] }

export interface CsvSource {
  /** Header cells, as written. */
  readonly header: string[];
  readonly records: AsyncIterable<CsvRecord>;
  /** Bytes read so far (for progress). */
  bytesRead(): number;
}

function toCsvError(err: unknown): Error {
  if (err instanceof Utf8Error) return new CsvError(err.line, 'the file is not UTF-8 text (save it as UTF-8 and upload it again)');
  if (err instanceof ParseError) {
    const e = err as ParseError & { lines?: number; record?: unknown[] };
    const line = e.lines ?? 0;
    switch (e.code) {
      case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
        return new CsvError(line, `expected ${(e as unknown as { columns?: unknown[] }).columns?.length ?? 'the header\'s number of'} fields but found ${e.record?.length ?? 'a different number'}`);
      case 'CSV_QUOTE_NOT_CLOSED':
        return new CsvError(line, 'a quoted value is not closed (a " is missing)');
      case 'CSV_INVALID_CLOSING_QUOTE':
      case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
        return new CsvError(line, 'unexpected character after a closing quote');
      default:
        return new CsvError(line, e.message.replace(/^Invalid.*?:\s*/, ''));
    }
  }
  return err instanceof Error ? err : new Error(String(err));
}

export async function openCsv(input: Readable): Promise<CsvSource> {
  const guard = new Utf8Guard();
  const parser = parse({ bom: true, skip_empty_lines: true, relax_column_count: true, info: true, max_record_size: 1 << 20 });
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
            if (record.length !== ncols) throw new CsvError(info.lines, `expected ${ncols} fields but found ${record.length}`);
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
