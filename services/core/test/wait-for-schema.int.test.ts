// viz starts before web has migrated (compose starts them together): it must wait for the schema,
// saying so once, instead of failing on "Table … jobs doesn't exist".
import { MIGRATIONS_DIR, createTestDb, type TestDb } from '@enchilada/test-support';
import { SCHEMA_VERSION, migrate, waitForSchema } from '../src/index.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb('wait_schema');
});
afterAll(async () => {
  await db?.drop();
});

it('waits for the migrations on an empty database, logging once, and resolves when they are applied', async () => {
  const said: string[] = [];
  let done = false;
  const waiting = waitForSchema(db.pool, SCHEMA_VERSION, { pollMs: 50, log: (m) => said.push(m) }).then(() => {
    done = true;
  });
  await new Promise((r) => setTimeout(r, 400));
  expect(done).toBe(false);
  await migrate(db.pool, MIGRATIONS_DIR);
  await waiting;
  expect(said).toEqual([
    `waiting for the database schema version ${SCHEMA_VERSION} (web applies the migrations): the database has no schema yet`,
  ]);
});

it('resolves at once when the schema is there, saying nothing', async () => {
  const said: string[] = [];
  await waitForSchema(db.pool, SCHEMA_VERSION, { pollMs: 50, log: (m) => said.push(m) });
  expect(said).toEqual([]);
});
