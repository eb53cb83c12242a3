// A web process killed mid-load (kill -9) leaves a "running" load row, a half-filled ds_* table and
// its upload file; another replica, or the same one restarted seconds later, must remove all three
// as soon as the load's heartbeat is stale — continuously, not only at start.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { migrate, quoteIdent, type RowDataPacket } from '@enchilada/core';
import { MIGRATIONS_DIR, createTestDb, type TestDb } from '@enchilada/test-support';
import { LoadSweeper, Loads, UploadStore, newDataTableName } from '../src/index.js';

let db: TestDb;
let dir: string;
let uploads: UploadStore;
let loads: Loads;
const quiet = { info: () => undefined, error: () => undefined };

beforeAll(async () => {
  db = await createTestDb('load_sweeper');
  await migrate(db.pool, MIGRATIONS_DIR);
  dir = await mkdtemp(join(tmpdir(), 'enchilada-uploads-'));
  uploads = new UploadStore(dir, 1e6);
  loads = new Loads(db.pool);
});
afterAll(async () => {
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

const tables = async () => {
  const [r] = await db.pool.query<RowDataPacket[]>(
    "SELECT TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'ds\\_%'",
  );
  return new Set(r.map((x) => String(x.n)));
};
const createTable = (name: string) =>
  db.pool.query(`CREATE TABLE ${quoteIdent(name)} (\`_row\` BIGINT UNSIGNED NOT NULL PRIMARY KEY)`);
const upload = () => uploads.save(Readable.from([Buffer.from('a,b\n1,2\n')]), 'x.csv', 1, () => false);
/** A load as the commit route starts it: its row, its table, its upload file. */
async function startLoad(name: string): Promise<{ id: string; tableName: string; uploadId: string }> {
  const uploadId = await upload();
  const tableName = newDataTableName();
  const id = await loads.start(name, 10, 1, { uploadId, tableName });
  await createTable(tableName);
  return { id, tableName, uploadId };
}
async function until(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('fails a load whose process died, with its table and upload file, while the sweeper runs (not only at its start)', async () => {
  const sweeper = new LoadSweeper(db.pool, uploads, quiet, { everyMs: 100 });
  await sweeper.start();
  try {
    const dead = await startLoad('dead');
    const alive = await startLoad('alive');
    // A toy load in progress has no load row: its young table is left alone.
    const toy = newDataTableName();
    await createTable(toy);
    // The dead load's process stopped beating a minute ago (web was killed and came back).
    await db.pool.query('UPDATE dataset_loads SET heartbeat_at = NOW() - INTERVAL 60 SECOND WHERE id = ?', [dead.id]);
    await until(async () => (await loads.get(dead.id))?.status === 'failed');
    expect((await loads.get(dead.id))?.error).toMatch(/interrupted .* upload the file again/);
    await until(async () => !(await tables()).has(dead.tableName));
    const files = await readdir(dir);
    expect(files.filter((f) => f.startsWith(dead.uploadId))).toEqual([]);
    expect(files.filter((f) => f.startsWith(alive.uploadId))).toHaveLength(2);
    expect((await loads.get(alive.id))?.status).toBe('running');
    const left = await tables();
    expect(left.has(alive.tableName)).toBe(true);
    expect(left.has(toy)).toBe(true);
  } finally {
    await sweeper.stop();
  }
});

it('keeps the table of a load that finished into the catalog before its process died', async () => {
  const done = await startLoad('catalogued');
  await db.pool.query(
    "INSERT INTO datasets (name, title, origin, table_name, columns_json, row_count, version) VALUES ('catalogued', 'C', 'upload', ?, '[]', 0, 1)",
    [done.tableName],
  );
  await db.pool.query('UPDATE dataset_loads SET heartbeat_at = NOW() - INTERVAL 60 SECOND WHERE id = ?', [done.id]);
  const r = await new LoadSweeper(db.pool, uploads, quiet).sweepLoads();
  expect(r.loads).toBe(1);
  expect((await tables()).has(done.tableName)).toBe(true);
});

it('does not fail a load that beats', async () => {
  const { id } = await startLoad('beating');
  await db.pool.query('UPDATE dataset_loads SET heartbeat_at = NOW() - INTERVAL 60 SECOND WHERE id = ?', [id]);
  await loads.beat(id);
  expect(await loads.failStale()).toEqual([]);
  expect((await loads.get(id))?.status).toBe('running');
});

it('removes abandoned upload files on its timer, not only at start', async () => {
  const sweeper = new LoadSweeper(db.pool, uploads, quiet, { everyMs: 60_000, filesEveryMs: 100, fileHours: 0 });
  await sweeper.start();
  try {
    const id = await upload();
    await until(async () => !(await readdir(dir)).some((f) => f.startsWith(id)));
  } finally {
    await sweeper.stop();
  }
});
