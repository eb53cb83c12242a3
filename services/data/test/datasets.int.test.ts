import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { migrate, quoteIdent, type RowDataPacket } from '@enchilada/core';
import { MIGRATIONS_DIR, createTestDb, type TestDb } from '@enchilada/test-support';
import {
  Catalog, ToyDatasets, csvStream, loadDataset, openCsv, readPage, sweepOrphanTables, type ColumnSpec, type LoadSpec,
} from '../src/index.js';

const DATASETS_DIR = join(__dirname, '..', '..', '..', 'db', 'datasets');
const FIXTURE = join(__dirname, 'fixtures', 'describe.json');
let db: TestDb;
const toys = new ToyDatasets(DATASETS_DIR);

beforeAll(async () => {
  db = await createTestDb('data');
  await migrate(db.pool, MIGRATIONS_DIR);
});
afterAll(async () => { await db?.drop(); });

async function snapshot(): Promise<{ tables: string[]; catalog: unknown[] }> {
  const [t] = await db.pool.query<RowDataPacket[]>("SELECT TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME");
  const [c] = await db.pool.query<RowDataPacket[]>('SELECT id, name, table_name, version, row_count FROM datasets ORDER BY id');
  return { tables: t.map((r) => String(r.n)), catalog: c.map((r) => ({ ...r })) };
}

const csv = (text: string | Buffer) => openCsv(Readable.from([typeof text === 'string' ? Buffer.from(text) : text]));
const spec = (columns: ColumnSpec[], name = 'upload_test'): LoadSpec => ({ name, title: 'Upload test', origin: 'upload', columns, task: 'classification', createdBy: null });
const cols3: ColumnSpec[] = [
  { name: 'a', type: 'integer', role: 'feature' }, { name: 'b', type: 'decimal', role: 'feature' }, { name: 'label', type: 'text', role: 'target' },
];

describe('toy datasets', () => {
  it.each([['iris', 150], ['wine', 178], ['boston', 506], ['auto-mpg', 398], ['breast-cancer', 569]])('loads %s with %i rows', async (name, rows) => {
    const ds = await toys.load(db.pool, name, null);
    expect(ds.rowCount).toBe(rows);
    expect(ds.origin).toBe('toy');
    const [r] = await db.pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${quoteIdent(ds.tableName)}`);
    expect(Number(r[0].n)).toBe(rows);
  });

  it('keeps the six unknown Auto MPG horsepower values as NULL', async () => {
    const ds = await new Catalog(db.pool).byName('auto-mpg');
    const [r] = await db.pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${quoteIdent(ds!.tableName)} WHERE horsepower IS NULL`);
    expect(Number(r[0].n)).toBe(6);
  });

  it('computes statistics in SQL equal to pandas describe() and the class counts', async () => {
    if (!existsSync(FIXTURE)) throw new Error(`missing ${FIXTURE}: run \`pnpm fixtures\``);
    const ref = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, { rows: number; numeric: Record<string, Record<string, number | null>>; classes: Record<string, number> | null }>;
    const close = (a: number | null, b: number | null | undefined) => {
      if (b === null || b === undefined) return a === null;
      return a !== null && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
    };
    for (const [name, want] of Object.entries(ref)) {
      const ds = await new Catalog(db.pool).byName(name);
      expect(ds?.stats?.rows).toBe(want.rows);
      for (const s of ds!.stats!.numeric) {
        const w = want.numeric[s.name];
        const got = { count: s.count, mean: s.mean, std: s.std, min: s.min, '25%': s.q25, '50%': s.q50, '75%': s.q75, max: s.max };
        for (const [k, v] of Object.entries(got)) {
          if (!close(v, w[k])) throw new Error(`${name}.${s.name} ${k}: SQL ${v}, pandas ${w[k]}`);
        }
        expect(s.missing).toBe(w.missing);
      }
      expect(ds!.stats!.numeric.map((s) => s.name).sort()).toEqual(Object.keys(want.numeric).sort());
      if (want.classes) expect(Object.fromEntries(ds!.stats!.classCounts!.map((c) => [c.value, c.count]))).toEqual(want.classes);
    }
  });

  it('reloads atomically: a new version, the same rows, the old table gone', async () => {
    const before = await new Catalog(db.pool).byName('iris');
    const after = await toys.load(db.pool, 'iris', null);
    expect(after.version).toBe(before!.version + 1);
    expect(after.rowCount).toBe(150);
    expect(after.tableName).not.toBe(before!.tableName);
    expect((await snapshot()).tables).not.toContain(before!.tableName);
  });
});

