// The two dual coordinate-descent solvers of LIBLINEAR that scikit-learn's LinearSVC and LinearSVR
// call, step for step, including shrinking and the random visiting order: Hsieh et al., "A Dual
// Coordinate Descent Method for Large-scale Linear SVM", ICML 2008 (Alg. 3, L2-loss SVC), and
// Ho & Lin, "Large-scale Linear Support Vector Regression", JMLR 2012 (Alg. 4, L1-loss SVR).
// sklearn seeds liblinear's std::mt19937 with RandomState(random_state).randint(2^31−1) and draws
// with a Lemire bounded integer, so the same seed reproduces sklearn's iterates, not just its optimum.
import { RandomState } from '../random/random-state.js';
import { wasmRows, type WasmRows } from './liblinear-wasm.js';
// Math's functions bound once: inside jest's vm context every global lookup in a hot loop is slow.
const { abs, max, min, imul, round } = Math;

/** The liblinear problem: rows of features with the bias feature appended (value = bias). */
export interface LiblinearProblem {
  readonly X: Float64Array; // row-major l × n, n includes the bias column
  readonly l: number;
  readonly n: number;
}

/** liblinear's generator in sklearn: std::mt19937 + "tweaked Lemire" bounded integers. */
export class LiblinearRng {
  private readonly mt: RandomState;

  constructor(seed: number) {
    this.mt = new RandomState(seed >>> 0);
  }

  /** sklearn's bounded_rand_int(range): uniform in [0, range). */
  bounded(range: number): number {
    let x = this.mt.nextUint32();
    let lo = imul(x, range) >>> 0;
    if (lo < range) {
      let t = (0x100000000 - range) >>> 0;
      if (t >= range) {
        t -= range;
        if (t >= range) t %= range;
      }
      while (lo < t) {
        x = this.mt.nextUint32();
        lo = imul(x, range) >>> 0;
      }
    }
    return mulHigh(x, range);
  }
}

/**
 * The high 32 bits of the 64-bit product of two uint32, exactly: the double product is within
 * 2^11 of the true one, and subtracting the exact low word leaves a multiple of 2^32 to round to.
 */
function mulHigh(a: number, b: number): number {
  const lo = imul(a, b) >>> 0;
  return round((a * b - lo) / 4294967296) >>> 0;
}

/** The seed sklearn hands liblinear: RandomState(random_state).randint(np.iinfo('i').max). */
export function liblinearSeed(randomState: number): number {
  return new RandomState(randomState).randint(2147483647);
}

// The SVC pass runs in its own function: inlined in the solver's loop, V8 compiled the whole solver
// on stack replacement and deoptimised it on each path the pass had not taken yet (the convergence
// test, the return), recompiling it several times per grid (--trace-deopt).

/** Slots of a pass's state: active-set size, previous and new extreme projected gradients. */
const ACTIVE = 0,
  OLD_MAX = 1,
  OLD_MIN = 2,
  NEW_MAX = 3,
  NEW_MIN = 4;

/** liblinear's random visiting order over the active variables, drawn in its order. */
function shuffleActive(index: Int32Array, activeSize: number, rng: LiblinearRng): void {
  for (let i = 0; i < activeSize; i++) {
    const j = i + rng.bounded(activeSize - i);
    const t = index[i];
    index[i] = index[j];
    index[j] = t;
  }
}

/** One pass of solve_l2r_l1l2_svc over the active set: coordinate steps, shrinking, PG extremes. */
function svcPass(
  X: Float64Array,
  n: number,
  y: Int8Array,
  w: Float64Array,
  alpha: Float64Array,
  QD: Float64Array,
  index: Int32Array,
  diag: number,
  upper: number,
  st: Float64Array,
  vec: WasmRows | null,
): void {
  let activeSize = st[ACTIVE];
  const PGmaxOld = st[OLD_MAX],
    PGminOld = st[OLD_MIN];
  let PGmaxNew = -Infinity,
    PGminNew = Infinity;
  for (let s = 0; s < activeSize; s++) {
    const i = index[s];
    const yi = y[i];
    const r = i * n;
    let G = 0;
    if (vec) G = vec.dot(r * 8, vec.wAt, n, 0);
    else for (let j = 0; j < n; j++) G += w[j] * X[r + j];
    G = G * yi - 1;
    G += alpha[i] * diag;
    let PG = 0;
    if (alpha[i] === 0) {
      if (G > PGmaxOld) {
        activeSize--;
        const t = index[s];
        index[s] = index[activeSize];
        index[activeSize] = t;
        s--;
        continue;
      } else if (G < 0) PG = G;
    } else if (alpha[i] === upper) {
      if (G < PGminOld) {
        activeSize--;
        const t = index[s];
        index[s] = index[activeSize];
        index[activeSize] = t;
        s--;
        continue;
      } else if (G > 0) PG = G;
    } else PG = G;
    PGmaxNew = max(PGmaxNew, PG);
    PGminNew = min(PGminNew, PG);
    if (abs(PG) > 1.0e-12) {
      const old = alpha[i];
      alpha[i] = min(max(alpha[i] - G / QD[i], 0.0), upper);
      const d = (alpha[i] - old) * yi;
      if (vec) vec.axpy(d, r * 8, vec.wAt, n);
      else for (let j = 0; j < n; j++) w[j] += d * X[r + j];
    }
  }
  st[ACTIVE] = activeSize;
  st[NEW_MAX] = PGmaxNew;
  st[NEW_MIN] = PGminNew;
}

/**
 * solve_l2r_l1l2_svc for the L2-loss (squared hinge) dual: min ½αᵀ(Q + D)α − eᵀα, α ≥ 0,
 * D_ii = 1/(2C). `y` holds ±1. Returns w (length n) and the iteration count. `vectors`: the dot
 * products and updates in WebAssembly where it pays (liblinear-wasm.ts) or always in JavaScript
 * (the same numbers; for the test that says so).
 */
