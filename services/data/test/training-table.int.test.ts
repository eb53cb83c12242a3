import { join } from 'node:path';
import { Readable } from 'node:stream';
import { migrate, type Pool } from '@enchilada/core';
import { MIGRATIONS_DIR, createTestDb, type TestDb } from '@enchilada/test-support';
import {
  ToyDatasets,
  loadDataset,
  openCsv,
  readTrainingTable,
  type ColumnSpec,
  type Dataset,
  type TrainingColumn,
} from '../src/index.js';

let db: TestDb;
let mixed: Dataset;
let penguins: Dataset;

const columns: ColumnSpec[] = [
  { name: 'id', type: 'integer', role: 'identifier' },
  { name: 'size', type: 'decimal', role: 'feature' },
  { name: 'colour', type: 'text', role: 'feature' },
  { name: 'seen', type: 'date', role: 'feature' },
  { name: 'flag', type: 'boolean', role: 'feature' },
  { name: 'label', type: 'text', role: 'target' },
];
const text =
  [
    'id,size,colour,seen,flag,label',
    '1,1.5,red,2024-03-01,yes,a',
    '2,,blue,2024-03-01T12:30:00+02:00,no,b',
    '3,2.5,,,,a',
    '4,3.5,red,2024-03-02 08:00:00,yes,',
    '5,4.5,green,1999-12-31T23:59:59.250Z,no,b',
  ].join('\n') + '\n';

beforeAll(async () => {
  db = await createTestDb('training_table');
  await migrate(db.pool, MIGRATIONS_DIR);
  mixed = await loadDataset(
    db.pool,
    { name: 'mixed', title: 'Mixed', origin: 'upload', columns, task: 'classification', createdBy: null },
    await openCsv(Readable.from([Buffer.from(text)])),
  );
  penguins = await new ToyDatasets(join(__dirname, '..', '..', '..', 'db', 'datasets')).load(db.pool, 'penguins', null);
});
afterAll(async () => {
  await db?.drop();
});

const values = (c: TrainingColumn): unknown[] => (c.kind === 'categorical' ? [...c.values] : Array.from(c.values));

describe('readTrainingTable', () => {
  it('reads every kind of feature in the order asked, keeps rows with missing features and drops those without a target', async () => {
    const t = await readTrainingTable(db.pool, mixed, ['seen', 'colour', 'size', 'flag', 'id']);
    expect(Array.from(t.rowIds)).toEqual([1, 2, 3, 5]);
    expect(t.droppedMissingTarget).toBe(1);
    expect(t.columns.map((c) => [c.name, c.kind])).toEqual([
      ['seen', 'date'],
      ['colour', 'categorical'],
      ['size', 'numeric'],
      ['flag', 'numeric'],
      ['id', 'numeric'],
    ]);
    expect(values(t.columns[0])).toEqual([
      Date.UTC(2024, 2, 1),
      Date.UTC(2024, 2, 1, 10, 30),
      NaN,
      Date.UTC(1999, 11, 31, 23, 59, 59, 250),
    ]);
    expect(values(t.columns[1])).toEqual(['red', 'blue', null, 'green']);
    expect(values(t.columns[2])).toEqual([1.5, NaN, 2.5, 4.5]);
    expect(values(t.columns[3])).toEqual([1, 0, NaN, 0]);
    expect(values(t.columns[4])).toEqual([1, 2, 3, 5]);
    expect(t.target).toEqual({ labels: ['a', 'b', 'a', 'b'] });
  });

  it('reads only the rows asked for, in ascending order, counting those of them without a target', async () => {
    const t = await readTrainingTable(db.pool, mixed, ['size'], [5, 4, 1]);
    expect(Array.from(t.rowIds)).toEqual([1, 5]);
    expect(t.droppedMissingTarget).toBe(1);
    expect(values(t.columns[0])).toEqual([1.5, 4.5]);
  });

  it('reads dates the same whatever the session time zone', async () => {
    const conn = await db.pool.getConnection();
    try {
      await conn.query("SET time_zone = '-07:00'");
      const onConn = { query: conn.query.bind(conn) } as unknown as Pool;
      const t = await readTrainingTable(onConn, mixed, ['seen']);
      expect(values(t.columns[0])).toEqual([
        Date.UTC(2024, 2, 1),
        Date.UTC(2024, 2, 1, 10, 30),
        NaN,
        Date.UTC(1999, 11, 31, 23, 59, 59, 250),
      ]);
    } finally {
      await conn.query("SET time_zone = '+00:00'");
      conn.release();
    }
  });

  it('reads the penguins with their text features and missing measurements', async () => {
    const t = await readTrainingTable(db.pool, penguins, ['island', 'bill_length_mm', 'sex', 'year']);
    expect(t.rowIds.length).toBe(344);
    expect(t.droppedMissingTarget).toBe(0);
    expect(values(t.columns[1]).filter((v) => Number.isNaN(v))).toHaveLength(2);
    expect(values(t.columns[2]).filter((v) => v === null)).toHaveLength(11);
    expect(new Set(values(t.columns[0]))).toEqual(new Set(['Torgersen', 'Biscoe', 'Dream']));
    expect('labels' in t.target && t.target.labels.slice(0, 1)).toEqual(['Adelie']);
  });

  it.each([
    ['an unknown column', ['size', 'nope'], /"nope" is not a column of mixed/],
    ['the target', ['size', 'label'], /"label" is the target of mixed/],
    ['a column twice', ['size', 'size'], /"size" is asked for twice/],
    ['no column', [], /at least one feature/],
  ])('refuses %s with a bad-request error naming it', async (_what, features, message) => {
    await expect(readTrainingTable(db.pool, mixed, features)).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(message),
    });
  });
});
