// Compare all models: a budgeted search over every model valid for the task, by successive halving
// on rows (scikit-learn's HalvingRandomSearchCV, Jamieson & Talwalkar 2016): every model's sampled
// candidates are cross-validated on a small share of the rows, the best third of all candidates go
// on to three times the rows, and so on until one round uses every row. Promotion is across models,
// so a model family that cannot compete stops costing time after the first round. While the budget
// lasts, further brackets follow (Hyperband): each starts a round further up, with neighbours of the
// leaders and fresh draws, so the search keeps improving instead of stopping after one bracket. A
// deadline (the user's budget) aborts work in flight: what finished stays on the leaderboard, and the
// overrun is what an abort takes, never a whole round. Asked for (`ensemble`), a soft-voting ensemble
// of the best families is cross-validated last, inside the budget: the search leaves it its time.
import type { Matrix } from '../matrix.js';
import { AbortedError, type Target } from '../estimator.js';
import type { Preprocessing } from '../pipeline.js';
import { modelSpec } from '../registry.js';
import { takeTarget } from '../target.js';
import { CvRunner, planTasks, type CvScore } from './cv-tasks.js';
import { cvFolds } from './grid-search.js';
import type { ParamSet } from './param-grid.js';
import { SEARCH_SPACES, comparableModels, drawParams, perturbParams, sampleCandidates } from './search-spaces.js';
import type { WorkerPool } from './worker-pool.js';
import { shared } from './worker-protocol.js';
import type { ColumnTransformer } from '../preprocessing/column-transformer.js';
import { mulberry32 as generator } from '../random/mulberry32.js';
import { pickVotingMembers, votingCvScores, type VotingMember } from '../ensemble/voting.js';

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
  /**
   * Brackets of successive halving at most (default: new brackets while the budget lasts). The
   * first bracket alone is the plain halving search.
   */
  readonly maxBrackets?: number;
  /**
   * Stop (finished) after this many brackets in a row that did not raise the best score on every
   * row. Default two cycles of the bracket schedule (2 × the rounds of the first bracket).
   */
  readonly patience?: number;
  /**
   * Members of a soft-voting ensemble (the best candidate of each of this many best families on
   * every row) cross-validated at the end, on the search's folds, inside the budget: the search
   * stops early by its estimated cost (its members' fit and score times on those rows). 0: none.
   */
  readonly ensemble?: number;
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

/** The soft-voting ensemble's cross-validation (see CompareOptions.ensemble). */
export interface EnsembleScore {
  readonly members: VotingMember[];
  readonly rows: number;
  readonly round: number;
  readonly meanScore: number;
  readonly stdScore: number;
  /** Mean seconds per fold to fit and score every member. */
  readonly fitTime: number;
}

export interface CompareResult {
  /** Best first: by the round reached, then the mean CV score (scikit-learn's halving ranks so). */
  readonly leaderboard: LeaderboardEntry[];
  /** Null when not asked for, when fewer than two families reached every row, or when it would not fit the budget. */
  readonly ensemble: EnsembleScore | null;
  readonly rounds: readonly {
    readonly rows: number;
    readonly candidates: number;
    readonly completed: number;
    readonly bracket: number;
  }[];
  /** Brackets started. */
  readonly brackets: number;
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
    if (list) list.push(i);
    else byClass.set(c, [i]);
  });
  // each row's position is its rank within its class scaled to [0, 1): sorting by it interleaves
  const keyed: { i: number; key: number }[] = [];
  for (const rows of byClass.values()) shuffle(rows).forEach((i, r) => keyed.push({ i, key: (r + 0.5) / rows.length }));
  keyed.sort((a, b) => a.key - b.key || a.i - b.i);
  return Int32Array.from(keyed.map((k) => k.i));
}

interface Candidate {
  readonly model: string;
  readonly params: ParamSet;
  last?: LeaderboardEntry;
}

const meanStd = (v: readonly number[]): [number, number] => {
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  return [m, Math.sqrt(v.reduce((s, x) => s + (x - m) * (x - m), 0) / v.length)];
};

/** A rung's rows, target and folds, made once and shared by every bracket that reaches it. */
interface Rung {
  readonly rows: number;
  readonly X: Matrix;
  readonly y: Target;
  readonly folds: ReturnType<typeof cvFolds>;
  shared?: {
    X: Float64Array;
    y:
      | { kind: 'classification'; codes: Int32Array; classes: readonly string[] }
      | { kind: 'regression'; values: Float64Array };
    folds: { train: Int32Array; test: Int32Array }[];
  };
}

