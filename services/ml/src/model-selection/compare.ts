// Compare all models: a budgeted search over every model valid for the task, by successive halving
// on rows (scikit-learn's HalvingRandomSearchCV, Jamieson & Talwalkar 2016): every model's sampled
// candidates are cross-validated on a small share of the rows, the best third of all candidates go
// on to three times the rows, and so on until one round uses every row. Promotion is across models,
// so a model family that cannot compete stops costing time after the first round. A deadline (the
// user's budget) aborts work in flight: what finished stays on the leaderboard, and the overrun is
// what an abort takes, never a whole round.
import type { Matrix } from '../matrix.js';
import { AbortedError, type Target } from '../estimator.js';
import type { Preprocessing } from '../pipeline.js';
import { modelSpec } from '../registry.js';
import { takeTarget } from '../target.js';
import { CvRunner, planTasks, type CvScore } from './cv-tasks.js';
import { cvFolds } from './grid-search.js';
import type { ParamSet } from './param-grid.js';
import { SEARCH_SPACES, comparableModels, sampleCandidates } from './search-spaces.js';
import type { WorkerPool } from './worker-pool.js';
import { shared } from './worker-protocol.js';
import type { ColumnTransformer } from '../preprocessing/column-transformer.js';
import { mulberry32 as generator } from '../random/mulberry32.js';

export interface CompareOptions {
  /** Registry ids to compare; default every model with a search space for the task. */
  readonly models?: readonly string[];
  /** Wall-clock budget in seconds. */
  readonly budgetSeconds: number;
  /** Candidates drawn per model (its defaults first). Default 8. */
  readonly candidatesPerModel?: number;
  /** Rows multiply, and candidates divide, by this each round. Default 3. */
  readonly factor?: number;
  /** Rows in the first round (at least 20 per class for classifiers). Default max(100, n / factor^(rounds−1)). */
  readonly minRows?: number;
  readonly cv?: number;
  readonly columns?: ColumnTransformer;
  readonly scale?: boolean;
  readonly seed?: number;
  /** Worker threads: a pool, or 0 to run in this thread. */
  readonly workers: WorkerPool | 0;
  readonly signal?: AbortSignal;
  /** Called as each candidate's round finishes (leaderboard updates). */
  readonly onResult?: (entry: LeaderboardEntry) => void;
  /** Injected clock (tests). */
  readonly now?: () => number;
}

export interface LeaderboardEntry {
  readonly model: string;
  readonly params: ParamSet;
  /** The last round this candidate was scored in (0-based), and on how many rows. */
  readonly round: number;
  readonly rows: number;
  readonly meanScore: number;
  readonly stdScore: number;
  /** Mean fit time per fold, seconds, on `rows` rows. */
  readonly fitTime: number;
  /** Mean time to score one fold's test rows, seconds. */
  readonly scoreTime: number;
}

export interface CompareResult {
  /** Best first: by the round reached, then the mean CV score (scikit-learn's halving ranks so). */
  readonly leaderboard: LeaderboardEntry[];
  readonly rounds: readonly { readonly rows: number; readonly candidates: number; readonly completed: number }[];
  readonly stoppedBy: 'finished' | 'budget';
  readonly elapsedSeconds: number;
}

/**
 * A row order whose every prefix keeps the class proportions (classes interleaved by their share),
 * each class's rows in a seeded random order: round r takes the first rows_r rows.
 */
export function subsampleOrder(y: Target, rand: () => number): Int32Array {
  const n = y.kind === 'classification' ? y.codes.length : y.values.length;
  const shuffle = (a: number[]) => {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      const t = a[i] ?? 0;
      a[i] = a[j] ?? 0;
      a[j] = t;
    }
    return a;
  };
  if (y.kind === 'regression') return Int32Array.from(shuffle(Array.from({ length: n }, (_, i) => i)));
  const byClass = new Map<number, number[]>();
  y.codes.forEach((c, i) => {
    const list = byClass.get(c);
    if (list) list.push(i); else byClass.set(c, [i]);
  });
  // each row's position is its rank within its class scaled to [0, 1): sorting by it interleaves
  const keyed: { i: number; key: number }[] = [];
  for (const rows of byClass.values()) shuffle(rows).forEach((i, r) => keyed.push({ i, key: (r + 0.5) / rows.length }));
  keyed.sort((a, b) => a.key - b.key || a.i - b.i);
  return Int32Array.from(keyed.map((k) => k.i));
}

interface Candidate { readonly model: string; readonly params: ParamSet; last?: LeaderboardEntry }

const meanStd = (v: readonly number[]): [number, number] => {
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  return [m, Math.sqrt(v.reduce((s, x) => s + (x - m) * (x - m), 0) / v.length)];
};

