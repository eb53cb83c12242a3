// pnpm bench:limits — issue 15's request (SVC, 25,000 rows × 2 features, 80 % to train) as viz
// would run it if web's memory estimate did not refuse it first: the grid search on a pool with a
// 1 GiB budget (TRAIN_MAX_MEMORY_MB=1024, TRAIN_WORKERS=2). Reports web's estimate, when and why
// the search stopped, and this process's resident memory before, at its peak and after.
// Last line: one JSON object. Needs `pnpm build` first.
import { Matrix, WorkerPool, classificationTarget, estimateTrainingMemory, gridSearchCV, takeTarget, trainTestSplit } from '../../services/ml/dist/index.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 25_000);
const BUDGET_MB = Number(process.env.BENCH_BUDGET_MB ?? 1024);
const MiB = 1_048_576;
// two uniform features, random labels: SVC's hardest case (most rows become support vectors)
let seed = 1;
const r = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
const X = new Matrix(ROWS, 2, Float64Array.from({ length: 2 * ROWS }, r));
const y = classificationTarget(Array.from({ length: ROWS }, () => (r() < 0.5 ? 'a' : 'b')));
const split = trainTestSplit(ROWS, 0.8, 214);
const estimate = estimateTrainingMemory({ model: 'svc', rows: ROWS, inputs: 2, classes: 2, trainFraction: 0.8, folds: 5, grid: { C: [1] }, concurrency: 2 });

const pool = new WorkerPool(2, { maxMemoryBytes: BUDGET_MB * MiB });
await pool.ready();
const before = process.memoryUsage.rss();
let peak = before;
const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 10);
const t0 = performance.now();
let outcome = 'finished';
try {
  await gridSearchCV(X.takeRows(split.train), takeTarget(y, split.train), { estimator: 'svc', grid: { C: [1] }, workers: pool });
} catch (e) {
  outcome = e instanceof Error ? e.message : String(e);
}
const seconds = (performance.now() - t0) / 1000;
clearInterval(sampler);
await new Promise((res) => setTimeout(res, 500));
const after = process.memoryUsage.rss();
await pool.close();
console.log(JSON.stringify({
  bench: 'limits', rows: ROWS, budgetMb: BUDGET_MB, estimateMb: Math.round(estimate.bytes / MiB), estimateWhy: estimate.why,
  outcome, seconds: Math.round(seconds * 10) / 10, rssMb: { before: Math.round(before / MiB), peak: Math.round(peak / MiB), after: Math.round(after / MiB) },
}));
