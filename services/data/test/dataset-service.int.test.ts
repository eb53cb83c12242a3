// The dataset operations web's routes hand to services/data: loading a committed upload in the
// background (with its load row followed to the end), and deleting a dataset with its table.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { migrate, type ResultSetHeader, type RowDataPacket } from '@enchilada/core';
import { MIGRATIONS_DIR, createTestDb, type TestDb } from '@enchilada/test-support';
import { Catalog, DatasetService, Loads, UploadStore, type LoadState } from '../src/index.js';

let db: TestDb;
let dir: string;
let uploads: UploadStore;
let loads: Loads;
let catalog: Catalog;
let service: DatasetService;
let owner: number;
const lines: string[] = [];
const log = {
  info: (_o: object, m: string) => {
    lines.push(m);
  },
  warn: (_o: object, m: string) => {
    lines.push(m);
  },
  error: (_o: object, m: string) => {
    lines.push(m);
  },
};

beforeAll(async () => {
  db = await createTestDb('dataset_service');
  await migrate(db.pool, MIGRATIONS_DIR);
  dir = await mkdtemp(join(tmpdir(), 'enchilada-uploads-'));
  uploads = new UploadStore(dir, 1e6);
  loads = new Loads(db.pool);
  catalog = new Catalog(db.pool);
  service = new DatasetService(db.pool, catalog, uploads, loads);
  const [r] = await db.pool.query<ResultSetHeader>("INSERT INTO users (username, password_hash) VALUES ('owner', 'x')");
  owner = r.insertId;
});
afterAll(async () => {
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

const spec = (name: string) => ({
  name,
  title: 'Small',
  origin: 'upload' as const,
  task: 'classification' as const,
  createdBy: owner,
  columns: [
    { name: 'x', type: 'decimal' as const, role: 'feature' as const },
    { name: 'label', type: 'text' as const, role: 'target' as const },
  ],
});

async function settled(id: string): Promise<LoadState> {
  for (;;) {
    const s = await loads.get(id);
    if (s && s.status !== 'running') return s;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const tableExists = async (name: string) => {
  const [r] = await db.pool.query<RowDataPacket[]>(
    'SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
    [name],
  );
  return r.length === 1;
};

describe('DatasetService', () => {
  it('loads a committed upload after answering with the load id, then removes the file', async () => {
    const uploadId = await uploads.save(
      Readable.from([Buffer.from('x,label\n1.5,a\n2.5,b\n3.5,a\n')]),
      's.csv',
      owner,
      () => false,
    );
    const id = await service.startUploadLoad(uploadId, 27, spec('small'), log);
    const done = await settled(id);
    expect(done).toMatchObject({ status: 'done', datasetName: 'small', rowsDone: 3, createdBy: owner });
    const ds = await catalog.byName('small');
    expect(ds?.rowCount).toBe(3);
    expect(done.datasetId).toBe(ds?.id);
    expect(await readdir(dir)).not.toContain(uploadId);
    expect(lines).toContain('upload loaded');
  });

  it('refuses a name in use before it records a load', async () => {
    const uploadId = await uploads.save(Readable.from([Buffer.from('x,label\n1,a\n')]), 't.csv', owner, () => false);
    await expect(service.startUploadLoad(uploadId, 12, spec('small'), log)).rejects.toMatchObject({
      statusCode: 400,
      field: 'name',
    });
    const [rows] = await db.pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM dataset_loads');
    expect(Number(rows[0].n)).toBe(1);
  });

  it('records a refused file as a failed load naming the column, and keeps the file to try again', async () => {
    const uploadId = await uploads.save(
      Readable.from([Buffer.from('x,label\nnot a number,a\n')]),
      'u.csv',
      owner,
      () => false,
    );
    const failed = await settled(await service.startUploadLoad(uploadId, 22, spec('broken'), log));
    expect(failed.status).toBe('failed');
    expect(failed.errorColumn).toBe('x');
    expect(await catalog.byName('broken')).toBeNull();
    expect((await readdir(dir)).some((f) => f.startsWith(uploadId))).toBe(true);
  });

  it('deletes a dataset: its catalog row and its table', async () => {
    const ds = await catalog.byName('small');
    if (!ds) throw new Error('the first test loads "small"');
    expect(await tableExists(ds.tableName)).toBe(true);
    await service.delete(ds.id);
    expect(await catalog.get(ds.id)).toBeNull();
    expect(await tableExists(ds.tableName)).toBe(false);
  });
});
