// The results document of a stored model, built as viz serves it (ResultsDocuments: the stored ONNX
// model scored by onnxruntime on the stored split): what each task's sections show, and that the
// figures in it are the model's own.
import { migrate } from '@enchilada/core';
import { Catalog, ToyDatasets, type Dataset } from '@enchilada/data';
import { JobQueue } from '@enchilada/jobs';
import { ModelRegistry, type ModelDetail, type TrainResult, type TrainSpec } from '@enchilada/models';
import { DATASETS_DIR, MIGRATIONS_DIR, createTestDb, present, type TestDb } from '@enchilada/test-support';
import type { ClassificationMetrics, RegressionMetrics } from '../src/training/metrics.js';
import { ResultsDocuments } from '../src/services/documents.js';
import { startJobLoop, type JobLoop } from '../src/training/job-loop.js';
import { DocModels } from './support/doc-models.js';
import { quiet, waitFinal } from './support/jobs.js';

let db: TestDb;
let iris: Dataset;
let boston: Dataset;
let loop: JobLoop;
let registry: ModelRegistry;
let docs: ResultsDocuments;

const features = (d: Dataset) => d.columns.filter((c) => c.role === 'feature').map((c) => c.name);
const r4 = (v: number) => Math.round(v * 10000) / 10000;

async function train(d: Dataset, model: string, grid: TrainSpec['grid']): Promise<ModelDetail> {
  const spec: TrainSpec = {
    datasetId: d.id,
    datasetVersion: d.version,
    model,
    features: features(d),
    trainFraction: 0.8,
    grid,
    folds: 5,
    seed: 7,
  };
  const q = new JobQueue(db.pool);
  const total = 5 * Object.values(grid).reduce((n, v) => n * v.length, 1);
  const job = await waitFinal(q, await q.enqueue({ kind: 'train', spec, datasetId: d.id, createdBy: null, total }));
  expect(job.error).toBeNull();
  return present(await registry.get((job.result as TrainResult).modelId));
}

const doc = async (id: number) => new DocModels(JSON.parse(await docs.json(id)) as { doc: { roots: unknown[] } });
const titles = (d: DocModels) => d.named('Title').map((t) => t.attributes.text);
const divText = (d: DocModels) => d.named('Div').map((m) => String(m.attributes.text));

beforeAll(async () => {
  db = await createTestDb('viz_results_doc');
  await migrate(db.pool, MIGRATIONS_DIR);
  const toys = new ToyDatasets(DATASETS_DIR);
  iris = await toys.load(db.pool, 'iris', null);
  boston = await toys.load(db.pool, 'boston', null);
  registry = new ModelRegistry(db.pool);
  docs = new ResultsDocuments(db.pool, new Catalog(db.pool), registry);
  loop = startJobLoop(db.pool, quiet, { pollMs: 100 });
}, 60_000);
afterAll(async () => {
  await loop?.stop();
  await db?.drop();
});

describe('the results document', () => {
  it('of a classifier: reports, confusion matrices, ROC and PR curves, importance and a bar per CV candidate', async () => {
    const m = await train(iris, 'logistic_regression', { C: [0.1, 10.1] });
    const d = await doc(m.id);
    const metrics = m.metrics as { train: ClassificationMetrics; test: ClassificationMetrics };
    expect(divText(d).some((t) => t.includes(`Test: accuracy ${r4(metrics.test.accuracy)}`))).toBe(true);
    expect(titles(d)).toEqual(
      expect.arrayContaining([
        'Confusion matrix, test',
        'Confusion matrix, train',
        'ROC curves (test rows, one class against the rest)',
        'Precision–recall curves (test rows)',
        'Cross-validation score per candidate (mean ± std of 5 folds)',
      ]),
    );
    // The confusion matrix holds every test row once, and the diagonal the test accuracy.
    const [cells] = d.glyphs(d.plot('Confusion matrix, test'));
    const v = present(cells).data.v as number[];
    const t = present(cells).data.t as string[];
    const p = present(cells).data.p as string[];
    expect(v.reduce((s, x) => s + x, 0)).toBe(m.split.test.length);
    const right = v.reduce((s, x, i) => s + (t[i] === p[i] ? x : 0), 0);
    expect(right / m.split.test.length).toBeCloseTo(metrics.test.accuracy, 12);
    // One ROC curve per class (three classes), each from (0, 0) to (1, 1), beside the chance line.
    const roc = d.glyphs(d.plot('ROC curves (test rows, one class against the rest)'));
    expect(roc).toHaveLength(4);
    for (const { data } of roc.slice(1)) {
      expect([data.x?.[0], data.y?.[0]]).toEqual([0, 0]);
      expect([data.x?.at(-1), data.y?.at(-1)]).toEqual([1, 1]);
    }
    // Permutation importance: one bar per feature; the CV bars: one per candidate, in the model's order.
    const title = 'Permutation importance: drop in test accuracy when a feature is shuffled';
    expect([...(present(d.glyphs(d.plot(title))[0]).data.f as string[])].sort()).toEqual([...features(iris)].sort());
    const cv = present(d.glyphs(d.plot('Cross-validation score per candidate (mean ± std of 5 folds)'))[0]).data;
    expect(cv.c).toEqual(['C=0.1', 'C=10.1']);
    expect(cv.m).toEqual(m.cvResults.map((c) => c.mean));
    // The picker lists the model, and the settings say what it was trained on.
    const picker = present(d.named('Select').find((s) => s.attributes.title === 'Model'));
    expect((picker.attributes.options as string[][]).map((o) => o[0])).toContain(String(m.id));
    expect(divText(d).some((t) => t.includes('120 training rows, 30 test rows'))).toBe(true);
  }, 120_000);

  it('of a regressor: the metrics table, residual plots and a heatmap when two hyperparameters vary', async () => {
    const m = await train(boston, 'random_forest_regressor', { n_estimators: [5, 10], max_depth: [3, 5] });
    const d = await doc(m.id);
    const metrics = m.metrics as { train: RegressionMetrics; test: RegressionMetrics };
    const table = present(d.named('ColumnDataSource').find((s) => 'metric' in d.data({ id: s.id })));
    const data = d.data({ id: table.id });
    expect(data.metric).toEqual(['MSE', 'RMSE', 'MAE', 'R²']);
    expect(data.test).toEqual([metrics.test.mse, metrics.test.rmse, metrics.test.mae, metrics.test.r2].map(r4));
    expect(titles(d)).toEqual(
      expect.arrayContaining([
        'Residuals (truth − prediction)',
        'Residuals against predictions',
        'Truth against predictions',
        'Cross-validation score by n_estimators and max_depth',
      ]),
    );
    // The residual histogram counts every test row; the heatmap has a cell per candidate.
    const hist = present(d.glyphs(d.plot('Residuals (truth − prediction)'))[0]).data;
    expect((hist.count as number[]).reduce((s, x) => s + x, 0)).toBe(m.split.test.length);
    const heat = present(d.glyphs(d.plot('Cross-validation score by n_estimators and max_depth'))[0]).data;
    expect(heat.v).toHaveLength(4);
    expect(Math.max(...(heat.v as number[]))).toBe(r4(m.cvScore));
  }, 120_000);
});