export async function compareModels(X: Matrix, y: Target, opts: CompareOptions): Promise<CompareResult> {
  const now = opts.now ?? (() => performance.now() / 1000);
  const start = now();
  const task = y.kind;
  const models = opts.models ?? comparableModels(task);
  for (const id of models) {
    if (modelSpec(id).task !== task) throw new RangeError(`model '${id}' is for ${modelSpec(id).task}, the target is ${task}`);
  }
  const seed = opts.seed ?? 0;
  const rand = generator(seed);
  const factor = opts.factor ?? 3;
  const k = opts.cv ?? 5;
  const pre: Preprocessing = opts.columns ?? opts.scale ?? true;

  const everyone: Candidate[] = models.flatMap((model) =>
    sampleCandidates(SEARCH_SPACES[model] ?? {}, opts.candidatesPerModel ?? 8, rand).map((params) => ({ model, params })));
  let alive = everyone;
  const order = subsampleOrder(y, rand);
  const n = order.length;
  // as many rounds as it takes to bring the candidates down to one, or the rows up to n
  const classes = y.kind === 'classification' ? y.classes.length : 1;
  const floor = Math.min(n, Math.max(opts.minRows ?? 100, 20 * classes, 2 * k));
  const roundsByCandidates = Math.max(1, Math.ceil(Math.log(alive.length) / Math.log(factor)));
  const roundsByRows = Math.max(1, 1 + Math.floor(Math.log(n / floor) / Math.log(factor)));
  const nRounds = Math.min(roundsByCandidates, roundsByRows);
  const firstRows = Math.max(floor, Math.floor(n / factor ** (nRounds - 1)));

  const deadline = new AbortController();
  const budgetMs = Math.max(0, opts.budgetSeconds * 1000);
  const timer = setTimeout(() => deadline.abort(), budgetMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, deadline.signal]) : deadline.signal;
  const rounds: { rows: number; candidates: number; completed: number }[] = [];
  let stoppedBy: CompareResult['stoppedBy'] = 'finished';
  try {
    for (let round = 0; round < nRounds && alive.length > 0; round++) {
      const rows = round === nRounds - 1 ? n : Math.min(n, firstRows * factor ** round);
      // a round on every row takes them in their own order, so its folds, and therefore its scores,
      // are exactly those of a grid search of the same candidates (the Train page's)
      const idx = order.subarray(0, rows);
      const Xr = rows === n ? X : X.takeRows(idx);
      const yr = rows === n ? y : takeTarget(y, idx);
      const folds = cvFolds(Xr, yr, k);
      const info = { rows, candidates: alive.length, completed: 0 };
      rounds.push(info);
      for (const model of [...new Set(alive.map((c) => c.model))]) {
        const mine = alive.filter((c) => c.model === model);
        const table: CvScore[][] = mine.map(() => []);
        const collect = (scores: CvScore[]) => {
          for (const s of scores) {
            const row = table[s.candidate];
            if (!row) continue;
            row.push(s);
            if (row.length === k) {
              const [meanScore, stdScore] = meanStd(row.map((r) => r.score));
              const entry: LeaderboardEntry = {
                model, params: mine[s.candidate]?.params ?? {}, round, rows, meanScore, stdScore,
                fitTime: meanStd(row.map((r) => r.fitTime))[0], scoreTime: meanStd(row.map((r) => r.scoreTime))[0],
              };
              const c = mine[s.candidate];
              if (c) c.last = entry;
              info.completed++;
              opts.onResult?.(entry);
            }
          }
        };
        const est = modelSpec(model).create();
        const tasks = planTasks(est, mine.map((c) => c.params), k);
        if (opts.workers) {
          const yShared = yr.kind === 'classification'
            ? { kind: 'classification' as const, codes: shared(yr.codes), classes: yr.classes }
            : { kind: 'regression' as const, values: shared(yr.values) };
          await opts.workers.run({
            model, baseParams: {}, candidates: mine.map((c) => c.params), rows: Xr.rows, cols: Xr.cols, X: shared(Xr.data), y: yShared,
            folds: folds.map((f) => ({ train: shared(f.train), test: shared(f.test) })), pre: typeof pre === 'boolean' ? pre : pre.spec, seed,
          }, tasks, collect, signal);
        } else {
          const runner = new CvRunner(est, mine.map((c) => c.params), Xr, yr, folds, pre, { seed, signal });
          for (const t of tasks) {
            if (signal.aborted) throw new AbortedError();
            collect(runner.run(t));
            await new Promise<void>((r) => setImmediate(r));
          }
        }
      }
      // promote the best 1/factor of this round's finishers (NaN scores never)
      const finished = alive.filter((c) => c.last?.round === round && Number.isFinite(c.last.meanScore));
      finished.sort((a, b) => (b.last?.meanScore ?? 0) - (a.last?.meanScore ?? 0));
      alive = finished.slice(0, Math.max(1, Math.ceil(finished.length / factor)));
    }
  } catch (err) {
    if (!(err instanceof AbortedError) || !deadline.signal.aborted || opts.signal?.aborted) throw err;
    stoppedBy = 'budget';
  } finally {
    clearTimeout(timer);
  }
  const score = (e: LeaderboardEntry) => (Number.isFinite(e.meanScore) ? e.meanScore : -Infinity);
  const leaderboard = everyone.flatMap((c) => (c.last ? [c.last] : []))
    .sort((a, b) => b.round - a.round || score(b) - score(a));
  return { leaderboard, rounds, stoppedBy, elapsedSeconds: now() - start };
}
