// pnpm bench:limits — issue 15's request (SVC, 25,000 rows × 2 features, 80 % to train), twice:
// 1. in this process (BENCH_IN_PROCESS=1 only; off by default, as the real viz now runs the same
//    job): the grid search, refit and export (gridSearchToOnnx) on a pool with a 1 GiB budget;
// 2. through the real stack (web + viz started here against a fresh database, with
//    TRAIN_MAX_MEMORY_MB=1024 and TRAIN_WORKERS=2): the request as a person sends it, trained by
//    viz's worker pool. viz's own resident memory (its process, workers included, read from
//    /proc every 20 ms) before the job, at its peak and 5 and 15 s after it ended; and whether
//    viz's event loop stayed free meanwhile: its /healthz is polled one request after another,
//    both also per phase of the job (its progress message: cross-validation, refit, scoring),
//    and the slowest answer is the longest the loop was blocked (plus one round trip).
//    Web's memory estimate for the job is reported beside it (the job is refused with a 400 when
//    it exceeds the budget; with the bounded kernel cache it does not).
// Ports 5340 (web) and 5346 (viz), used by no other bench. Last line: one JSON object.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Matrix,
  WorkerPool,
  classificationTarget,
  estimateTrainingMemory,
  gridSearchToOnnx,
  takeTarget,
  trainTestSplit,
} from '../../services/ml/dist/index.js';
import { startStack } from '../../scripts/stack.mjs';
import { Session, rssMb } from '../lib.mjs';

