import { csvCell } from '@enchilada/data';
import { passedThrough, unchangedLine } from '../src/csv-cells.js';

describe("the input's cells written back", () => {
  it('writes a cell as csvCell does', () => {
    for (const v of ['', '0.5', '-0.5', '1e-7', '=1+1', '-x', '+3', '@a', '\tx', 'a,b', '5"', '12,3', 'text'])
      expect(passedThrough(v)).toBe(csvCell(v));
  });

  it('tells a plain line that comes back unchanged from one with a cell csvCell changes', () => {
    expect(unchangedLine('1,-0.5,+3,abc,,1e-7,-.5,')).toBe(true);
    expect(unchangedLine('1,=1+1,2')).toBe(false);
    expect(unchangedLine('-1x,2')).toBe(false);
    expect(unchangedLine('1,2,@a')).toBe(false);
    expect(unchangedLine('1,\t2')).toBe(false);
    expect(unchangedLine('-')).toBe(false);
    expect(unchangedLine('1,-1.5e')).toBe(false);
    expect(unchangedLine('1,-1.5 ')).toBe(false);
  });

  it('agrees with csvCell on random plain lines', () => {
    let s = 3;
    const rnd = () => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s / 4294967296;
    };
    const alphabet = ['1', '0', '.', 'e', 'E', '-', '+', '=', '@', '\t', ' ', 'a', ',', ','];
    const wrong: string[] = [];
    for (let n = 0; n < 50000; n++) {
      let line = '';
      const len = Math.floor(rnd() * 12);
      for (let i = 0; i < len; i++) line += alphabet[Math.floor(rnd() * alphabet.length)];
      const same = line.split(',').every((c) => passedThrough(c) === c);
      if (unchangedLine(line) !== same) wrong.push(line);
    }
    expect(wrong).toEqual([]);
  });
});
