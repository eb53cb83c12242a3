// A CSV's records from its bytes, in runs, each record with the line it ends on. csv-parse reads any
// CSV, but a line with no quote and no stray carriage return has one reading only: its values are
// what lies between the commas. Such lines are split here with String.prototype.split, at a tenth of
// csv-parse's cost (measured: 1,000,000 rows × 10 columns, 3.5 s of CPU against 0.4 s; csv-parse
// was a third of serve's time in a batch). The first buffer that holds a quote or a stray CR, and
// everything after it, goes to csv-parse, told the record delimiter already found, so a file gives
// the records, line numbers and errors csv-parse alone gives (test/csv-records.test.ts compares).
import { Transform, type TransformCallback } from 'node:stream';
import { parse, type Options, type Parser } from 'csv-parse';
import { MAX_RECORD_CHARS } from '@enchilada/data';

/** Records as read, with the line each ends on and, for a line split here, its text (null: csv-parse's). */
export interface RecordRun {
  readonly records: string[][];
  readonly lines: number[];
  readonly texts: (string | null)[];
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
/** A CR not followed by LF, or an LF not preceded by CR: a line break csv-parse does not split on in a CRLF file. */
const STRAY_BREAK = /\r(?!\n)|(?<!\r)\n/;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** The options serve reads every CSV with (csv-parse's reading of the slow part). */
export const CSV_OPTIONS: Options = {
  bom: true,
  skip_empty_lines: false,
  relax_column_count: true,
  relax_quotes: true,
  max_record_size: MAX_RECORD_CHARS,
};

/**
 * Bytes in, RecordRuns out (object mode: one run per buffer read). Lines with nothing but their
 * values in them ([''], an empty line) are counted and left out, as batch scoring wants them.
 */
export class CsvRecords extends Transform {
  /** Lines read so far (the last record's line). */
  private line = 0;
  private started = false;
  /** Bytes after the last line break, waiting for the rest of their line (joined once it comes). */
  private carry: Buffer[] = [];
  private carried = 0;
  /** Decided by the first line break: what separates records ('\n' or '\r\n'). */
  private delimiter: '\n' | '\r\n' | null = null;
  /** Once a buffer needs it: csv-parse reads the rest. */
  private parser: Parser | null = null;
  private slowRun: RecordRun | null = null;

  constructor() {
    // Two runs (each a buffer's worth, ~700 rows of 10 numbers) wait for the reader at most.
    super({ readableObjectMode: true, readableHighWaterMark: 2 });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.parser) {
      this.parser.write(chunk, () => done());
      return;
    }
    // csv-parse decides about a BOM once it has three bytes (or the end).
    const last = this.started || this.carried + chunk.length >= 3 ? chunk.lastIndexOf(LF) : -1;
    if (last < 0) {
      this.carry.push(chunk);
      this.carried += chunk.length;
      // A line longer than csv-parse allows is csv-parse's to refuse.
      if (this.carried > MAX_RECORD_CHARS) this.slow(this.takeCarry(), done);
      else done();
      return;
    }
    let buf = chunk;
    let end = last;
    if (this.carried) {
      buf = Buffer.concat([this.takeCarry(), chunk]);
      end += buf.length - chunk.length;
    }
    if (!this.started) {
      if (buf[0] === BOM[0] && buf[1] === BOM[1] && buf[2] === BOM[2]) {
        buf = buf.subarray(3);
        end -= 3;
      }
      this.started = true;
    }
    if (!this.split(buf, end)) {
      this.slow(buf, done);
      return;
    }
    if (end + 1 < buf.length) {
      this.carry.push(Buffer.from(buf.subarray(end + 1)));
      this.carried = buf.length - end - 1;
    }
    done();
  }

  private takeCarry(): Buffer {
    const b = this.carry.length === 1 ? this.carry[0] : Buffer.concat(this.carry);
    this.carry = [];
    this.carried = 0;
    return b;
  }

  override _flush(done: TransformCallback): void {
    const finish = () => {
      this.pushSlowRun();
      done();
    };
    if (!this.parser) {
      if (!this.carried) {
        done();
        return;
      }
      const rest = this.takeCarry();
      // The last line, without a line break: split here when it is plain and the file has begun
      // (past its BOM). Anything else (a file without a line break at all, say) is csv-parse's.
      if (this.started && rest.indexOf(CR) < 0 && rest.indexOf(QUOTE) < 0) {
        const text = rest.toString('utf8');
        this.pushRun([text], [text.split(',')]);
        done();
        return;
      }
      this.startParser();
      (this.parser as unknown as Parser).end(rest);
    } else this.parser.end();
    (this.parser as unknown as Parser).once('end', finish);
  }

  /**
   * Splits buf's lines up to `last` (the last LF) and pushes them; false (nothing pushed) when one
   * of them is not for a plain split: a quote, a CR that is not part of the record delimiter, a
   * line break other than the file's, or a line longer than csv-parse allows.
   */
  private split(buf: Buffer, last: number): boolean {
    const quote = buf.indexOf(QUOTE);
    if (quote >= 0 && quote < last) return false;
    if (this.delimiter === null) {
      // csv-parse takes the first of \r\n, \n or \r it meets as the delimiter; a lone \r is for it.
      const first = buf.indexOf(LF);
      const cr = buf.indexOf(CR);
      if (cr >= 0 && cr < first - 1) return false;
      this.delimiter = cr === first - 1 && first > 0 ? '\r\n' : '\n';
    }
    let end = last;
    if (this.delimiter === '\r\n') {
      if (last === 0 || buf[last - 1] !== CR) return false;
      end = last - 1;
    }
    const text = buf.toString('utf8', 0, end);
    if (this.delimiter === '\n' ? text.includes('\r') : STRAY_BREAK.test(text)) return false;
    const lines = text.split(this.delimiter);
    if (end > MAX_RECORD_CHARS && lines.some((l) => Buffer.byteLength(l) > MAX_RECORD_CHARS)) return false;
    const records = new Array<string[]>(lines.length);
    for (let i = 0; i < lines.length; i++) records[i] = lines[i].split(',');
    this.pushRun(lines, records);
    return true;
  }

  /** Pushes split lines as a run, counting each as a line and leaving out the empty ones. */
  private pushRun(texts: string[], records: string[][]): void {
    const run: RecordRun = { records: [], lines: [], texts: [] };
    for (let i = 0; i < records.length; i++) {
      this.line++;
      if (texts[i].length === 0) continue;
      run.records.push(records[i]);
      run.lines.push(this.line);
      run.texts.push(texts[i]);
    }
    if (run.records.length) this.push(run);
  }

  private startParser(): void {
    const options: Options = this.started
      ? { ...CSV_OPTIONS, bom: false, ...(this.delimiter ? { record_delimiter: this.delimiter } : {}) }
      : CSV_OPTIONS;
    const parser = parse(options);
    const before = this.line;
    parser.on('data', (record: string[]) => {
      this.line += 1 + lineBreaks(record);
      if (record.length === 1 && record[0] === '') return;
      if (this.slowRun === null) {
        this.slowRun = { records: [], lines: [], texts: [] };
        // The records csv-parse gives in one go (those of a buffer) go as one run.
        process.nextTick(() => this.pushSlowRun());
      }
      this.slowRun.records.push(record);
      this.slowRun.lines.push(this.line);
      this.slowRun.texts.push(null);
    });
    parser.on('error', (err: Error & { lines?: number }) => {
      // csv-parse counts from where it started; the file's line is what the error names.
      if (typeof err.lines === 'number') err.lines += before;
      this.pushSlowRun();
      this.destroy(err);
    });
    this.parser = parser;
  }

  private pushSlowRun(): void {
    const run = this.slowRun;
    this.slowRun = null;
    if (run && !this.destroyed) this.push(run);
  }

  /** Hands buf and the rest of the file to csv-parse. */
  private slow(buf: Buffer, done: TransformCallback): void {
    this.startParser();
    (this.parser as unknown as Parser).write(buf, () => done());
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    this.parser?.destroy();
    cb(err);
  }
}

/** Line breaks inside a record's values (quoted values may hold them): CRLF counts once. */
function lineBreaks(record: readonly string[]): number {
  let n = 0;
  for (const v of record) {
    if (v.indexOf('\n') < 0 && v.indexOf('\r') < 0) continue;
    for (let k = 0; k < v.length; k++) {
      const c = v.charCodeAt(k);
      if (c === 13 || (c === 10 && v.charCodeAt(k - 1) !== 13)) n++;
    }
  }
  return n;
}
