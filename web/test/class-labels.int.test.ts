// Naming a dataset's classes from its page: stored, validated class by class, only by the dataset's
// owner or an administrator; a toy dataset brings its own names (Breast Cancer: 0 malignant, 1 benign).
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { migrate, type RowDataPacket } from '@enchilada/core';
import { Catalog, ToyDatasets, loadDataset, openCsv } from '@enchilada/data';
import {
  DATASETS_DIR,
  MIGRATIONS_DIR,
  TEST_PASSWORD,
  TEST_USER,
  WEB_DIR,
  createTestDb,
  type TestDb,
} from '@enchilada/test-support';
import { buildApp } from '../src/app.js';
import { UserRepository } from '@enchilada/users';
import { Browser } from './helpers.js';

jest.setTimeout(120_000);

let db: TestDb;
let app: FastifyInstance;
let catalog: Catalog;
let dsId: number;
let regressionId: number;
const as: Record<'owner' | 'other' | 'viewer' | 'admin', Browser> = {} as never;

beforeAll(async () => {
  db = await createTestDb('web_labels');
  await migrate(db.pool, MIGRATIONS_DIR);
  const config = db.config('web', { LOGIN_RATE_LIMIT: '1000', VIZ_URL: 'http://127.0.0.1:9' });
  const users = new UserRepository(db.pool);
  await users.createIfMissing(config.adminUser, TEST_PASSWORD, 'admin');
  for (const [name, role] of [
    ['lab_owner', 'editor'],
    ['lab_other', 'editor'],
    ['lab_viewer', 'viewer'],
  ] as const)
    await users.createIfMissing(name, `${name}-password`, role);
  const [rows] = await db.pool.query<RowDataPacket[]>("SELECT id FROM users WHERE username = 'lab_owner'");
  const owner = Number(rows[0].id);
  catalog = new Catalog(db.pool);
  const csv = 'a,y,v\n1,0,1.5\n2,1,2.5\n3,0,3.5\n4,2,4.5\n';
  dsId = (
    await loadDataset(
      db.pool,
      {
        name: 'codes',
        title: 'Codes',
        origin: 'upload',
        task: 'classification',
        createdBy: owner,
        columns: [
          { name: 'a', type: 'integer', role: 'feature' },
          { name: 'y', type: 'integer', role: 'target' },
          { name: 'v', type: 'decimal', role: 'feature' },
        ],
      },
      await openCsv(Readable.from([csv])),
    )
  ).id;
  regressionId = (
    await loadDataset(
      db.pool,
      {
        name: 'amounts',
        title: 'Amounts',
        origin: 'upload',
        task: 'regression',
        createdBy: owner,
        columns: [
          { name: 'a', type: 'integer', role: 'feature' },
          { name: 'y', type: 'integer', role: 'feature' },
          { name: 'v', type: 'decimal', role: 'target' },
        ],
      },
      await openCsv(Readable.from([csv])),
    )
  ).id;
  app = await buildApp({ config, pool: db.pool, webDir: WEB_DIR, datasetsDir: DATASETS_DIR, logger: false });
  await app.ready();
  for (const [who, name, password] of [
    ['owner', 'lab_owner', 'lab_owner-password'],
    ['other', 'lab_other', 'lab_other-password'],
    ['viewer', 'lab_viewer', 'lab_viewer-password'],
    ['admin', TEST_USER, TEST_PASSWORD],
  ] as const) {
    const b = new Browser(app);
    if ((await b.signIn(name, password)).statusCode !== 303) throw new Error(`${name} cannot sign in`);
    as[who] = b;
  }
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

async function save(who: keyof typeof as, fields: Record<string, string>, id = dsId) {
  const b = as[who];
  const token = await b.csrf('/account');
  return b.post(`/datasets/${id}/labels`, { _csrf: token, ...fields }, { accept: 'application/json' });
}

describe('class label names', () => {
  it('lets the owner name the classes from the form, stores them and shows them on the page', async () => {
    const res = await save('owner', { 'label:0': ' negative ', 'label:1': 'positive', 'label:2': '' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ labels: { 0: 'negative', 1: 'positive' } });
    expect((await catalog.get(dsId))?.classLabels).toEqual({ 0: 'negative', 1: 'positive' });
    const page = await as.viewer.get(`/datasets/${dsId}`);
    expect(page.body).toMatch(/data-class="1"[\s\S]*?positive/);
    // The viewer sees the names, not the form.
    expect(page.body).not.toContain('data-testid="labels-form"');
    expect((await as.owner.get(`/datasets/${dsId}`)).body).toContain('value="positive"');
  });

  it('lets an administrator change them and an all-blank form remove them', async () => {
    expect((await save('admin', { 'label:2': 'unsure' })).json()).toEqual({ labels: { 2: 'unsure' } });
    expect((await save('admin', { 'label:2': '  ' })).json()).toEqual({ labels: null });
    expect((await catalog.get(dsId))?.classLabels).toBeNull();
  });

  it.each([
    [
      'a value that is not a class',
      { 'label:7': 'seven' },
      /"7" is not a class of the target \(its classes: "0", "1", "2"\)/,
      'labels.7',
    ],
    [
      'two classes with one name',
      { 'label:0': 'same', 'label:1': 'Same' },
      /classes "0" and "1" would have the same name "Same"/,
      'labels.1',
    ],
    ['a name too long', { 'label:0': 'x'.repeat(65) }, /longer than 64 characters/, 'labels.0'],
    ['a line break', { 'label:0': 'a\nb' }, /control character or line break/, 'labels.0'],
  ])('refuses %s, naming the class, and stores nothing', async (_what, fields, message, field) => {
    await save('owner', { 'label:0': 'kept' });
    const res = await save('owner', fields);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(message);
    expect(res.json().field).toBe(field);
    expect((await catalog.get(dsId))?.classLabels).toEqual({ 0: 'kept' });
  });

  it('refuses names for a regression dataset', async () => {
    const res = await save('owner', { 'label:1': 'one' }, regressionId);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toBe('only a classification dataset with a target has classes to name');
  });

  it('refuses another editor and a viewer, changing nothing', async () => {
    await save('owner', { 'label:0': 'mine' });
    const other = await save('other', { 'label:0': 'theirs' });
    expect(other.statusCode).toBe(403);
    expect(other.json().message).toBe('only the owner of this dataset or an administrator can name its classes');
    expect((await save('viewer', { 'label:0': 'theirs' })).statusCode).toBe(403);
    expect((await catalog.get(dsId))?.classLabels).toEqual({ 0: 'mine' });
  });

  it('loads Breast Cancer with its names, and a reload keeps names someone changed', async () => {
    const toys = new ToyDatasets(DATASETS_DIR);
    const ds = await toys.load(db.pool, 'breast-cancer', null);
    expect(ds.classLabels).toEqual({ 0: 'malignant', 1: 'benign' });
    await catalog.setClassLabels(ds.id, { 0: 'cancerous', 1: 'benign' });
    expect((await toys.load(db.pool, 'breast-cancer', null)).classLabels).toEqual({ 0: 'cancerous', 1: 'benign' });
  });
});
