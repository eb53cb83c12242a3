import { Readable } from 'node:stream';
import { csvCell, csvFromRows, csvLine } from '../src/csv-writer.js';

describe('the CSV writer every export shares', () => {
  it.each([
    ['=1+2', "'=1+2"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['+cmd', "'+cmd"],
    ['-2+3', "'-2+3"],
    ['\t=1', "'\t=1"],
    ['\r=1', `"'\r=1"`],
    ['=cmd|"/c calc"!A1', `"'=cmd|""/c calc""!A1"`],
  ])('prefixes formula-like text %j with a single quote (OWASP)', (text, cell) => {
    expect(csvCell(text)).toBe(cell);
  });

  it.each([
    [-1.5, '-1.5'],
    ['-1.5', '-1.5'],
    ['+3', '+3'],
    ['-2e-7', '-2e-7'],
    [0, '0'],
    ['plain', 'plain'],
  ])('keeps the number or plain text %j as it is', (v, cell) => {
    expect(csvCell(v)).toBe(cell);
  });

  it('quotes commas, quotes and line breaks, writes null as empty and objects as JSON', () => {
    expect(csvLine(['a,b', 'say "hi"', 'two\nlines', null, { x: 1 }])).toBe(
      '"a,b","say ""hi""","two\nlines",,"{""x"":1}"\n',
    );
  });

  it('streams rows as a header and lines, and an empty table as its header alone', async () => {
    const read = async (rows: Record<string, unknown>[]) => {
      const chunks: string[] = [];
      for await (const c of csvFromRows(['n', 'f'], Readable.from(rows))) chunks.push(String(c));
      return chunks.join('');
    };
    expect(
      await read([
        { n: -1, f: '=1+2' },
        { n: 2, f: null },
      ]),
    ).toBe("n,f\n-1,'=1+2\n2,\n");
    expect(await read([])).toBe('n,f\n');
  });
});