if (spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b'], { stdio: 'inherit' }).status !== 0)
  process.exit(1);

const ROWS = Number(process.env.BENCH_ROWS ?? 25_000);
const BUDGET_MB = Number(process.env.BENCH_BUDGET_MB ?? 1024);
const MiB = 1_048_576;
// two uniform features, random labels: SVC's hardest case (most rows become support vectors)
let seed = 1;
const r = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
const X = new Matrix(ROWS, 2, Float64Array.from({ length: 2 * ROWS }, r));
const y = classificationTarget(Array.from({ length: ROWS }, () => (r() < 0.5 ? 'a' : 'b')));
const split = trainTestSplit(ROWS, 0.8, 214);
const estimate = estimateTrainingMemory({
  model: 'svc',
  rows: ROWS,
  inputs: 2,
  classes: 2,
  trainFraction: 0.8,
  folds: 5,
  grid: { C: [1] },
  concurrency: 2,
});

let inProcess = null;
if (process.env.BENCH_IN_PROCESS === '1') {
  const pool = new WorkerPool(2, { maxMemoryBytes: BUDGET_MB * MiB });
  await pool.ready();
  const before = process.memoryUsage.rss();
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  const t0 = performance.now();
  let outcome = 'finished';
  try {
    await gridSearchToOnnx(X.takeRows(split.train), takeTarget(y, split.train), {
      estimator: 'svc',
      grid: { C: [1] },
      workers: pool,
      predict: X.takeRows(split.test),
    });
  } catch (e) {
    outcome = e instanceof Error ? e.message : String(e);
  }
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  await new Promise((res) => setTimeout(res, 500));
  const after = process.memoryUsage.rss();
  await new Promise((res) => setTimeout(res, 4_500));
  const after5s = process.memoryUsage.rss();
  await pool.close();
  inProcess = {
    outcome,
    seconds: Math.round(seconds * 10) / 10,
    rssMb: {
      before: Math.round(before / MiB),
      peak: Math.round(peak / MiB),
      after: Math.round(after / MiB),
      after5s: Math.round(after5s / MiB),
    },
  };
  console.log(`in this process: ${JSON.stringify(inProcess)}`);
}

// 2. Through web and viz.
const dir = join(import.meta.dirname, 'out');
mkdirSync(dir, { recursive: true });
const csv = (n) => {
  const file = join(dir, `noise-${n}.csv`);
  const lines = ['x1,x2,label'];
  for (let i = 0; i < n; i++)
    lines.push(`${X.data[2 * i].toFixed(6)},${X.data[2 * i + 1].toFixed(6)},${y.classes[y.codes[i]]}`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
};
const stack = await startStack({
  name: 'bench_limits',
  webPort: 5340,
  vizPort: 5346,
  log: 'quiet',
  env: { TRAIN_MAX_MEMORY_MB: String(BUDGET_MB), TRAIN_WORKERS: '2' },
});
const round = (v) => Math.round(v);
/**
 * While `until` runs: viz's resident memory every 20 ms (its peak), and its /healthz asked one
 * request after another (the slowest answer: how long the event loop was blocked at worst).
 */
let phase = 'queued';
const byPhase = {};
const phaseOf = (message) => (message ?? '').replace(/: \d+ of \d+ fits$/, '');
async function watchViz(until) {
  let top = rssMb(stack.viz.pid);
  const sampler = setInterval(() => {
    const now = rssMb(stack.viz.pid);
    top = Math.max(top, now);
    const p = (byPhase[phase] ??= { peakRssMb: 0, healthzMaxMs: 0 });
    p.peakRssMb = Math.max(p.peakRssMb, Math.round(now));
  }, 20);
  let done = false;
  const latencies = [];
  const poll = (async () => {
    while (!done) {
      const t = performance.now();
      try {
        await (await fetch(`${stack.vizURL}/healthz`)).text();
      } catch {
        /* counted as slow below */
      }
      latencies.push(performance.now() - t);
      const p = (byPhase[phase] ??= { peakRssMb: 0, healthzMaxMs: 0 });
      p.healthzMaxMs = Math.max(p.healthzMaxMs, Math.round(performance.now() - t));
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  try {
    const value = await until;
    return {
      value,
      peakMb: round(top),
      healthz: {
        requests: latencies.length,
        maxMs: round(Math.max(0, ...latencies)),
        p99Ms: round(latencies.sort((a, b) => a - b)[Math.floor(latencies.length * 0.99)] ?? 0),
      },
    };
  } finally {
    done = true;
    clearInterval(sampler);
    await poll;
  }
}
let viaStack;
try {
  const s = new Session(stack.baseURL);
  await s.signIn(stack.user, stack.password);
  const big = (await s.upload(csv(ROWS), 'noise_25k', `Noise, ${ROWS.toLocaleString('en-US')} rows`)).datasetId;
  const csrf = await s.csrf();
  const train = async (dataset) => {
    const t0 = performance.now();
    const res = await s.fetch('/api/train', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, accept: 'application/json' },
      body: JSON.stringify({
        dataset,
        model: 'svc',
        features: ['x1', 'x2'],
        trainFraction: 0.8,
        ranges: { C: { min: 10.1, max: 10.1 } },
      }),
    });
    const body = await res.json();
    if (res.status !== 202) return { status: res.status, message: body.message };
    for (;;) {
      const j = await (await s.fetch(`/api/jobs/${body.job}`, { headers: { accept: 'application/json' } })).json();
      phase = j.status === 'running' ? phaseOf(j.message) : j.status;
      if (!['queued', 'running'].includes(j.status))
        return {
          status: res.status,
          job: j.status,
          error: j.error,
          seconds: Math.round((performance.now() - t0) / 100) / 10,
        };
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  await new Promise((r) => setTimeout(r, 2_000));
  const before = round(rssMb(stack.viz.pid));
  const job = await watchViz(train(big));
  await new Promise((r) => setTimeout(r, 5_000));
  const after5 = round(rssMb(stack.viz.pid));
  await new Promise((r) => setTimeout(r, 10_000));
  const after15 = round(rssMb(stack.viz.pid));
  viaStack = {
    svc25k: {
      ...job.value,
      vizRssMb: { before, peak: job.peakMb, after5s: after5, after15s: after15 },
      vizHealthz: job.healthz,
      byPhase,
    },
  };
  console.log(`through web and viz: ${JSON.stringify(viaStack)}`);
} finally {
  await stack.stop();
}
console.log(
  JSON.stringify({
    bench: 'limits',
    rows: ROWS,
    budgetMb: BUDGET_MB,
    estimateMb: Math.round(estimate.bytes / MiB),
    estimateWhy: estimate.why,
    ...(inProcess ? { inProcess } : {}),
    vizPeakRssMbSvc25k: viaStack.svc25k.vizRssMb.peak,
    vizHealthzMaxMs: viaStack.svc25k.vizHealthz.maxMs,
    viaStack,
  }),
);