describe('CSV upload errors', () => {
  it.each([
    ['a ragged row', 'a,b,label\n1,2.5,x\n3,4\n', /line 3: expected 3 fields but found 2/],
    ['an unclosed quote', 'a,b,label\n1,2.5,"x\n3,4,y\n', /line \d+: a quoted value is not closed/],
    ['a value not of its column type', 'a,b,label\n1,2.5,x\n2,abc,y\n', /line 3, column "b": "abc" is not a number/],
    ['an integer column holding a decimal', 'a,b,label\n1.5,2.5,x\n', /line 2, column "a": "1.5" is not an integer/],
    ['non-UTF-8 bytes', Buffer.concat([Buffer.from('a,b,label\n1,2,x\n1,2,caf'), Buffer.from([0xe9]), Buffer.from('\n')]), /line 3: the file is not UTF-8/],
    ['a header and no rows', 'a,b,label\n', /no rows/],
  ])('reports %s with its line and column and changes nothing', async (_what, text, message) => {
    const before = await snapshot();
    await expect((async () => loadDataset(db.pool, spec(cols3), await csv(text)))()).rejects.toThrow(message);
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ['duplicate column names', [{ name: 'a', type: 'integer', role: 'feature' }, { name: 'A', type: 'decimal', role: 'feature' }, { name: 'label', type: 'text', role: 'target' }], /columns 1 and 2 have the same name/],
    ['an empty column name', [{ name: '', type: 'integer', role: 'feature' }, { name: 'b', type: 'decimal', role: 'feature' }, { name: 'label', type: 'text', role: 'target' }], /column 1 name "" is empty/],
  ] as const)('refuses %s and changes nothing', async (_what, columns, message) => {
    const before = await snapshot();
    await expect((async () => loadDataset(db.pool, spec([...columns]), await csv('a,b,label\n1,2,x\n')))()).rejects.toThrow(message);
    expect(await snapshot()).toEqual(before);
  });

  it('leaves nothing behind when the upload stream dies midway', async () => {
    const before = await snapshot();
    async function* dying() {
      yield Buffer.from('a,b,label\n');
      for (let i = 0; i < 30000; i++) yield Buffer.from(`${i},${i / 2},c${i % 3}\n`);
      throw new Error('connection reset by peer');
    }
    await expect((async () => loadDataset(db.pool, spec(cols3), await openCsv(Readable.from(dying()))))()).rejects.toThrow(/connection reset/);
    expect(await snapshot()).toEqual(before);
  });

  it('sweeps a table left by a crash mid-load, and keeps catalogued ones', async () => {
    await db.pool.query('CREATE TABLE ds_00000000deadbeef (`_row` BIGINT PRIMARY KEY)');
    const dropped = await sweepOrphanTables(db.pool);
    expect(dropped).toEqual(['ds_00000000deadbeef']);
    expect(await new Catalog(db.pool).byName('iris')).not.toBeNull();
  });
});

describe('hostile names', () => {
  it.each([
    ['a quote', "it's"], ['a backtick', 'a`b'], ['SQL', 'x; DROP TABLE users'], ['a very long name', 'x'.repeat(65)], ['the row key', '_row'],
  ])('refuses a column name with %s', async (_what, name) => {
    const before = await snapshot();
    const columns: ColumnSpec[] = [{ name, type: 'integer', role: 'feature' }, { name: 'label', type: 'text', role: 'target' }];
    await expect((async () => loadDataset(db.pool, spec(columns), await csv('x,label\n1,a\n')))()).rejects.toThrow(/column 1 name/);
    expect(await snapshot()).toEqual(before);
  });

  it.each(['Robert"); DROP TABLE datasets;--', '../etc', 'UPPER', '', 'x'.repeat(65)])('refuses the dataset name %j', async (name) => {
    await expect((async () => loadDataset(db.pool, spec(cols3, name), await csv('a,b,label\n1,2,x\n')))()).rejects.toThrow(/dataset name must/);
  });

  it('stores Unicode and spaced column names safely quoted', async () => {
    const columns: ColumnSpec[] = [{ name: 'größe in m', type: 'decimal', role: 'feature' }, { name: 'klasse-ü', type: 'text', role: 'target' }];
    const ds = await loadDataset(db.pool, spec(columns, 'unicode_names'), await csv('g,k\n1.5,ä\n2.5,ö\n'));
    const page = await readPage(db.pool, ds, { offset: 0, limit: 10, sort: 'größe in m', desc: true });
    expect(page.rows).toEqual([[2.5, 'ö'], [1.5, 'ä']]);
    const [users] = await db.pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM users');
    expect(Number(users[0].n)).toBeGreaterThanOrEqual(0);
  });
});

describe('data viewer', () => {
  it('pages in file order and sorts by any column', async () => {
    const ds = (await new Catalog(db.pool).byName('iris'))!;
    const p = await readPage(db.pool, ds, { offset: 148, limit: 10 });
    expect(p.rows).toHaveLength(2);
    expect(p.total).toBe(150);
    expect(p.rows[1]).toEqual([5.9, 3, 5.1, 1.8, 'virginica']);
    const sorted = await readPage(db.pool, ds, { offset: 0, limit: 3, sort: 'petal_length', desc: true });
    expect(sorted.rows.map((r) => r[2])).toEqual([6.9, 6.7, 6.7]);
    await expect(readPage(db.pool, ds, { offset: 0, limit: 3, sort: 'nope' })).rejects.toThrow(/no column named "nope"/);
  });

  it('exports the dataset as CSV equal to the shipped file', async () => {
    const ds = (await new Catalog(db.pool).byName('iris'))!;
    const chunks: Buffer[] = [];
    for await (const c of csvStream(db.pool, ds)) chunks.push(Buffer.from(c));
    const lines = Buffer.concat(chunks).toString('utf8').trim().split('\n');
    const shipped = readFileSync(join(DATASETS_DIR, 'iris.csv'), 'utf8').trim().split('\n');
    expect(lines.length).toBe(151);
    expect(lines[0]).toBe(shipped[0]);
    expect(lines.slice(1).map((l) => l.split(',').map((v, i) => (i < 4 ? Number(v) : v)))).toEqual(shipped.slice(1).map((l) => l.split(',').map((v, i) => (i < 4 ? Number(v) : v))));
  });
});
