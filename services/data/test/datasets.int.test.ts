import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { migrate, quoteIdent, type RowDataPacket } from '@enchilada/core';
import { MIGRATIONS_DIR, createTestDb, present, type TestDb } from '@enchilada/test-support';
import {
  Catalog,
  CsvError,
  Loads,
  ToyDatasets,
  computeStatistics,
  csvStream,
  loadDataset,
  openCsv,
  readPage,
  sweepOrphanTables,
  type ColumnSpec,
  type LoadSpec,
} from '../src/index.js';

const DATASETS_DIR = join(__dirname, '..', '..', '..', 'db', 'datasets');
const FIXTURE = join(__dirname, 'fixtures', 'describe.json');
let db: TestDb;
const toys = new ToyDatasets(DATASETS_DIR);

beforeAll(async () => {
  db = await createTestDb('data');
  await migrate(db.pool, MIGRATIONS_DIR);
});
afterAll(async () => {
  await db?.drop();
});

async function snapshot(): Promise<{ tables: string[]; catalog: unknown[] }> {
  const [t] = await db.pool.query<RowDataPacket[]>(
    'SELECT TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME',
  );
  const [c] = await db.pool.query<RowDataPacket[]>(
    'SELECT id, name, table_name, version, row_count FROM datasets ORDER BY id',
  );
  return { tables: t.map((r) => String(r.n)), catalog: c.map((r) => ({ ...r })) };
}

const csv = (text: string | Buffer) => openCsv(Readable.from([typeof text === 'string' ? Buffer.from(text) : text]));
const spec = (columns: ColumnSpec[], name = 'upload_test'): LoadSpec => ({
  name,
  title: 'Upload test',
  origin: 'upload',
  columns,
  task: 'classification',
  createdBy: null,
});
const cols3: ColumnSpec[] = [
  { name: 'a', type: 'integer', role: 'feature' },
  { name: 'b', type: 'decimal', role: 'feature' },
  { name: 'label', type: 'text', role: 'target' },
];

describe('toy datasets', () => {
  it.each([
    ['iris', 150],
    ['wine', 178],
    ['boston', 506],
    ['auto-mpg', 398],
    ['breast-cancer', 569],
    ['penguins', 344],
  ])('loads %s with %i rows', async (name, rows) => {
    const ds = await toys.load(db.pool, name, null);
    expect(ds.rowCount).toBe(rows);
    expect(ds.origin).toBe('toy');
    const [r] = await db.pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${quoteIdent(ds.tableName)}`);
    expect(Number(r[0].n)).toBe(rows);
  });

  it('keeps the six unknown Auto MPG horsepower values as NULL', async () => {
    const ds = await new Catalog(db.pool).byName('auto-mpg');
    const [r] = await db.pool.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM ${quoteIdent(present(ds).tableName)} WHERE horsepower IS NULL`,
    );
    expect(Number(r[0].n)).toBe(6);
  });

  it('lists the six toy datasets, each with a shipped file', async () => {
    const list = await toys.list();
    expect(list.map((t) => t.name)).toEqual(['iris', 'wine', 'boston', 'auto-mpg', 'breast-cancer', 'penguins']);
    for (const t of list) expect(existsSync(join(DATASETS_DIR, t.file))).toBe(true);
  });

  it("keeps the Palmer penguins' missing values as NULL and their text columns as text", async () => {
    const ds = present(await new Catalog(db.pool).byName('penguins'));
    const t = quoteIdent(ds.tableName);
    const [r] = await db.pool.query<RowDataPacket[]>(
      `SELECT SUM(bill_length_mm IS NULL) AS bill, SUM(body_mass_g IS NULL) AS mass, SUM(sex IS NULL) AS sex, COUNT(DISTINCT island) AS islands FROM ${t}`,
    );
    expect([r[0].bill, r[0].mass, r[0].sex, r[0].islands].map(Number)).toEqual([2, 2, 11, 3]);
    expect(ds.columns.filter((c) => c.type === 'text').map((c) => c.name)).toEqual(['species', 'island', 'sex']);
    expect(Object.fromEntries(present(present(ds.stats).classCounts).map((c) => [c.value, c.count]))).toEqual({
      Adelie: 152,
      Gentoo: 124,
      Chinstrap: 68,
    });
  });

  it("keeps Auto MPG's origin a text feature", async () => {
    const ds = present(await new Catalog(db.pool).byName('auto-mpg'));
    expect(ds.columns.find((c) => c.name === 'origin')).toEqual({ name: 'origin', type: 'text', role: 'feature' });
  });

  it('computes statistics in SQL equal to pandas describe() and the class counts', async () => {
    if (!existsSync(FIXTURE)) throw new Error(`missing ${FIXTURE}: run \`pnpm fixtures\``);
    const ref = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<
      string,
      { rows: number; numeric: Record<string, Record<string, number | null>>; classes: Record<string, number> | null }
    >;
    const close = (a: number | null, b: number | null | undefined) => {
      if (b === null || b === undefined) return a === null;
      return a !== null && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
    };
    for (const [name, want] of Object.entries(ref)) {
      const ds = await new Catalog(db.pool).byName(name);
      expect(ds?.stats?.rows).toBe(want.rows);
      const stats = present(ds?.stats);
      for (const s of stats.numeric) {
        const w = want.numeric[s.name];
        const got = {
          count: s.count,
          mean: s.mean,
          std: s.std,
          min: s.min,
          '25%': s.q25,
          '50%': s.q50,
          '75%': s.q75,
          max: s.max,
        };
        for (const [k, v] of Object.entries(got)) {
          if (!close(v, w[k])) throw new Error(`${name}.${s.name} ${k}: SQL ${v}, pandas ${w[k]}`);
        }
        expect(s.missing).toBe(w.missing);
      }
      expect(stats.numeric.map((s) => s.name).sort()).toEqual(Object.keys(want.numeric).sort());
      if (want.classes)
        expect(Object.fromEntries(present(stats.classCounts).map((c) => [c.value, c.count]))).toEqual(want.classes);
    }
  });

  it('reloads atomically: a new version, the same rows, the old table gone', async () => {
    const before = await new Catalog(db.pool).byName('iris');
    const after = await toys.load(db.pool, 'iris', null);
    expect(after.version).toBe(present(before).version + 1);
    expect(after.rowCount).toBe(150);
    expect(after.tableName).not.toBe(present(before).tableName);
    expect((await snapshot()).tables).not.toContain(present(before).tableName);
  });
});

