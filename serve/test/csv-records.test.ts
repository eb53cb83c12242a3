import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { CSV_OPTIONS, CsvRecords, type RecordRun } from '../src/csv-records.js';

interface Read {
  records: string[][];
  lines: number[];
  texts: (string | null)[];
  error: { code: string; lines: number } | null;
}

/** What csv-parse alone reads from the whole file: records, the line each ends on (empty ones left out), the error. */
function reference(input: Buffer): Promise<Read> {
  const out: Read = { records: [], lines: [], texts: [], error: null };
  let line = 0;
  const parser = parse(CSV_OPTIONS);
  return new Promise((resolve) => {
    // Every record it gives before an error, too (an iterator would stop at the error).
    parser.on('data', (record: string[]) => {
      for (const v of record)
        for (let k = 0; k < v.length; k++) {
          const c = v.charCodeAt(k);
          if (c === 13 || (c === 10 && v.charCodeAt(k - 1) !== 13)) line++;
        }
      line++;
      if (record.length === 1 && record[0] === '') return;
      out.records.push(record);
      out.lines.push(line);
    });
    parser.on('error', (e: Error & { code: string; lines: number }) => {
      out.error = { code: e.code, lines: e.lines };
      resolve(out);
    });
    parser.on('end', () => resolve(out));
    parser.end(input);
  });
}

/** What CsvRecords reads from the file sent in pieces of the given sizes (cycled). */
async function subject(input: Buffer, sizes: readonly number[]): Promise<Read> {
  const pieces: Buffer[] = [];
  for (let at = 0, k = 0; at < input.length; k++) {
    const n = sizes[k % sizes.length];
    pieces.push(input.subarray(at, at + n));
    at += n;
  }
  const out: Read = { records: [], lines: [], texts: [], error: null };
  try {
    for await (const run of Readable.from(pieces).pipe(new CsvRecords()) as AsyncIterable<RecordRun>) {
      out.records.push(...run.records);
      out.lines.push(...run.lines);
      out.texts.push(...run.texts);
    }
  } catch (e) {
    const err = e as { code: string; lines: number };
    out.error = { code: err.code, lines: err.lines };
  }
  return out;
}

const SIZES = [[1], [2], [3], [5, 1, 7], [64], [4096], [1 << 20]];

async function expectSameAsCsvParse(input: Buffer, pieceSizes = SIZES): Promise<Read> {
  const ref = await reference(input);
  let last: Read | null = null;
  for (const sizes of pieceSizes) {
    const got = await subject(input, sizes);
    expect({ error: got.error, sizes }).toEqual({ error: ref.error, sizes });
    if (ref.error) {
      // Records read before the error may or may not reach the reader; those that do are csv-parse's.
      expect(got.records).toEqual(ref.records.slice(0, got.records.length));
      expect(got.lines).toEqual(ref.lines.slice(0, got.lines.length));
    } else {
      expect({ records: got.records, lines: got.lines, sizes }).toEqual({
        records: ref.records,
        lines: ref.lines,
        sizes,
      });
    }
    // A line's text, when kept, is its values joined by commas (what the output passes through).
    got.texts.forEach((t, i) => {
      if (t !== null) expect(t).toBe(got.records[i].join(','));
    });
    last = got;
  }
  return last as Read;
}

describe('reading CSV records', () => {
  const files: Record<string, string> = {
    'plain lines': 'a,b,c\n1,2,3\n-4.5,,x\n',
    'no line break at the end': 'a,b\n1,2\n3,4',
    'CRLF line breaks': 'a,b\r\n1,2\r\n3,4\r\n',
    'CRLF, no break at the end': 'a,b\r\n1,2\r\n3,4',
    'a BOM': '\ufeffa,b\n1,2\n',
    'a BOM and CRLF': '\ufeffa,b\r\n1,2\r\n',
    'empty and blank lines': 'a,b\n\n1,2\n \n,\n\n3,4\n\n',
    'a quoted value part way': 'a,b\n1,2\n3,"x, y"\n5,6\n',
    'a quoted value with line breaks': 'a,b\n1,2\n"multi\nline\r\nvalue",3\n4,5\n',
    'a stray CR in an LF file': 'a,b\n1,2\n3\r,4\n5,6\n',
    'a stray LF in a CRLF file': 'a,b\r\n1,2\r\n3\n4,5\r\n6,7\r\n',
    'CR line breaks (old Macs)': 'a,b\r1,2\r3,4\r',
    'a CR before the first LF': 'a\r,b\n1,2\n',
    'multi-byte text': 'név,€\nárvíztűrő,😀\n日本,語\n',
    'quotes inside a value (read as written)': 'a,b\n5\'10",x\n=cmd|"/c calc"!A1,y\n',
    'a quote on the last line, no break': 'a,b\n1,2\n"3",4',
    'a missing closing quote after plain lines': 'a,b\n1,2\n3,4\n"5,6\n7,8\n',
    'one line': 'a,b,c',
    'one short line': 'ab',
    'one break': '\n',
    'a BOM only': '\ufeff',
    nothing: '',
  };
  for (const [name, text] of Object.entries(files)) {
    it(`reads ${name} as csv-parse does, in pieces of any size`, async () => {
      await expectSameAsCsvParse(Buffer.from(text));
    });
  }

  it('splits plain lines itself, keeping their text, and hands the rest to csv-parse from the first buffer with a quote', async () => {
    const input = Buffer.from('a,b\n1,2\n3,"4"\n5,6\n');
    await expectSameAsCsvParse(input);
    const got = await subject(input, [4]);
    expect(got.texts).toEqual(['a,b', '1,2', null, null]);
    expect(got.records).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
      ['5', '6'],
    ]);
    // The whole file in one buffer: csv-parse reads it all.
    expect((await subject(input, [1 << 20])).texts).toEqual([null, null, null, null]);
  });

  it("names the file's line in csv-parse's errors after plain lines", async () => {
    const input = Buffer.from(`a,b\n${'1,2\n'.repeat(5000)}"unclosed,3\n4,5\n`);
    const got = await subject(input, [4096]);
    expect(got.error).toEqual({ code: 'CSV_QUOTE_NOT_CLOSED', lines: 5003 });
    expect((await reference(input)).error).toEqual(got.error);
  });

  it('leaves a line longer than the limit to csv-parse, which refuses it', async () => {
    // (in pieces of 1 KB and more: a megabyte a byte at a time is a million stream writes)
    await expectSameAsCsvParse(Buffer.from(`a,b\n1,2\n${'x'.repeat((1 << 20) + 10)},3\n`), [[1024], [65536, 7]]);
  });

  it('reads random files of commas, quotes, CRs and LFs as csv-parse does', async () => {
    let s = 7;
    const rnd = () => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s / 4294967296;
    };
    const alphabet = ['a', '1', ',', ',', '\n', '\n', '\r\n', '\r', '"', ' ', 'é'];
    for (let f = 0; f < 300; f++) {
      // Mostly plain text, so the switch to csv-parse happens part way through.
      const plain = rnd() < 0.7;
      let text = rnd() < 0.1 ? '\ufeff' : '';
      const n = Math.floor(rnd() * 200);
      for (let i = 0; i < n; i++) {
        let c = alphabet[Math.floor(rnd() * alphabet.length)];
        if (plain && i < n * 0.8 && (c === '"' || c === '\r')) c = 'b';
        text += c;
      }
      await expectSameAsCsvParse(Buffer.from(text));
    }
  });
});
