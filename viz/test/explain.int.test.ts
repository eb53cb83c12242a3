// The Explain document and the explain-row route (issue 18) on models trained by the job loop, so
// their explainer artefacts are the stored ones: a random forest on penguins (text columns, blanks;
// TreeSHAP interactions colour the dependence plots) and a logistic regression (linear SHAP,
// coloured by correlation of contributions), a soft-voting ensemble of the two as Compare-all stores
// one (the mean of its members' contributions in probability space); a model without an artefact
// says NO_EXPLAINER.
import type { FastifyInstance } from 'fastify';
import { migrate, secret, signVizToken } from '@enchilada/core';
import { ToyDatasets, type Dataset } from '@enchilada/data';
import { JobQueue } from '@enchilada/jobs';
import { ModelRegistry, NO_EXPLAINER, type TrainResult, type TrainSpec } from '@enchilada/models';
import { DATASETS_DIR, MIGRATIONS_DIR, createTestDb, present, type TestDb } from '@enchilada/test-support';
import { buildApp } from '../src/app.js';
import { startJobLoop, type JobLoop } from '../src/training/job-loop.js';
import { DocModels } from './support/doc-models.js';
import { registerEnsemble } from './support/ensemble.js';
import { quiet } from './support/jobs.js';

let db: TestDb;
let app: FastifyInstance;
let key: ReturnType<typeof secret>;
let loop: JobLoop | undefined;
let penguins: Dataset;
const models: Record<string, number> = {};
const FEATURES = ['island', 'bill_length_mm', 'bill_depth_mm', 'flipper_length_mm', 'body_mass_g', 'sex'];

async function train(spec: Partial<TrainSpec>): Promise<number> {
  const q = new JobQueue(db.pool);
  const full: TrainSpec = {
    datasetId: penguins.id,
    datasetVersion: penguins.version,
    model: 'logistic_regression',
    features: FEATURES,
    trainFraction: 0.7,
    grid: {},
    folds: 3,
    seed: 3,
    ...spec,
  };
  const id = await q.enqueue({ kind: 'train', spec: full, datasetId: penguins.id, createdBy: null, total: 3 });
  const end = Date.now() + 90_000;
  for (;;) {
    const j = await q.get(id);
    if (j?.status === 'done') return (j.result as TrainResult).modelId;
    if (j && ['failed', 'cancelled'].includes(j.status)) throw new Error(`training failed: ${j.error}`);
    if (Date.now() > end) throw new Error('training took too long');
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  db = await createTestDb('viz_explain');
  await migrate(db.pool, MIGRATIONS_DIR);
  const config = db.config('viz');
  key = secret(config, 'viz_secret_key');
  penguins = await new ToyDatasets(DATASETS_DIR).load(db.pool, 'penguins', null);
  loop = startJobLoop(db.pool, quiet, { pollMs: 100 });
  models.forest = await train({ model: 'random_forest_classifier', grid: { n_estimators: [20], max_depth: [4] } });
  models.linear = await train({ model: 'logistic_regression', grid: { C: [1] } });
  models.voting = await registerEnsemble(
    db.pool,
    penguins,
    FEATURES,
    [
      { model: 'random_forest_classifier', params: { n_estimators: 20, max_depth: 4 } },
      { model: 'logistic_regression', params: { C: 1 } },
    ],
    0.7,
  );
  app = await buildApp({ config, pool: db.pool, logger: false });
}, 180_000);
afterAll(async () => {
  await loop?.stop();
  await app?.close();
  await db?.drop();
});

const get = (doc: string, url: string) =>
  app.inject({ url, headers: { authorization: `Bearer ${signVizToken({ sub: 'a', doc }, key)}` } });
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

interface Answer {
  prediction: string | number;
  value: number;
  base_value: number;
  output: string | null;
  ms: number;
  testRows: number;
  probabilities: Record<string, number>;
  values: Record<string, unknown>;
  contributions: { name: string; value: unknown; contribution: number }[];
  columns: { name: string; kind: string; levels?: string[] }[];
}