export function solveL2LossSvcDual(
  pr: LiblinearProblem,
  y: Int8Array,
  C: number,
  eps: number,
  maxIter: number,
  rng: LiblinearRng,
  vectors: 'wasm' | 'js' = 'wasm',
): { w: Float64Array; iter: number } {
  const { X, l, n } = pr;
  const INF = Infinity;
  const vec = vectors === 'wasm' ? wasmRows(X, l, n) : null;
  const w = vec ? vec.w : new Float64Array(n);
  const QD = new Float64Array(l);
  const alpha = new Float64Array(l);
  const index = new Int32Array(l);
  const diag = 0.5 / C;
  const upper = INF;
  for (let i = 0; i < l; i++) {
    let q = diag;
    const r = i * n;
    for (let j = 0; j < n; j++) q += X[r + j] * X[r + j];
    QD[i] = q;
    index[i] = i;
  }
  const st = new Float64Array(5);
  st[ACTIVE] = l;
  st[OLD_MAX] = INF;
  st[OLD_MIN] = -INF;
  let iter = 0;
  while (iter < maxIter) {
    shuffleActive(index, st[ACTIVE], rng);
    svcPass(X, n, y, w, alpha, QD, index, diag, upper, st, vec);
    const PGmaxNew = st[NEW_MAX],
      PGminNew = st[NEW_MIN];
    iter++;
    if (PGmaxNew - PGminNew <= eps) {
      if (st[ACTIVE] === l) break;
      st[ACTIVE] = l;
      st[OLD_MAX] = INF;
      st[OLD_MIN] = -INF;
      continue;
    }
    st[OLD_MAX] = PGmaxNew <= 0 ? INF : PGmaxNew;
    st[OLD_MIN] = PGminNew >= 0 ? -INF : PGminNew;
  }
  return { w: w.slice(), iter };
}

/** solve_l2r_l1l2_svr for the L1-loss (epsilon-insensitive) dual: −C ≤ β ≤ C, λ = 0. */
export function solveL1LossSvrDual(
  pr: LiblinearProblem,
  y: Float64Array,
  C: number,
  p: number,
  eps: number,
  maxIter: number,
  rng: LiblinearRng,
  vectors: 'wasm' | 'js' = 'wasm',
): { w: Float64Array; iter: number } {
  const { X, l, n } = pr;
  const INF = Infinity;
  const vec = vectors === 'wasm' ? wasmRows(X, l, n) : null;
  const w = vec ? vec.w : new Float64Array(n);
  const beta = new Float64Array(l);
  const QD = new Float64Array(l);
  const index = new Int32Array(l);
  const lambda = 0,
    upper = C;
  for (let i = 0; i < l; i++) {
    let q = 0;
    const r = i * n;
    for (let j = 0; j < n; j++) q += X[r + j] * X[r + j];
    QD[i] = q;
    index[i] = i;
  }
  let activeSize = l;
  let GmaxOld = INF;
  let Gnorm1Init = -1;
  let iter = 0;
  while (iter < maxIter) {
    let GmaxNew = 0,
      Gnorm1New = 0;
    for (let i = 0; i < activeSize; i++) {
      const j = i + rng.bounded(activeSize - i);
      const t = index[i];
      index[i] = index[j];
      index[j] = t;
    }
    for (let s = 0; s < activeSize; s++) {
      const i = index[s];
      let G = -y[i] + lambda * beta[i];
      const H = QD[i] + lambda;
      const r = i * n;
      if (vec) G = vec.dot(r * 8, vec.wAt, n, G);
      else for (let j = 0; j < n; j++) G += X[r + j] * w[j];
      const Gp = G + p,
        Gn = G - p;
      let violation = 0;
      const bi = beta[i];
      if (bi === 0) {
        if (Gp < 0) violation = -Gp;
        else if (Gn > 0) violation = Gn;
        else if (Gp > GmaxOld && Gn < -GmaxOld) {
          activeSize--;
          const t = index[s];
          index[s] = index[activeSize];
          index[activeSize] = t;
          s--;
          continue;
        }
      } else if (bi >= upper) {
        if (Gp > 0) violation = Gp;
        else if (Gp < -GmaxOld) {
          activeSize--;
          const t = index[s];
          index[s] = index[activeSize];
          index[activeSize] = t;
          s--;
          continue;
        }
      } else if (bi <= -upper) {
        if (Gn < 0) violation = -Gn;
        else if (Gn > GmaxOld) {
          activeSize--;
          const t = index[s];
          index[s] = index[activeSize];
          index[activeSize] = t;
          s--;
          continue;
        }
      } else if (bi > 0) violation = abs(Gp);
      else violation = abs(Gn);
      GmaxNew = max(GmaxNew, violation);
      Gnorm1New += violation;
      let d: number;
      if (Gp < H * bi) d = -Gp / H;
      else if (Gn > H * bi) d = -Gn / H;
      else d = -bi;
      if (abs(d) < 1.0e-12) continue;
      beta[i] = min(max(bi + d, -upper), upper);
      d = beta[i] - bi;
      if (d !== 0) {
        if (vec) vec.axpy(d, r * 8, vec.wAt, n);
        else for (let j = 0; j < n; j++) w[j] += d * X[r + j];
      }
    }
    if (iter === 0) Gnorm1Init = Gnorm1New;
    iter++;
    if (Gnorm1New <= eps * Gnorm1Init) {
      if (activeSize === l) break;
      activeSize = l;
      GmaxOld = INF;
      continue;
    }
    GmaxOld = GmaxNew;
  }
  return { w: w.slice(), iter };
}
