// Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., Alg. 7.4 two-loop
// recursion, m = 10) with a line search satisfying the strong Wolfe conditions (Alg. 3.5/3.6,
// cubic interpolation in the zoom phase). Minimises smooth convex objectives such as the
// multinomial logistic loss.
// Math's functions bound once: inside jest's vm context every global lookup in a hot loop is slow.
const { abs, max, min, sqrt, sign } = Math;

/** Writes the gradient at x into g and returns the objective value. */
export type Objective = (x: Float64Array, g: Float64Array) => number;

export interface LbfgsOptions {
  readonly maxIter?: number;
  /** Stop when max |g_i| ≤ gtol. */
  readonly gtol?: number;
  /** Stop when the relative decrease of f is ≤ ftol. */
  readonly ftol?: number;
  readonly memory?: number;
}

export interface LbfgsResult {
  readonly x: Float64Array;
  readonly f: number;
  readonly iterations: number;
  readonly converged: boolean;
}

const dot = (a: Float64Array, b: Float64Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

export function lbfgs(fun: Objective, x0: Float64Array, opts: LbfgsOptions = {}): LbfgsResult {
  const maxIter = opts.maxIter ?? 1000;
  const gtol = opts.gtol ?? 1e-8;
  const ftol = opts.ftol ?? 1e-15;
  const m = opts.memory ?? 10;
  const n = x0.length;
  let x: Float64Array = Float64Array.from(x0);
  let g: Float64Array = new Float64Array(n);
  let f = fun(x, g);
  const S: Float64Array[] = [],
    Y: Float64Array[] = [],
    rho: number[] = [];
  const d = new Float64Array(n);
  const alphaBuf = new Float64Array(m);
  const gmax = (v: Float64Array) => {
    let s = 0;
    for (let i = 0; i < n; i++) s = max(s, abs(v[i]));
    return s;
  };
  if (gmax(g) <= gtol) return { x, f, iterations: 0, converged: true };
  for (let iter = 1; iter <= maxIter; iter++) {
    // two-loop recursion: d = −H·g
    for (let i = 0; i < n; i++) d[i] = -g[i];
    const k = S.length;
    for (let j = k - 1; j >= 0; j--) {
      const a = rho[j] * dot(S[j], d);
      alphaBuf[j] = a;
      const y = Y[j];
      for (let i = 0; i < n; i++) d[i] -= a * y[i];
    }
    if (k > 0) {
      const gamma = dot(S[k - 1], Y[k - 1]) / dot(Y[k - 1], Y[k - 1]);
      for (let i = 0; i < n; i++) d[i] *= gamma;
    }
    for (let j = 0; j < k; j++) {
      const b = rho[j] * dot(Y[j], d);
      const s = S[j];
      const a = alphaBuf[j];
      for (let i = 0; i < n; i++) d[i] += (a - b) * s[i];
    }
    let dg = dot(d, g);
    if (!(dg < 0)) {
      // not a descent direction (numerical trouble): restart from steepest descent
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i];
      dg = dot(d, g);
    }
    const step0 = k === 0 ? min(1, 1 / sqrt(-dg)) : 1;
    const ls = wolfeSearch(fun, x, f, g, d, dg, step0);
    if (!ls) return { x, f, iterations: iter, converged: false };
    const s = new Float64Array(n),
      y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = ls.x[i] - x[i];
      y[i] = ls.g[i] - g[i];
    }
    const sy = dot(s, y);
    const fOld = f;
    x = ls.x;
    g = ls.g;
    f = ls.f;
    if (sy > 1e-300) {
      if (S.length === m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    if (gmax(g) <= gtol) return { x, f, iterations: iter, converged: true };
    if ((fOld - f) / max(abs(fOld), abs(f), 1) <= ftol) return { x, f, iterations: iter, converged: true };
  }
  return { x, f, iterations: maxIter, converged: false };
}

interface Point {
  x: Float64Array;
  f: number;
  g: Float64Array;
  dg: number;
}

function wolfeSearch(
  fun: Objective,
  x: Float64Array,
  f0: number,
  _g0: Float64Array,
  d: Float64Array,
  dg0: number,
  step0: number,
): Point | null {
  const c1 = 1e-4,
    c2 = 0.9;
  const n = x.length;
  const evalAt = (t: number): Point => {
    const xt = new Float64Array(n);
    for (let i = 0; i < n; i++) xt[i] = x[i] + t * d[i];
    const gt = new Float64Array(n);
    const ft = fun(xt, gt);
    return { x: xt, f: ft, g: gt, dg: dot(gt, d) };
  };
  let tPrev = 0,
    fPrev = f0,
    dgPrev = dg0;
  let t = step0;
  for (let i = 0; i < 40; i++) {
    const p = evalAt(t);
    if (!Number.isFinite(p.f) || p.f > f0 + c1 * t * dg0 || (i > 0 && p.f >= fPrev)) {
      return zoom(evalAt, f0, dg0, tPrev, fPrev, dgPrev, t, p.f, p.dg);
    }
    if (abs(p.dg) <= -c2 * dg0) return p;
    if (p.dg >= 0) return zoom(evalAt, f0, dg0, t, p.f, p.dg, tPrev, fPrev, dgPrev);
    tPrev = t;
    fPrev = p.f;
    dgPrev = p.dg;
    t *= 2;
  }
  return null;
}

function zoom(
  evalAt: (t: number) => Point,
  f0: number,
  dg0: number,
  lo: number,
  fLo: number,
  dgLo: number,
  hi: number,
  fHi: number,
  dgHi: number,
): Point | null {
  const c1 = 1e-4,
    c2 = 0.9;
  let best: Point | null = null;
  for (let i = 0; i < 60; i++) {
    // cubic interpolation between lo and hi, kept inside the bracket
    let t = cubicMin(lo, fLo, dgLo, hi, fHi, dgHi);
    const a = min(lo, hi),
      b = max(lo, hi);
    if (!Number.isFinite(t) || t <= a + 0.1 * (b - a) || t >= b - 0.1 * (b - a)) t = (lo + hi) / 2;
    const p = evalAt(t);
    if (!Number.isFinite(p.f) || p.f > f0 + c1 * t * dg0 || p.f >= fLo) {
      hi = t;
      fHi = p.f;
      dgHi = p.dg;
    } else {
      best = p;
      if (abs(p.dg) <= -c2 * dg0) return p;
      if (p.dg * (hi - lo) >= 0) {
        hi = lo;
        fHi = fLo;
        dgHi = dgLo;
      }
      lo = t;
      fLo = p.f;
      dgLo = p.dg;
    }
    if (abs(hi - lo) < 1e-16 * max(1, abs(lo))) break;
  }
  return best;
}

function cubicMin(a: number, fa: number, ga: number, b: number, fb: number, gb: number): number {
  const d1 = ga + gb - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - ga * gb;
  if (disc < 0) return NaN;
  const d2 = sign(b - a) * sqrt(disc);
  return b - ((b - a) * (gb + d2 - d1)) / (gb - ga + 2 * d2);
}