describe.each(['forest', 'linear', 'voting'])('Explain document of the %s', (which) => {
  it('draws importance, summary, dependence and partial dependence with consistent figures', async () => {
    const id = models[which];
    const res = await get(`explain:model:${id}`, `/documents/explain?model=${id}`);
    expect(res.statusCode).toBe(200);
    const doc = new DocModels(res.json());
    const titles = doc.named('Title').map((t) => String(t.attributes.text));
    const test = (await new ModelRegistry(db.pool).get(id))?.split.test.length ?? 0;
    expect(test).toBeGreaterThan(90);
    // importance: one bar per original column (island's one-hot group is one column)
    const imp = doc.glyphs(doc.plot(present(titles.find((t) => t.startsWith('Global importance')))))[0].data;
    expect([...imp.f].sort()).toEqual([...FEATURES].sort());
    expect((imp.v as number[]).every((v) => v >= 0)).toBe(true);
    expect(Math.max(...(imp.v as number[]))).toBeGreaterThan(0);
    // the summary plot has one point per sample row and column, the sample stated on the page
    const sw = doc
      .glyphs(doc.plot(present(titles.find((t) => t.startsWith('Summary')))))
      .find((g) => g.glyph.name === 'Scatter');
    expect(sw?.data.x).toHaveLength(test * FEATURES.length);
    // importance is the mean |x| of the summary's points, per column
    for (const [k, f] of (imp.f as string[]).entries()) {
      const xs = (sw?.data.x as number[]).filter((_, i) => sw?.data.f[i] === f);
      expect(sum(xs.map(Math.abs)) / xs.length).toBeCloseTo(imp.v[k] as number, 9);
    }
    expect(JSON.stringify(res.json())).toContain(`of the ${test} test rows`);
    if (which === 'voting') expect(JSON.stringify(res.json())).toContain('the mean of its members');
    // dependence plot: coloured by the strongest interaction, says how it was found
    const note =
      doc
        .named('Div')
        .map((d) => String(d.attributes.text))
        .find((t) => t.includes('dependence-note')) ?? '';
    expect(note).toContain(which === 'forest' ? 'TreeSHAP interaction' : 'most correlated');
    // PDP: a grid of values, one mean and one ICE curve per ICE row over the same grid
    const pdp = doc.plot(present(titles.find((t) => t.startsWith('Partial dependence of the probability of class'))));
    const [ice, line] = doc.glyphs(pdp);
    const grid = line.data.x as number[];
    expect(grid.length).toBeGreaterThan(1);
    expect(line.data.y).toHaveLength(grid.length);
    expect(ice.data.ys.length).toBeGreaterThan(10);
    for (const ys of ice.data.ys as number[][]) expect(ys).toHaveLength(grid.length);
    for (const y of line.data.y as number[]) {
      expect(y).toBeGreaterThanOrEqual(0);
      expect(y).toBeLessThanOrEqual(1);
    }
    // the mean of the ICE curves (40 of the 300 PDP rows) is not the PDP, but both are probabilities of one class
  }, 60_000);

  it('explains a test row: base + Σ contributions = the explained output, and the what-if changes it', async () => {
    const id = models[which];
    const res = await get(`explain-row:model:${id}`, `/documents/explain-row?model=${id}&row=3`);
    expect(res.statusCode).toBe(200);
    const a = res.json<Answer>();
    expect(a.contributions.map((c) => c.name).sort()).toEqual([...FEATURES].sort());
    expect(Math.abs(a.base_value + sum(a.contributions.map((c) => c.contribution)) - a.value)).toBeLessThan(1e-9);
    // an ensemble explains the probability of the predicted class: its own, the mean of its members'
    if (which === 'voting') expect(Math.abs(a.value - a.probabilities[String(a.prediction)])).toBeLessThan(1e-12);
    expect(a.columns.find((c) => c.name === 'island')?.levels).toEqual(
      expect.arrayContaining(['Biscoe', 'Dream', 'Torgersen']),
    );
    // a Gentoo-like row then an Adelie-like one: the prediction and its contributions change
    const gentoo = {
      island: 'Biscoe',
      bill_length_mm: 47,
      bill_depth_mm: 14.5,
      flipper_length_mm: 217,
      body_mass_g: 5000,
      sex: 'female',
    };
    const w1 = (
      await get(
        `explain-row:model:${id}`,
        `/documents/explain-row?model=${id}&values=${encodeURIComponent(JSON.stringify(gentoo))}`,
      )
    ).json<Answer>();
    expect(w1.prediction).toBe('Gentoo');
    const adelie = {
      ...gentoo,
      island: 'Torgersen',
      bill_length_mm: 38,
      bill_depth_mm: 19,
      flipper_length_mm: 185,
      body_mass_g: 3600,
      sex: null,
    };
    const w2 = (
      await get(
        `explain-row:model:${id}`,
        `/documents/explain-row?model=${id}&values=${encodeURIComponent(JSON.stringify(adelie))}`,
      )
    ).json<Answer>();
    expect(w2.prediction).toBe('Adelie');
    expect(w2.values.sex).toBeNull();
    expect(Math.abs(w2.base_value + sum(w2.contributions.map((c) => c.contribution)) - w2.value)).toBeLessThan(1e-9);
    // one feature changed: the probability of the first row's class moves
    const w3 = (
      await get(
        `explain-row:model:${id}`,
        `/documents/explain-row?model=${id}&values=${encodeURIComponent(JSON.stringify({ ...gentoo, flipper_length_mm: 180 }))}`,
      )
    ).json<Answer>();
    expect(w3.probabilities.Gentoo).not.toBeCloseTo(w1.probabilities.Gentoo, 6);
    expect(w3.contributions.find((c) => c.name === 'flipper_length_mm')?.contribution).not.toBeCloseTo(
      w1.contributions.find((c) => c.name === 'flipper_length_mm')?.contribution ?? 0,
      6,
    );
  }, 30_000);
});

