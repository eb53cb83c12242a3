import { dateParts, formatDate, inferType, parseDate, readValue, selectValue, sqlType } from '../src/index.js';

const ms = (v: string): number => {
  const r = parseDate(v);
  if (r instanceof Error) throw r;
  return r;
};

describe('parseDate', () => {
  it.each([
    ['2024-03-01', Date.UTC(2024, 2, 1)],
    ['2024-03-01T12:30:00', Date.UTC(2024, 2, 1, 12, 30)],
    ['2024-03-01T12:30', Date.UTC(2024, 2, 1, 12, 30)],
    ['2024-03-01 12:30:05', Date.UTC(2024, 2, 1, 12, 30, 5)],
    ['2024-03-01T12:30:05.25', Date.UTC(2024, 2, 1, 12, 30, 5, 250)],
    ['2024-03-01T12:30:05.123456789Z', Date.UTC(2024, 2, 1, 12, 30, 5, 123)],
    ['2024-03-01T12:30:00Z', Date.UTC(2024, 2, 1, 12, 30)],
    ['2024-03-01t12:30:00z', Date.UTC(2024, 2, 1, 12, 30)],
    [' 2024-02-29 ', Date.UTC(2024, 1, 29)],
    ['1969-12-31T23:59:59.5', -500],
    ['0050-06-15', new Date('0050-06-15T00:00:00Z').getTime()],
  ])('reads %j as UTC epoch milliseconds', (raw, want) => {
    expect(ms(raw)).toBe(want);
  });

  it.each([
    ['2024-03-01T12:30:00+02:00', Date.UTC(2024, 2, 1, 10, 30)],
    ['2024-03-01T12:30:00+0200', Date.UTC(2024, 2, 1, 10, 30)],
    ['2024-03-01T12:30:00-05', Date.UTC(2024, 2, 1, 17, 30)],
    ['2024-03-01 00:15:00+05:30', Date.UTC(2024, 1, 29, 18, 45)],
  ])('honours the offset of %j', (raw, want) => {
    expect(ms(raw)).toBe(want);
  });

  it.each([
    'abc',
    '2024',
    '2024-3-1',
    '01/03/2024',
    '2024-13-01',
    '2024-00-10',
    '2023-02-29',
    '2024-04-31',
    '2024-03-01T24:00:00',
    '2024-03-01T12:60',
    '2024-03-01T12:30:61',
    '2024-03-01T12',
    '2024-03-01T12:30:00+25:00',
    '2024-03-01T12:30:00 UTC',
    '',
  ])('refuses %j with an Error naming the value', (raw) => {
    const r = parseDate(raw);
    expect(r).toBeInstanceOf(Error);
    expect((r as Error).message).toContain(JSON.stringify(raw.trim()).slice(0, 5));
  });
});

describe('dateParts', () => {
  it('gives year, month 1–12, day, weekday 0 = Monday and hour, in UTC', () => {
    expect(dateParts(ms('2024-03-01T12:30:00'))).toEqual({ year: 2024, month: 3, day: 1, weekday: 4, hour: 12 });
    expect(dateParts(ms('2024-03-04'))).toEqual({ year: 2024, month: 3, day: 4, weekday: 0, hour: 0 });
    expect(dateParts(ms('2023-12-31T23:59:59.999'))).toEqual({ year: 2023, month: 12, day: 31, weekday: 6, hour: 23 });
    expect(dateParts(ms('2024-03-01T01:00:00+02:00'))).toEqual({ year: 2024, month: 2, day: 29, weekday: 3, hour: 23 });
  });

  it('matches pandas dayofweek over a whole week', () => {
    // 2024-01-01 was a Monday.
    expect([1, 2, 3, 4, 5, 6, 7].map((d) => dateParts(Date.UTC(2024, 0, d)).weekday)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});

describe('formatDate', () => {
  it.each([
    ['2024-03-01', '2024-03-01'],
    ['2024-03-01 12:30:00', '2024-03-01T12:30:00'],
    ['2024-03-01T12:30:00.250+01:00', '2024-03-01T11:30:00.250'],
  ])('writes %j as %j, which reads back to the same instant', (raw, text) => {
    expect(formatDate(ms(raw))).toBe(text);
    expect(ms(formatDate(ms(raw)))).toBe(ms(raw));
  });
});

describe('the date column type', () => {
  it('is inferred when every present sample value is a date or date-time', () => {
    expect(inferType(['2024-03-01', '', '2024-03-02T10:00:00Z', 'NA', '2024-03-03 08:00:00'])).toBe('date');
    expect(inferType(['2024-03-01', 'tomorrow'])).toBe('text');
    expect(inferType(['2024', '2025'])).toBe('integer');
  });

  it('is stored as UTC DATETIME text with milliseconds, missing as NULL', () => {
    expect(readValue('2024-03-01T12:30:00+02:00', 'date')).toBe('2024-03-01 10:30:00.000');
    expect(readValue('2024-03-01', 'date')).toBe('2024-03-01 00:00:00.000');
    expect(readValue('', 'date')).toBeNull();
    expect(sqlType('date')).toBe('DATETIME(3) NULL');
  });

  it('refuses a non-date and a year DATETIME cannot hold', () => {
    expect(readValue('yesterday', 'date')).toEqual(
      new Error('"yesterday" is not a date (YYYY-MM-DD, optionally with a time HH:MM:SS)'),
    );
    expect((readValue('0999-12-31', 'date') as Error).message).toMatch(/outside the years 1000–9999/);
    expect((readValue('1000-01-01T00:30:00+01:00', 'date') as Error).message).toMatch(/outside the years/);
    expect(readValue('9999-12-31T23:59:59.999', 'date')).toBe('9999-12-31 23:59:59.999');
  });

  it('is read back out as ISO text by the database, other types as they are', () => {
    expect(selectValue('integer', '`n`')).toBe('`n`');
    expect(selectValue('date', '`d`')).toContain("DATE_FORMAT(`d`, '%Y-%m-%d')");
  });
});