/** The candidates a bracket after the first tries; see compareModels. */
const LEADERS = 3;

export async function compareModels(X: Matrix, y: Target, opts: CompareOptions): Promise<CompareResult> {
  const now = opts.now ?? (() => performance.now() / 1000);
  const start = now();
  const task = y.kind;
  const models = opts.models ?? comparableModels(task);
  for (const id of models) {
    if (modelSpec(id).task !== task)
      throw new RangeError(`model '${id}' is for ${modelSpec(id).task}, the target is ${task}`);
  }
  const seed = opts.seed ?? 0;
  const rand = generator(seed);
  const factor = opts.factor ?? 3;
  const k = opts.cv ?? 5;
  const pre: Preprocessing = opts.columns ?? opts.scale ?? true;
  const maxBrackets = opts.maxBrackets ?? Infinity;

  const everyone: Candidate[] = [];
  const keys = new Set<string>();
  const add = (out: Candidate[], model: string, params: ParamSet): boolean => {
    const key = `${model} ${JSON.stringify(Object.entries(params).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
    if (keys.has(key)) return false;
    keys.add(key);
    const c: Candidate = { model, params };
    everyone.push(c);
    out.push(c);
    return true;
  };
  const first: Candidate[] = [];
  for (const model of models)
    for (const params of sampleCandidates(SEARCH_SPACES[model] ?? {}, opts.candidatesPerModel ?? 8, rand))
      add(first, model, params);
  const order = subsampleOrder(y, rand);
  const n = order.length;
  // as many rounds as it takes to bring the candidates down to one, or the rows up to n
  const classes = y.kind === 'classification' ? y.classes.length : 1;
  const floor = Math.min(n, Math.max(opts.minRows ?? 100, 20 * classes, 2 * k));
  const roundsByCandidates = Math.max(1, Math.ceil(Math.log(first.length) / Math.log(factor)));
  const roundsByRows = Math.max(1, 1 + Math.floor(Math.log(n / floor) / Math.log(factor)));
  const nRounds = Math.min(roundsByCandidates, roundsByRows);
  const firstRows = Math.max(floor, Math.floor(n / factor ** (nRounds - 1)));
  const rungs = new Map<number, Rung>();
  const rung = (r: number): Rung => {
    const have = rungs.get(r);
    if (have) return have;
    const rows = r === nRounds - 1 ? n : Math.min(n, firstRows * factor ** r);
    // a round on every row takes them in their own order, so its folds, and therefore its scores,
    // are exactly those of a grid search of the same candidates (the Train page's)
    const idx = order.subarray(0, rows);
    const Xr = rows === n ? X : X.takeRows(idx);
    const yr = rows === n ? y : takeTarget(y, idx);
    const made: Rung = { rows, X: Xr, y: yr, folds: cvFolds(Xr, yr, k) };
    rungs.set(r, made);
    return made;
  };

  /**
   * A later bracket's candidates: two thirds are neighbours of the leaders so far (the best
   * candidate of each of the three best model families, on the most rows, perturbed on each
   * parameter's own scale; half of them around the very best), the rest fresh draws, the families taken in turn (every family when
   * the bracket starts above the first round, else the better half); as many as the first bracket had, divided by `factor` for each round the bracket skips.
   */
  const laterBracket = (bracket: number, startRung: number): Candidate[] => {
    const out: Candidate[] = [];
    const want = Math.max(1, Math.round(first.length / factor ** startRung));
    const tunable = (m: string) => Object.keys(SEARCH_SPACES[m] ?? {}).length > 0;
    const families: LeaderboardEntry[] = [];
    for (const e of ranked(everyone))
      if (tunable(e.model) && !families.some((f) => f.model === e.model)) families.push(e);
    if (families.length === 0) return out;
    const leaders = families.slice(0, LEADERS);
    // fresh draws from every family when the bracket starts on more rows than the first (a family
    // the smallest sample misjudged gets a fair trial there), else from the better half
    const better =
      startRung > 0
        ? models.filter(tunable)
        : families.slice(0, Math.max(LEADERS, Math.ceil(families.length / 2))).map((e) => e.model);
    const exploit = Math.ceil((want * 2) / 3);
    for (let i = 0, tries = 0; out.length < exploit && tries < exploit * 20; tries++) {
      // the best family's leader gets every other neighbour, the others share the rest
      const lead = leaders[i % 2 === 0 ? 0 : 1 + (((i - 1) / 2) % Math.max(1, leaders.length - 1))] ?? leaders[0];
      if (!lead) break;
      const space = SEARCH_SPACES[lead.model] ?? {};
      if (
        add(
          out,
          lead.model,
          perturbParams(
            space,
            lead.params,
            modelSpec(lead.model).create().params as Readonly<Record<string, unknown>>,
            rand,
          ),
        )
      )
        i++;
    }
    for (let i = 0, tries = 0; out.length < want && tries < want * 20; tries++) {
      const model = better[(bracket + i) % better.length] ?? '';
      if (add(out, model, drawParams(SEARCH_SPACES[model] ?? {}, rand))) i++;
    }
    return out;
  };

  const deadline = new AbortController();
  const budgetMs = Math.max(0, opts.budgetSeconds * 1000);
  const startMs = performance.now();
  const ensembleSize = opts.ensemble ?? 0;
  /** The ensemble's members so far and what cross-validating them would take (seconds). */
  const ensemblePlan = (): { members: VotingMember[]; seconds: number } => {
    const board = ranked(everyone);
    const members = ensembleSize >= 2 ? pickVotingMembers(board, ensembleSize) : [];
    const at = (m: VotingMember) => board.find((e) => e.model === m.model && e.rows === n && e.params === m.params);
    const seconds =
      members.reduce((a, m) => {
        const e = at(m);
        return a + (e ? e.fitTime + e.scoreTime : Infinity);
      }, 0) * k;
    return { members, seconds };
  };
  // The search's own deadline is the budget less the ensemble's estimated cost, re-armed whenever a
  // round on every row changes the members (the reserve never makes the search outrun the budget).
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (reserveMs: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => deadline.abort(), Math.max(0, budgetMs - reserveMs - (performance.now() - startMs)));
  };
  arm(0);
  const signal = opts.signal ? AbortSignal.any([opts.signal, deadline.signal]) : deadline.signal;
  const rounds: { rows: number; candidates: number; completed: number; bracket: number }[] = [];
  let stoppedBy: CompareResult['stoppedBy'] = 'finished';
  let brackets = 0;
  const patience = opts.patience ?? 2 * nRounds;
  let leader = -Infinity;
  let stale = 0;

  const runRound = async (alive: readonly Candidate[], round: number, bracket: number): Promise<void> => {
    const r = rung(round);
    const { rows, X: Xr, y: yr, folds } = r;
    const info = { rows, candidates: alive.length, completed: 0, bracket };
    rounds.push(info);
    const scoreGroup = async (model: string, mine: readonly Candidate[]): Promise<void> => {
      const table: CvScore[][] = mine.map(() => []);
      const collect = (scores: CvScore[]) => {
        for (const s of scores) {
          const row = table[s.candidate];
          if (!row) continue;
          row.push(s);
          if (row.length === k) {
            const [meanScore, stdScore] = meanStd(row.map((x) => x.score));
            const entry: LeaderboardEntry = {
              model,
              params: mine[s.candidate]?.params ?? {},
              round,
              rows,
              meanScore,
              stdScore,
              fitTime: meanStd(row.map((x) => x.fitTime))[0],
              scoreTime: meanStd(row.map((x) => x.scoreTime))[0],
            };
            const c = mine[s.candidate];
            if (c) c.last = entry;
            info.completed++;
            opts.onResult?.(entry);
          }
        }
      };
      const est = modelSpec(model).create();
      const tasks = planTasks(
        est,
        mine.map((c) => c.params),
        k,
      );
      if (opts.workers) {
        r.shared ??= {
          X: shared(Xr.data),
          y:
            yr.kind === 'classification'
              ? { kind: 'classification' as const, codes: shared(yr.codes), classes: yr.classes }
              : { kind: 'regression' as const, values: shared(yr.values) },
          folds: folds.map((f) => ({ train: shared(f.train), test: shared(f.test) })),
        };
        await opts.workers.run(
          {
            model,
            baseParams: {},
            candidates: mine.map((c) => c.params),
            rows: Xr.rows,
            cols: Xr.cols,
            X: r.shared.X,
            y: r.shared.y,
            folds: r.shared.folds,
            pre: typeof pre === 'boolean' ? pre : pre.spec,
            seed,
          },
          tasks,
          collect,
          signal,
        );
      } else {
        const runner = new CvRunner(
          est,
          mine.map((c) => c.params),
          Xr,
          yr,
          folds,
          pre,
          { seed, signal },
        );
        for (const t of tasks) {
          if (signal.aborted) throw new AbortedError();
          collect(runner.run(t));
          await new Promise<void>((res) => setImmediate(res));
        }
      }
    };
    for (const model of [...new Set(alive.map((c) => c.model))]) {
      const mine = alive.filter((c) => c.model === model);
      try {
        await scoreGroup(model, mine);
      } catch (err) {
        if (err instanceof AbortedError || signal.aborted) throw err;
        // a candidate this round's rows cannot take (more neighbours than a fold's training rows):
        // the others of its model are scored one by one, and it drops out of the search
        for (const c of mine) {
          if (c.last?.round === round) continue;
          try {
            await scoreGroup(model, [c]);
          } catch (e) {
            if (e instanceof AbortedError || signal.aborted) throw e;
          }
        }
      }
    }
  };

  try {
    // Brackets of successive halving (Hyperband, Li et al. 2018) while the budget lasts: the first
    // starts every model's draws on the fewest rows; each later one starts a round further up (the
    // last on every row, then back to the first), so candidates that small samples misjudge still
    // get a fair trial, and its candidates mix neighbours of the leaders with fresh draws.
    for (let bracket = 0; bracket < maxBrackets; bracket++) {
      const startRung = bracket % nRounds;
      let alive = bracket === 0 ? first : laterBracket(bracket, startRung);
      if (alive.length === 0) break;
      brackets++;
      for (let round = startRung; round < nRounds && alive.length > 0; round++) {
        await runRound(alive, round, bracket);
        // promote the best 1/factor of this round's finishers (NaN scores never)
        const finished = alive.filter((c) => c.last?.round === round && Number.isFinite(c.last.meanScore));
        finished.sort((a, b) => (b.last?.meanScore ?? 0) - (a.last?.meanScore ?? 0));
        alive = finished.slice(0, Math.max(1, Math.ceil(finished.length / factor)));
        if (ensembleSize >= 2 && round === nRounds - 1) {
          const plan = ensemblePlan();
          // an ensemble estimated at over half the budget is not worth starving the search for; the
          // reserve has half again as much for what the abort lets finish and for better members found later
          if (plan.members.length >= 2 && plan.seconds * 1000 <= budgetMs / 2) arm(1.5 * plan.seconds * 1000);
        }
      }
      const top = ranked(everyone)[0];
      const best = top && top.round === nRounds - 1 ? score(top) : -Infinity;
      if (best > leader) {
        leader = best;
        stale = 0;
      } else if (++stale >= patience) {
        break;
      }
    }
  } catch (err) {
    if (!(err instanceof AbortedError) || !deadline.signal.aborted || opts.signal?.aborted) throw err;
    stoppedBy = 'budget';
  } finally {
    clearTimeout(timer);
  }
  let ensemble: EnsembleScore | null = null;
  const plan = ensemblePlan();
  const leftSeconds = (budgetMs - (performance.now() - startMs)) / 1000;
  if (plan.members.length >= 2 && plan.seconds <= leftSeconds && !opts.signal?.aborted) {
    const t0 = performance.now();
    const top = rung(nRounds - 1);
    const scores = votingCvScores(plan.members, top.X, top.y, top.folds, pre, seed, opts.signal);
    const [meanScore, stdScore] = meanStd(scores);
    ensemble = {
      members: plan.members,
      rows: n,
      round: nRounds - 1,
      meanScore,
      stdScore,
      fitTime: (performance.now() - t0) / 1000 / k,
    };
  }
  return { leaderboard: ranked(everyone), ensemble, rounds, brackets, stoppedBy, elapsedSeconds: now() - start };
}

const score = (e: LeaderboardEntry) => (Number.isFinite(e.meanScore) ? e.meanScore : -Infinity);

/** Every scored candidate at its last round, best first: by the round reached, then the mean CV score. */
function ranked(candidates: readonly Candidate[]): LeaderboardEntry[] {
  return candidates.flatMap((c) => (c.last ? [c.last] : [])).sort((a, b) => b.round - a.round || score(b) - score(a));
}