describe('explain-row inputs', () => {
  it('finds test rows by a value and rejects bad what-if values naming the field', async () => {
    const id = models.linear;
    const found = (await get(`explain-row:model:${id}`, `/documents/explain-row?model=${id}&find=torgersen`)).json<{
      rows: { row: number; preview: string }[];
    }>();
    expect(found.rows.length).toBeGreaterThan(0);
    for (const r of found.rows) expect(r.preview).toContain('island=Torgersen');
    const bad = await get(
      `explain-row:model:${id}`,
      `/documents/explain-row?model=${id}&values=${encodeURIComponent(JSON.stringify({ island: 'Biscoe', bill_length_mm: 'long', bill_depth_mm: 1, flipper_length_mm: 1, body_mass_g: 1, sex: null }))}`,
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('values.bill_length_mm must be a number');
    const missing = await get(
      `explain-row:model:${id}`,
      `/documents/explain-row?model=${id}&values=${encodeURIComponent('{"island":"Biscoe"}')}`,
    );
    expect(missing.statusCode).toBe(400);
    const far = await get(`explain-row:model:${id}`, `/documents/explain-row?model=${id}&row=100000`);
    expect(far.statusCode).toBe(404);
    // a token for another model's document is refused
    expect(
      (await get(`explain-row:model:${models.forest}`, `/documents/explain-row?model=${id}&row=1`)).statusCode,
    ).toBe(401);
  });

  it('says NO_EXPLAINER for a model trained before explainers existed', async () => {
    const other = await train({ model: 'logistic_regression', grid: { C: [2] } });
    await db.pool.query('UPDATE models SET explainer = NULL WHERE id = ?', [other]);
    const res = await get(`explain:model:${other}`, `/documents/explain?model=${other}`);
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toBe(NO_EXPLAINER);
  }, 60_000);
});
