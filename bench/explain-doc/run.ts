// The Explain page's costs on a deep forest (issue 18): one what-if answer (rowAnswer: one row's
// SHAP values, as the explain-row route computes them, without the HTTP round trip) and the Explain
// document's figures (explainData: SHAP of the sample, interactions, partial dependence). A
// 100-tree random forest of depth 10 on 5,000 synthetic rows (6 numbers, 2 text columns).
// Reference beside ours: the 200 ms the issue allows a what-if update, and explainerdashboard's
// ~30 s a tab at 100k rows (its deployment guide). Ends with one JSON line.
// the root package does not depend on the workspace packages: viz's link to @enchilada/ml (the same
// module viz's code loads, so its classes are the same ones); run `pnpm build` first
import {
  ColumnTransformer,
  Pipeline,
  buildExplainer,
  classificationTarget,
  modelSpec,
  tableFromColumns,
  type RawColumn,
} from '../../viz/node_modules/@enchilada/ml/dist/index.js';
import type { TrainingTable } from '../../viz/node_modules/@enchilada/data/dist/index.js';
import { ExplainSubject, explainData, rawRows } from '../../viz/src/explain/explain-data.js';
import { rowAnswer } from '../../viz/src/explain/row.js';

let s = 1;
const r = () => (s = (s * 16807) % 2147483647) / 2147483647;
const N = 5000;
const nums = Array.from({ length: 6 }, (_, j) => ({
  name: `x${j}`,
  kind: 'numeric' as const,
  values: Float64Array.from({ length: N }, () => r()),
}));
const cats = Array.from({ length: 2 }, (_, j) => ({
  name: `c${j}`,
  kind: 'categorical' as const,
  values: Array.from({ length: N }, () => ['a', 'b', 'c', 'd'][Math.floor(r() * 4)]),
}));
const cols: RawColumn[] = [...nums, ...cats];
const labels = Array.from({ length: N }, (_, i) =>
  nums[0].values[i] + nums[1].values[i] * (cats[0].values[i] === 'a' ? 2 : 0.5) + 0.3 * r() > 1 ? 'yes' : 'no',
);
const table = tableFromColumns(cols);
const model = new Pipeline(
  modelSpec('random_forest_classifier').create({ n_estimators: 100, max_depth: 10 }),
  new ColumnTransformer(table.schema),
).fit(table.X, classificationTarget(labels), { seed: 0 });
const artefact = buildExplainer({
  preprocessing: model.pre,
  model,
  background: table.X,
  modelType: 'random_forest_classifier',
});
const subject = new ExplainSubject(artefact);
const tt: TrainingTable = {
  rowIds: Int32Array.from({ length: N }, (_, i) => i),
  columns: cols as never,
  target: { labels },
  droppedMissingTarget: 0,
};
const rows = rawRows(
  tt,
  Int32Array.from({ length: 300 }, (_, i) => i),
);
for (let i = 0; i < 20; i++) rowAnswer(subject, rows[i], null); // warm
const ms: number[] = [];
for (let i = 0; i < 300; i++) {
  const t = performance.now();
  rowAnswer(subject, { ...rows[i], x0: r() }, null);
  ms.push(performance.now() - t);
}
ms.sort((a, b) => a - b);
const t0 = performance.now();
const d = explainData(subject, tt);
const total = performance.now() - t0;
console.log(
  JSON.stringify({
    bench: 'explain-doc',
    reference: { whatIfMs: 200, explainerdashboardTabS: 30 },
    model: '100-tree forest, depth 10, 8 columns (2 text), 5000 rows',
    whatIfRowMs: { p50: +ms[150].toFixed(2), p99: +ms[296].toFixed(2), max: +ms[299].toFixed(2) },
    documentMs: Math.round(total),
    parts: d.ms,
    sample: d.sample.length,
  }),
);