describe.each(['load-data', 'insert'] as const)('CSV upload errors (rows sent by %s)', (method) => {
  it.each([
    ['a ragged row', 'a,b,label\n1,2.5,x\n3,4\n', /line 3: expected 3 fields but found 2/],
    [
      'an unclosed quote, at the line where it opens',
      'a,b,label\n1,2.5,x\n\n3,4,"y\n5,6,z\n7,8,w\n',
      /^line 4, column 3: a quoted value is not closed \(a " is missing\): it opens here/,
    ],
    [
      'a NUL byte in a value',
      'a,b,label\n1,2.5,x\n2,3.5,y\u0000z\n',
      /^line 3, column "label": the value contains a NUL character/,
    ],
    [
      'a NUL byte in the header',
      'a,b\u0000,label\n1,2.5,x\n',
      /^line 1, column 2: the header contains a NUL character/,
    ],
    [
      'an empty header name',
      'a,,label\n1,2.5,x\n',
      /^line 1, column 2: the header name is empty: every column needs a name$/,
    ],
    [
      'a field over the row size limit',
      `a,b,label\n1,2.5,x\n2,3.5,${'y'.repeat((1 << 20) + 10)}\n`,
      /^line 3, column 3: a row is longer than 1,048,576 characters, the most one row may hold/,
    ],
    [
      '5,000 columns',
      `${Array.from({ length: 5000 }, (_, i) => `c${i}`).join(',')}\n${Array.from({ length: 5000 }, () => '1').join(',')}\n`,
      /^line 1: the header has 5,000 columns; a dataset may have at most 500$/,
    ],
    ['a value not of its column type', 'a,b,label\n1,2.5,x\n2,abc,y\n', /line 3, column "b": "abc" is not a number/],
    ['an integer column holding a decimal', 'a,b,label\n1.5,2.5,x\n', /line 2, column "a": "1.5" is not an integer/],
    [
      'a date column holding a non-date',
      'a,b,label,when\n1,2.5,x,2024-03-01\n2,3.5,y,2024-02-30\n',
      /line 3, column "when": "2024-02-30" is not a date: day 30 of month 2/,
    ],
    [
      'a category longer than the text limit',
      `a,b,label\n1,2.5,x\n2,3.5,${'y'.repeat(256)}\n`,
      /line 3, column "label": text longer than 255 characters/,
    ],
    [
      'non-UTF-8 bytes',
      Buffer.concat([Buffer.from('a,b,label\n1,2,x\n1,2,caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
      /line 3: the file is not UTF-8/,
    ],
    ['a header and no rows', 'a,b,label\n', /no rows/],
  ])('reports %s with its line and column and changes nothing', async (_what, text, message) => {
    const before = await snapshot();
    const columns = String(text).startsWith('a,b,label,when')
      ? [...cols3, { name: 'when', type: 'date', role: 'feature' } as const]
      : cols3;
    await expect((async () => loadDataset(db.pool, spec(columns), await csv(text), { method }))()).rejects.toThrow(
      message,
    );
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    [
      'duplicate column names',
      [
        { name: 'a', type: 'integer', role: 'feature' },
        { name: 'A', type: 'decimal', role: 'feature' },
        { name: 'label', type: 'text', role: 'target' },
      ],
      /columns 1 and 2 have the same name/,
    ],
    [
      'an empty column name',
      [
        { name: '', type: 'integer', role: 'feature' },
        { name: 'b', type: 'decimal', role: 'feature' },
        { name: 'label', type: 'text', role: 'target' },
      ],
      /column 1 name "" is empty/,
    ],
  ] as const)('refuses %s and changes nothing', async (_what, columns, message) => {
    const before = await snapshot();
    await expect(
      (async () => loadDataset(db.pool, spec([...columns]), await csv('a,b,label\n1,2,x\n')))(),
    ).rejects.toThrow(message);
    expect(await snapshot()).toEqual(before);
  });

  it('names the column a refused value is in and the type that would hold it, and a load record keeps both for the preview', async () => {
    const err = await (async () =>
      loadDataset(db.pool, spec(cols3), await csv('a,b,label\n1.5,2.5,x\n'), { method }))().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CsvError);
    expect(err).toMatchObject({
      column: 'a',
      hint: 'choose the type "decimal" for this column, or correct the value in the file',
    });
    const loads = new Loads(db.pool);
    const id = await loads.start(`hint_${method.replace('-', '_')}`, 10, null);
    await loads.finish(id, { error: (err as CsvError).message, column: 'a', hint: (err as CsvError).hint });
    expect(await loads.get(id)).toMatchObject({
      status: 'failed',
      error: 'line 2, column "a": "1.5" is not an integer',
      errorColumn: 'a',
      errorHint: 'choose the type "decimal" for this column, or correct the value in the file',
    });
  });

  it('reads a quote inside a value that does not start with one as written, as pandas does', async () => {
    const name = `quotes_${method.replace('-', '_')}`;
    const ds = await loadDataset(
      db.pool,
      spec(cols3, name),
      await csv('a,b,label\n1,2.5,=cmd|"/c calc"!A1\n2,3.5,"5\'10"""\n'),
      { method },
    );
    const [rows] = await db.pool.query<RowDataPacket[]>(
      `SELECT ${quoteIdent('label')} AS v FROM ${quoteIdent(ds.tableName)} ORDER BY _row`,
    );
    expect(rows.map((r) => r.v)).toEqual(['=cmd|"/c calc"!A1', '5\'10"']);
  });

  it('leaves nothing behind when the upload stream dies midway', async () => {
    const before = await snapshot();
    async function* dying() {
      yield Buffer.from('a,b,label\n');
      for (let i = 0; i < 30000; i++) yield Buffer.from(`${i},${i / 2},c${i % 3}\n`);
      throw new Error('connection reset by peer');
    }
    await expect(
      (async () => loadDataset(db.pool, spec(cols3), await openCsv(Readable.from(dying())), { method }))(),
    ).rejects.toThrow(/connection reset/);
    expect(await snapshot()).toEqual(before);
  });

  it('sweeps a table left by a crash mid-load, and keeps catalogued ones', async () => {
    await db.pool.query('CREATE TABLE ds_00000000deadbeef (`_row` BIGINT PRIMARY KEY)');
    const dropped = await sweepOrphanTables(db.pool);
    expect(dropped).toEqual(['ds_00000000deadbeef']);
    expect(await new Catalog(db.pool).byName('iris')).not.toBeNull();
  });
});

describe('the two ways of sending rows', () => {
  const awkward: ColumnSpec[] = [
    { name: 'n', type: 'integer', role: 'feature' },
    { name: 'x', type: 'decimal', role: 'feature' },
    { name: 'flag', type: 'boolean', role: 'feature' },
    { name: 'note', type: 'text', role: 'target' },
  ];
  const text =
    [
      'n,x,flag,note',
      '1,1.5,true,plain',
      '-9007199254740991,1e-300,no,"tab\there"',
      '9007199254740991,-2.5E+20,1,"two\nlines"',
      ',,,',
      '4,0.1,false,"back\\slash \\N and ""quotes"""',
      '5,3,yes,größe ✓ 中文',
      '6,7,0,\\N',
    ].join('\n') + '\n';

  it('stores the same rows with LOAD DATA as with INSERT: NULLs, extremes, tabs, newlines, backslashes, Unicode', async () => {
    const read = async (method: 'load-data' | 'insert') => {
      const ds = await loadDataset(db.pool, spec(awkward, `same_rows_${method.replace('-', '_')}`), await csv(text), {
        method,
      });
      const [rows] = await db.pool.query<RowDataPacket[]>({
        sql: `SELECT * FROM ${quoteIdent(ds.tableName)} ORDER BY \`_row\``,
        rowsAsArray: true,
      });
      return { rows: rows as unknown as unknown[][], stats: ds.stats };
    };
    const a = await read('load-data');
    const b = await read('insert');
    expect(a.rows).toEqual(b.rows);
    expect(a.stats).toEqual(b.stats);
    expect(a.rows).toHaveLength(7);
    expect(a.rows[1]).toEqual([2, -9007199254740991, 1e-300, 0, 'tab\there']);
    expect(a.rows[2]).toEqual([3, 9007199254740991, -2.5e20, 1, 'two\nlines']);
    expect(a.rows[3]).toEqual([4, null, null, null, null]);
    expect(a.rows[4][4]).toBe('back\\slash \\N and "quotes"');
    expect(a.rows[5][4]).toBe('größe ✓ 中文');
    expect(a.rows[6][4]).toBe('\\N');
  });
});

describe('date columns', () => {
  const columns: ColumnSpec[] = [
    { name: 'when', type: 'date', role: 'feature' },
    { name: 'label', type: 'text', role: 'target' },
  ];
  const text =
    'when,label\n2024-03-01,a\n2024-03-01T12:30:00+02:00,b\n,a\n2024-03-01 23:59:59.250,b\n1999-12-31T23:00:00-02:00,a\n';

  it.each(['load-data', 'insert'] as const)(
    'stores dates in UTC (offsets honoured) and shows and exports them as ISO text (rows sent by %s)',
    async (method) => {
      const ds = await loadDataset(db.pool, spec(columns, `dates_${method.replace('-', '_')}`), await csv(text), {
        method,
      });
      // A different session time zone changes nothing: DATETIME is stored as written, and read out as text.
      const conn = await db.pool.getConnection();
      try {
        await conn.query("SET time_zone = '+05:00'");
        const [r] = await conn.query<RowDataPacket[]>({
          sql: `SELECT DATE_FORMAT(\`when\`, '%Y-%m-%d %H:%i:%s.%f') FROM ${quoteIdent(ds.tableName)} ORDER BY \`_row\``,
          rowsAsArray: true,
        });
        expect((r as unknown as unknown[][]).map((x) => x[0])).toEqual([
          '2024-03-01 00:00:00.000000',
          '2024-03-01 10:30:00.000000',
          null,
          '2024-03-01 23:59:59.250000',
          '2000-01-01 01:00:00.000000',
        ]);
      } finally {
        conn.release();
      }
      const page = await readPage(db.pool, ds, { offset: 0, limit: 10 });
      expect(page.rows.map((x) => x[0])).toEqual([
        '2024-03-01',
        '2024-03-01T10:30:00',
        null,
        '2024-03-01T23:59:59.250',
        '2000-01-01T01:00:00',
      ]);
      const sorted = await readPage(db.pool, ds, { offset: 0, limit: 10, sort: 'when', desc: true });
      expect(sorted.rows.map((x) => x[0])).toEqual([
        '2024-03-01T23:59:59.250',
        '2024-03-01T10:30:00',
        '2024-03-01',
        '2000-01-01T01:00:00',
        null,
      ]);
      const chunks: Buffer[] = [];
      for await (const c of csvStream(db.pool, ds)) chunks.push(Buffer.from(c));
      expect(Buffer.concat(chunks).toString('utf8')).toBe(
        'when,label\n2024-03-01,a\n2024-03-01T10:30:00,b\n,a\n2024-03-01T23:59:59.250,b\n2000-01-01T01:00:00,a\n',
      );
      expect(ds.stats?.numeric).toEqual([]);
      expect(ds.stats?.dates).toEqual([
        { name: 'when', count: 4, missing: 1, min: '2000-01-01T01:00:00', max: '2024-03-01T23:59:59.250' },
      ]);
    },
  );

  it('refuses a date column as the target and changes nothing', async () => {
    const before = await snapshot();
    const bad: ColumnSpec[] = [
      { name: 'x', type: 'integer', role: 'feature' },
      { name: 'when', type: 'date', role: 'target' },
    ];
    await expect(
      (async () =>
        loadDataset(
          db.pool,
          { ...spec(bad, 'date_target'), task: 'regression' },
          await csv('x,when\n1,2024-03-01\n'),
        ))(),
    ).rejects.toThrow(/"when" is a date column/);
    expect(await snapshot()).toEqual(before);
  });
});

describe('statistics of text columns', () => {
  // A table shaped like Titanic's text columns: Name all different, Ticket mostly, Cabin mostly
  // missing with 147 values, Embarked three ports and 2 missing.
  const N = 891;
  const rows = Array.from({ length: N }, (_, i) => ({
    name: `Passenger ${i}`,
    ticket: `T${i < 681 ? i : i % 100}`,
    cabin: i < 204 ? `C${i % 147}` : '',
    embarked: i < 2 ? '' : ['S', 'C', 'Q'][i % 7 === 0 ? 2 : i % 3 === 0 ? 1 : 0],
    survived: i % 2,
  }));
  const columns: ColumnSpec[] = [
    { name: 'name', type: 'text', role: 'identifier' },
    { name: 'ticket', type: 'text', role: 'feature' },
    { name: 'cabin', type: 'text', role: 'feature' },
    { name: 'embarked', type: 'text', role: 'feature' },
    { name: 'survived', type: 'integer', role: 'target' },
  ];

  it('counts values, missing and distinct values in SQL, with the 10 most frequent and which columns look like identifiers', async () => {
    const body = [
      'name,ticket,cabin,embarked,survived',
      ...rows.map((r) => [r.name, r.ticket, r.cabin, r.embarked, r.survived].join(',')),
    ].join('\n');
    const ds = await loadDataset(db.pool, spec(columns, 'titanic_like'), await csv(body));
    const byName = Object.fromEntries(present(ds.stats).categorical.map((c) => [c.name, c]));
    expect(Object.keys(byName)).toEqual(['name', 'ticket', 'cabin', 'embarked']);
    const summary = (n: string) => {
      const c = byName[n];
      return [c.count, c.missing, c.distinct, c.identifierLike];
    };
    expect(summary('name')).toEqual([891, 0, 891, true]);
    expect(summary('ticket')).toEqual([891, 0, 681, true]);
    expect(summary('cabin')).toEqual([204, 687, 147, false]);
    expect(summary('embarked')).toEqual([889, 2, 3, false]);
    const count = (pick: (r: (typeof rows)[number]) => string) => (v: string) =>
      rows.filter((r) => pick(r) === v).length;
    expect(byName.embarked.top).toEqual(
      ['S', 'C', 'Q'].map((v) => ({ value: v, count: count((r) => r.embarked)(v) })).sort((a, b) => b.count - a.count),
    );
    // Ties by value: the 57 cabins seen twice come first, in byte order (C0, C1, C10, …).
    expect(byName.cabin.top.map((t) => t.value)).toEqual([
      'C0',
      'C1',
      'C10',
      'C11',
      'C12',
      'C13',
      'C14',
      'C15',
      'C16',
      'C17',
    ]);
    expect(byName.cabin.top.every((t) => t.count === 2)).toBe(true);
    expect(byName.name.top).toHaveLength(10);
    expect(present(ds.stats).dates).toEqual([]);
  });

  it("gives the penguins' text columns their counts", async () => {
    const ds = present(await new Catalog(db.pool).byName('penguins'));
    const sex = present(present(ds.stats).categorical.find((c) => c.name === 'sex'));
    expect([sex.count, sex.missing, sex.distinct, sex.identifierLike]).toEqual([333, 11, 2, false]);
    expect(present(present(ds.stats).categorical.find((c) => c.name === 'island')).top).toEqual([
      { value: 'Biscoe', count: 168 },
      { value: 'Dream', count: 124 },
      { value: 'Torgersen', count: 52 },
    ]);
  });

  it('still reads statistics stored before text and date columns had any, as none', async () => {
    const ds = present(await new Catalog(db.pool).byName('iris'));
    const { categorical: _c, dates: _d, ...old } = present(ds.stats);
    await db.pool.query('UPDATE datasets SET stats_json = ? WHERE id = ?', [JSON.stringify(old), ds.id]);
    const again = present(await new Catalog(db.pool).get(ds.id));
    expect(present(again.stats).categorical).toEqual([]);
    expect(present(again.stats).dates).toEqual([]);
    expect(present(again.stats).numeric).toEqual(present(ds.stats).numeric);
  });
});

describe('statistics on a table larger than the sample', () => {
  // pandas' describe(), computed here in double precision from the values themselves.
  function expected(values: (number | null)[]) {
    const v = values.filter((x): x is number => x !== null).sort((a, b) => a - b);
    const n = v.length;
    const mean = v.reduce((s, x) => s + x, 0) / n;
    const std = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
    const q = (p: number) => {
      const at = (n - 1) * p;
      const lo = Math.floor(at);
      return v[lo] + (v[Math.ceil(at)] - v[lo]) * (at - lo);
    };
    return {
      count: n,
      missing: values.length - n,
      mean,
      std,
      min: v[0],
      q25: q(0.25),
      q50: q(0.5),
      q75: q(0.75),
      max: v[n - 1],
    };
  }
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const N = 6000;
  const data = Array.from({ length: N }, (_, i) => ({
    uniform: rnd() < 0.05 ? null : Math.round(rnd() * 1e6) / 1e3,
    ties: Math.floor(rnd() * 7),
    skewed: Math.round(-Math.log(1 - rnd()) * 1e4) / 1e4 + (i % 997 === 0 ? 1e6 : 0),
    constant: 42,
    sorted: i * 3 - 5000,
  }));
  type Row = (typeof data)[number];
  const columns: ColumnSpec[] = (Object.keys(data[0]) as (keyof Row)[]).map((name) => ({
    name,
    type: name === 'uniform' || name === 'skewed' ? 'decimal' : 'integer',
    role: 'feature',
  }));

  it.each([
    ['the defaults (the whole table is the sample)', {}],
    ['a sample of 40 rows, small buckets read back', { sampleRows: 40 }],
    ['a sample of 40 rows, large buckets read by ORDER BY … LIMIT', { sampleRows: 40, fetchLimit: 5 }],
  ])('are exact with %s', async (_what, opts) => {
    const name = 'stats_big';
    let ds = await new Catalog(db.pool).byName(name);
    if (!ds) {
      const body = [
        'uniform,ties,skewed,constant,sorted',
        ...data.map((r) => [r.uniform ?? '', r.ties, r.skewed, r.constant, r.sorted].join(',')),
      ].join('\n');
      ds = await loadDataset(db.pool, { ...spec(columns, name), task: null }, await csv(body));
    }
    const stats = await computeStatistics(db.pool, ds.tableName, columns, null, opts);
    expect(stats.rows).toBe(N);
    expect(stats.numeric).toHaveLength(5);
    for (const c of stats.numeric) {
      const want = expected(data.map((r) => r[c.name as keyof Row]));
      for (const [k, w] of Object.entries(want)) {
        const got = c[k as keyof typeof c] as number;
        if (!(Math.abs(got - w) <= 1e-9 * Math.max(1, Math.abs(w))))
          throw new Error(`${c.name} ${k}: SQL ${got}, expected ${w}`);
      }
    }
  });
});

describe('hostile names', () => {
  it.each([
    ['a quote', "it's"],
    ['a backtick', 'a`b'],
    ['SQL', 'x; DROP TABLE users'],
    ['a very long name', 'x'.repeat(65)],
    ['the row key', '_row'],
  ])('refuses a column name with %s', async (_what, name) => {
    const before = await snapshot();
    const columns: ColumnSpec[] = [
      { name, type: 'integer', role: 'feature' },
      { name: 'label', type: 'text', role: 'target' },
    ];
    await expect((async () => loadDataset(db.pool, spec(columns), await csv('x,label\n1,a\n')))()).rejects.toThrow(
      /column 1 name/,
    );
    expect(await snapshot()).toEqual(before);
  });

  it.each(['Robert"); DROP TABLE datasets;--', '../etc', 'UPPER', '', 'x'.repeat(65)])(
    'refuses the dataset name %j',
    async (name) => {
      await expect(
        (async () => loadDataset(db.pool, spec(cols3, name), await csv('a,b,label\n1,2,x\n')))(),
      ).rejects.toThrow(/dataset name must/);
    },
  );

  it('stores Unicode and spaced column names safely quoted', async () => {
    const columns: ColumnSpec[] = [
      { name: 'größe in m', type: 'decimal', role: 'feature' },
      { name: 'klasse-ü', type: 'text', role: 'target' },
    ];
    const ds = await loadDataset(db.pool, spec(columns, 'unicode_names'), await csv('g,k\n1.5,ä\n2.5,ö\n'));
    const page = await readPage(db.pool, ds, { offset: 0, limit: 10, sort: 'größe in m', desc: true });
    expect(page.rows).toEqual([
      [2.5, 'ö'],
      [1.5, 'ä'],
    ]);
    const [users] = await db.pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM users');
    expect(Number(users[0].n)).toBeGreaterThanOrEqual(0);
  });
});

describe('data viewer', () => {
  it('pages in file order and sorts by any column', async () => {
    const ds = present(await new Catalog(db.pool).byName('iris'));
    const p = await readPage(db.pool, ds, { offset: 148, limit: 10 });
    expect(p.rows).toHaveLength(2);
    expect(p.total).toBe(150);
    expect(p.rows[1]).toEqual([5.9, 3, 5.1, 1.8, 'virginica']);
    const sorted = await readPage(db.pool, ds, { offset: 0, limit: 3, sort: 'petal_length', desc: true });
    expect(sorted.rows.map((r) => r[2])).toEqual([6.9, 6.7, 6.7]);
    await expect(readPage(db.pool, ds, { offset: 0, limit: 3, sort: 'nope' })).rejects.toThrow(
      /no column named "nope"/,
    );
  });

  it('exports formula-like text defused, as the predictions export does, and negative numbers as numbers', async () => {
    const columns: ColumnSpec[] = [
      { name: 'n', type: 'decimal', role: 'feature' },
      { name: 'f', type: 'text', role: 'target' },
    ];
    const text = 'n,f\n-1.5,=1+2\n2,@SUM(A1:A2)\n-3,+cmd\n4,-2+3\n5,"\t=1"\n6,=cmd|"/c calc"!A1\n';
    const ds = await loadDataset(db.pool, spec(columns, 'formulas'), await csv(text));
    const chunks: Buffer[] = [];
    for await (const c of csvStream(db.pool, ds)) chunks.push(Buffer.from(c));
    expect(Buffer.concat(chunks).toString('utf8')).toBe(
      `n,f\n-1.5,'=1+2\n2,'@SUM(A1:A2)\n-3,'+cmd\n4,'-2+3\n5,'\t=1\n6,"'=cmd|""/c calc""!A1"\n`,
    );
  });

  it('exports the dataset as CSV equal to the shipped file', async () => {
    const ds = present(await new Catalog(db.pool).byName('iris'));
    const chunks: Buffer[] = [];
    for await (const c of csvStream(db.pool, ds)) chunks.push(Buffer.from(c));
    const lines = Buffer.concat(chunks).toString('utf8').trim().split('\n');
    const shipped = readFileSync(join(DATASETS_DIR, 'iris.csv'), 'utf8').trim().split('\n');
    expect(lines.length).toBe(151);
    expect(lines[0]).toBe(shipped[0]);
    expect(lines.slice(1).map((l) => l.split(',').map((v, i) => (i < 4 ? Number(v) : v)))).toEqual(
      shipped.slice(1).map((l) => l.split(',').map((v, i) => (i < 4 ? Number(v) : v))),
    );
  });
});
