// The EDA document of a real table (Palmer penguins: text features, missing values), read back
// from the JSON the route serves.
import type { FastifyInstance } from 'fastify';
import { migrate, secret, signVizToken } from '@enchilada/core';
import { ToyDatasets, type Dataset } from '@enchilada/data';
import { DATASETS_DIR, MIGRATIONS_DIR, createTestDb, type TestDb } from '@enchilada/test-support';
import { buildApp } from '../src/app.js';
import { DocModels, totals } from './support/doc-models.js';

let db: TestDb;
let app: FastifyInstance;
let doc: DocModels;
let ds: Dataset;

beforeAll(async () => {
  db = await createTestDb('viz_eda');
  await migrate(db.pool, MIGRATIONS_DIR);
  const config = db.config('viz');
  app = await buildApp({ config, pool: db.pool, logger: false });
  ds = await new ToyDatasets(DATASETS_DIR).load(db.pool, 'penguins', null);
  const res = await app.inject({
    url: `/documents/eda?dataset=${ds.id}`,
    headers: {
      authorization: `Bearer ${signVizToken({ sub: 'a', doc: `eda:${ds.id}` }, secret(config, 'viz_secret_key'))}`,
    },
  });
  expect(res.statusCode).toBe(200);
  doc = new DocModels(res.json());
}, 60000);
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

describe('EDA document of penguins', () => {
  it("has count bars of island stacked by species, with the whole table's counts", () => {
    const [{ data }] = doc.glyphs(doc.plot('island: rows per value and class'));
    expect(totals(data, 'value')).toEqual({ Biscoe: 168, Dream: 124, Torgersen: 52 });
    const pairs = data.value.map((v, i) => `${String(v)}/${String(data.cls[i])}=${String(data.count[i])}`);
    expect(pairs.sort()).toEqual([
      'Biscoe/Adelie=44',
      'Biscoe/Gentoo=124',
      'Dream/Adelie=56',
      'Dream/Chinstrap=68',
      'Torgersen/Adelie=52',
    ]);
  });

  it('has count bars of sex with the 11 missing values as their own bar', () => {
    const plot = doc.plot('sex: rows per value and class');
    const [{ data }] = doc.glyphs(plot);
    expect(totals(data, 'value')).toEqual({ male: 168, female: 165, '(missing)': 11 });
    expect(doc.ref(plot.attributes.y_range).attributes.factors).toEqual(['(missing)', 'female', 'male']);
  });

  it("has a missing-values chart with one bar per column, from the database's statistics", () => {
    const [{ data }] = doc.glyphs(doc.plot('Missing values per column (all 344 rows, counted by the database)'));
    expect(data.column).toEqual(ds.columns.map((c) => c.name));
    const missing = Object.fromEntries(data.column.map((c, i) => [String(c), data.missing[i]]));
    expect(missing).toEqual({
      species: 0,
      island: 0,
      bill_length_mm: 2,
      bill_depth_mm: 2,
      flipper_length_mm: 2,
      body_mass_g: 2,
      sex: 11,
      year: 0,
    });
  });

  it('gives island and sex a mutual information, sex on the rows where it is present', () => {
    const [{ data }] = doc.glyphs(doc.plot('Mutual information with species'));
    const at = (f: string) => data.f.indexOf(f);
    expect(data.f).toEqual(expect.arrayContaining(['island', 'sex', 'bill_length_mm']));
    expect(data.rows[at('island')]).toBe(342);
    expect(data.rows[at('sex')]).toBe(333);
    expect(Number(data.mi[at('island')])).toBeGreaterThan(0.4);
    expect(Number(data.mi[at('sex')])).toBeLessThan(0.05);
  });

  it('offers island and sex on the crossfilter axes, drawn on a jittered categorical axis', () => {
    const [x] = doc.named('Select').filter((s) => s.attributes.title === 'x');
    expect(x.attributes.options).toEqual([
      'bill_length_mm',
      'bill_depth_mm',
      'flipper_length_mm',
      'body_mass_g',
      'year',
      'island',
      'sex',
    ]);
    const crossPlots = doc
      .named('Plot')
      .filter((p) => / against /.test(String(doc.ref(p.attributes.title).attributes.text)));
    expect(crossPlots.map((p) => p.attributes.visible)).toEqual([true, false, false, false]);
    const catX = crossPlots.find(
      (p) =>
        doc.ref(p.attributes.x_range).name === 'FactorRange' && doc.ref(p.attributes.y_range).name === 'DataRange1d',
    );
    expect(catX).toBeDefined();
    const [{ glyph }] = doc.glyphs(catX as NonNullable<typeof catX>);
    const x0 = glyph.attributes.x as { field: string; transform: unknown };
    expect(x0.field).toBe('island');
    expect(doc.ref(x0.transform).name).toBe('Jitter');
    expect(doc.ref(doc.ref(x0.transform).attributes.range).id).toBe(doc.ref(catX?.attributes.x_range).id);
  });
});
