// libsvm's SMO solver (Chang & Lin, LIBSVM) with the WSS3 second-order working-set selection of
// Fan, Chen & Lin (2005) and libsvm's shrinking. Solves min ½αᵀQα + pᵀα, yᵀα = Δ, 0 ≤ α ≤ C,
// where Q_tu = y_t y_u K(row_t, row_u), reading kernel rows from LIBSVM's bounded LRU cache
// (kernel.ts) instead of a dense matrix; may start from a feasible α (warm start along a path of
// increasing C, sharing the cache).
//
// Unlike libsvm, variables are kept in two blocks, y = +1 then y = −1, each with its own active
// prefix: the selection loops then run without a data-dependent branch on y, which after
// shrinking's swaps is a coin flip and cost more than the arithmetic.

// Math and the infinities bound once: a global lookup in a hot loop is slow inside jest's vm context.
const { min } = Math;
const NEG_INF = Number.NEGATIVE_INFINITY;
const POS_INF = Number.POSITIVE_INFINITY;

const TAU = 1e-12;

import type { KernelRows } from './kernel.js';

export interface Problem {
  /** Kernel rows over the problem's data rows (the cache). */
  readonly kernel: KernelRows;
  /** Data row of each variable (SVR has two variables per row). */
  readonly rowOf: Int32Array;
  readonly y: Int8Array;
  readonly p: Float64Array;
  readonly C: number;
}

export interface Solution {
  readonly alpha: Float64Array;
  readonly rho: number;
  readonly iterations: number;
}

/**
 * The solver's state. Positions [0, P) hold the y = +1 variables and [P, l) the y = −1 ones; in
 * each block the active variables come first: [0, aP) and [P, P + aN).
 */
class Smo {
  readonly l: number;
  readonly P: number;
  aP: number;
  aN: number;
  readonly y: Int8Array;
  readonly rowOf: Int32Array;
  readonly p: Float64Array;
  readonly alpha: Float64Array;
  /** Original index of each position. */
  readonly orig: Int32Array;
  readonly G: Float64Array;
  /**
   * The gradient part from variables at the upper bound, to rebuild shrunk gradients, per data
   * row: G_bar of the variable at t is y_t · Gbar[rowOf[t]], with Gbar[r] = Σ_{α_i = C} C y_i K(row_i, r).
   * Kept per row rather than per variable (libsvm's layout), its update when a variable enters or
   * leaves the bound streams one kernel row without a gather, and SVR's two variables of a row
   * share one entry: half the work, which in SVR (nearly every step moves a variable to the bound)
   * was 40 % of the fit.
   */
  readonly Gbar: Float64Array;
  readonly QD: Float64Array;
  /** Row i of Q over the active positions, for the current working set. */
  readonly Qi: Float64Array;
  unshrink = false;
  iSel = -1;
  jSel = -1;

  readonly kernel: KernelRows;

  constructor(
    prob: Problem,
    readonly C: number,
    readonly eps: number,
    start?: Float64Array,
  ) {
    this.kernel = prob.kernel;
    const l = prob.y.length;
    this.l = l;
    const order: number[] = [];
    for (let t = 0; t < l; t++) if (prob.y[t] === 1) order.push(t);
    this.P = order.length;
    for (let t = 0; t < l; t++) if (prob.y[t] !== 1) order.push(t);
    this.aP = this.P;
    this.aN = l - this.P;
    this.orig = Int32Array.from(order);
    this.y = Int8Array.from(order, (t) => prob.y[t]);
    this.rowOf = Int32Array.from(order, (t) => prob.rowOf[t]);
    this.p = Float64Array.from(order, (t) => prob.p[t]);
    this.alpha = Float64Array.from(order, (t) => (start ? start[t] : 0));
    this.G = Float64Array.from(this.p);
    this.Gbar = new Float64Array(prob.kernel.m);
    this.QD = new Float64Array(l);
    this.Qi = new Float64Array(l);
    const { y, rowOf, alpha, G, Gbar, QD, kernel } = this;
    for (let i = 0; i < l; i++) QD[i] = kernel.diagonal(rowOf[i]);
    for (let i = 0; i < l; i++) {
      if (alpha[i] <= 0) continue;
      const a = alpha[i];
      const Kr = kernel.row(rowOf[i]);
      const yi = y[i];
      for (let t = 0; t < l; t++) G[t] += a * yi * y[t] * Kr[rowOf[t]];
      if (alpha[i] >= C) for (let r = 0; r < Gbar.length; r++) Gbar[r] += C * yi * Kr[r];
    }
  }

  get activeAll(): boolean {
    return this.aP === this.P && this.aN === this.l - this.P;
  }

  activateAll(): void {
    this.aP = this.P;
    this.aN = this.l - this.P;
  }

  swap(i: number, j: number): void {
    const { y, rowOf, p, alpha, orig, G, QD } = this;
    let t: number;
    t = y[i];
    y[i] = y[j];
    y[j] = t;
    t = rowOf[i];
    rowOf[i] = rowOf[j];
    rowOf[j] = t;
    t = p[i];
    p[i] = p[j];
    p[j] = t;
    t = alpha[i];
    alpha[i] = alpha[j];
    alpha[j] = t;
    t = orig[i];
    orig[i] = orig[j];
    orig[j] = t;
    t = G[i];
    G[i] = G[j];
    G[j] = t;
    t = QD[i];
    QD[i] = QD[j];
    QD[j] = t;
  }

  /** Gradient of the shrunk variables from G_bar and the free active ones. */
  reconstructGradient(): void {
    if (this.activeAll) return;
    const { l, P, aP, aN, y, rowOf, p, alpha, G, Gbar, kernel, C } = this;
    const endN = P + aN;
    for (let j = aP; j < P; j++) G[j] = Gbar[rowOf[j]] + p[j];
    for (let j = endN; j < l; j++) G[j] = p[j] - Gbar[rowOf[j]];
    const add = (i: number): void => {
      if (alpha[i] <= 0 || alpha[i] >= C) return;
      const a = alpha[i] * y[i];
      const Kr = kernel.row(rowOf[i]);
      for (let j = aP; j < P; j++) G[j] += a * Kr[rowOf[j]];
      for (let j = endN; j < l; j++) G[j] -= a * Kr[rowOf[j]];
    };
    for (let i = 0; i < aP; i++) add(i);
    for (let i = P; i < endN; i++) add(i);
  }

  beShrunk(i: number, Gmax1: number, Gmax2: number): boolean {
    const { alpha, y, G, C } = this;
    if (alpha[i] >= C) return y[i] === 1 ? -G[i] > Gmax1 : -G[i] > Gmax2;
    if (alpha[i] <= 0) return y[i] === 1 ? G[i] > Gmax2 : G[i] > Gmax1;
    return false;
  }

  /** libsvm's shrinking, inside each block: returns the block's new active count. */
  private shrinkBlock(start: number, count: number, Gmax1: number, Gmax2: number): number {
    let end = start + count;
    for (let i = start; i < end; i++) {
      if (!this.beShrunk(i, Gmax1, Gmax2)) continue;
      end--;
      while (end > i) {
        if (!this.beShrunk(end, Gmax1, Gmax2)) {
          this.swap(i, end);
          break;
        }
        end--;
      }
    }
    return end - start;
  }

  doShrinking(): void {
    const { alpha, G, C, P } = this;
    // Gmax1 = max over I_up of −y·G, Gmax2 = max over I_low of y·G
    let Gmax1 = NEG_INF;
    let Gmax2 = NEG_INF;
    for (let i = 0; i < this.aP; i++) {
      if (alpha[i] < C && -G[i] > Gmax1) Gmax1 = -G[i];
      if (alpha[i] > 0 && G[i] > Gmax2) Gmax2 = G[i];
    }
    for (let i = P; i < P + this.aN; i++) {
      if (alpha[i] < C && -G[i] > Gmax2) Gmax2 = -G[i];
      if (alpha[i] > 0 && G[i] > Gmax1) Gmax1 = G[i];
    }
    if (!this.unshrink && Gmax1 + Gmax2 <= this.eps * 10) {
      this.unshrink = true;
      this.reconstructGradient();
      this.activateAll();
    }
    this.aP = this.shrinkBlock(0, this.aP, Gmax1, Gmax2);
    this.aN = this.shrinkBlock(P, this.aN, Gmax1, Gmax2);
  }

  /** WSS3 over the active set: i maximises the violation, j the second-order decrease. True when optimal. */
  selectWorkingSet(): boolean {
    const { y, alpha, G, QD, Qi, kernel, rowOf, C, P, aP } = this;
    const endN = P + this.aN;
    let Gmax = NEG_INF;
    let Gmax2 = NEG_INF;
    let iSel = -1;
    for (let t = 0; t < aP; t++) {
      if (alpha[t] < C && -G[t] >= Gmax) {
        Gmax = -G[t];
        iSel = t;
      }
    }
    for (let t = P; t < endN; t++) {
      if (alpha[t] > 0 && G[t] >= Gmax) {
        Gmax = G[t];
        iSel = t;
      }
    }
    this.iSel = iSel;
    this.jSel = -1;
    if (iSel < 0) return true;
    let jSel = -1;
    let objMin = POS_INF;
    const yi = y[iSel];
    const Ki = kernel.row(rowOf[iSel]);
    const QDi = QD[iSel];
    for (let t = 0; t < aP; t++) {
      const q = yi * Ki[rowOf[t]];
      Qi[t] = q;
      if (alpha[t] > 0) {
        const gd = Gmax + G[t];
        if (G[t] >= Gmax2) Gmax2 = G[t];
        if (gd > 0) {
          const quad = QDi + QD[t] - 2 * yi * q;
          const obj = -(gd * gd) / (quad > 0 ? quad : TAU);
          if (obj <= objMin) {
            jSel = t;
            objMin = obj;
          }
        }
      }
    }
    for (let t = P; t < endN; t++) {
      const q = -yi * Ki[rowOf[t]];
      Qi[t] = q;
      if (alpha[t] < C) {
        const gd = Gmax - G[t];
        if (-G[t] >= Gmax2) Gmax2 = -G[t];
        if (gd > 0) {
          const quad = QDi + QD[t] + 2 * yi * q;
          const obj = -(gd * gd) / (quad > 0 ? quad : TAU);
          if (obj <= objMin) {
            jSel = t;
            objMin = obj;
          }
        }
      }
    }
    this.jSel = jSel;
    return Gmax + Gmax2 < this.eps || jSel < 0;
  }

  /** One analytic step on the pair (i, j), then the gradient (and G_bar) updates. */
  step(i: number, j: number): void {
    const { y, alpha, G, Gbar, QD, Qi, kernel, rowOf, C, P, aP } = this;
    const endN = P + this.aN;
    const oldAi = alpha[i];
    const oldAj = alpha[j];
    const wasUpperI = oldAi >= C;
    const wasUpperJ = oldAj >= C;
    if (y[i] !== y[j]) {
      let quad = QD[i] + QD[j] + 2 * Qi[j];
      if (quad <= 0) quad = TAU;
      const delta = (-G[i] - G[j]) / quad;
      const diff = alpha[i] - alpha[j];
      alpha[i] += delta;
      alpha[j] += delta;
      if (diff > 0) {
        if (alpha[j] < 0) {
          alpha[j] = 0;
          alpha[i] = diff;
        }
      } else if (alpha[i] < 0) {
        alpha[i] = 0;
        alpha[j] = -diff;
      }
      if (diff > 0) {
        if (alpha[i] > C) {
          alpha[i] = C;
          alpha[j] = C - diff;
        }
      } else if (alpha[j] > C) {
        alpha[j] = C;
        alpha[i] = C + diff;
      }
    } else {
      let quad = QD[i] + QD[j] - 2 * Qi[j];
      if (quad <= 0) quad = TAU;
      const delta = (G[i] - G[j]) / quad;
      const sum = alpha[i] + alpha[j];
      alpha[i] -= delta;
      alpha[j] += delta;
      if (sum > C) {
        if (alpha[i] > C) {
          alpha[i] = C;
          alpha[j] = sum - C;
        }
      } else if (alpha[j] < 0) {
        alpha[j] = 0;
        alpha[i] = sum;
      }
      if (sum > C) {
        if (alpha[j] > C) {
          alpha[j] = C;
          alpha[i] = sum - C;
        }
      } else if (alpha[i] < 0) {
        alpha[i] = 0;
        alpha[j] = sum;
      }
    }
    const dAi = alpha[i] - oldAi;
    // Q_jt = y_j y_t K(j, t): read from K directly instead of filling a row of Q first
    const cj = y[j] * (alpha[j] - oldAj);
    const Kj = kernel.row(rowOf[j]);
    for (let t = 0; t < aP; t++) G[t] += Qi[t] * dAi + cj * Kj[rowOf[t]];
    for (let t = P; t < endN; t++) G[t] += Qi[t] * dAi - cj * Kj[rowOf[t]];
    // keep G_bar in step when a variable enters or leaves the upper bound
    const m = Gbar.length;
    if (wasUpperI !== alpha[i] >= C) {
      const s = (wasUpperI ? -C : C) * y[i];
      const Kr = kernel.row(rowOf[i]);
      for (let r = 0; r < m; r++) Gbar[r] += s * Kr[r];
    }
    if (wasUpperJ !== alpha[j] >= C) {
      const s = (wasUpperJ ? -C : C) * y[j];
      for (let r = 0; r < m; r++) Gbar[r] += s * Kj[r];
    }
  }

  /** rho: mean of y·G over free variables, else the middle of the feasible interval. */
  rho(): number {
    const { y, G, alpha, C, l } = this;
    let nFree = 0;
    let sumFree = 0;
    let ub = POS_INF;
    let lb = NEG_INF;
    for (let t = 0; t < l; t++) {
      const yG = y[t] * G[t];
      if (alpha[t] >= C) {
        if (y[t] === -1) ub = min(ub, yG);
        else lb = lb > yG ? lb : yG;
      } else if (alpha[t] <= 0) {
        if (y[t] === 1) ub = min(ub, yG);
        else lb = lb > yG ? lb : yG;
      } else {
        nFree++;
        sumFree += yG;
      }
    }
    return nFree > 0 ? sumFree / nFree : (ub + lb) / 2;
  }
}

export function solve(prob: Problem, eps: number, start?: Float64Array): Solution {
  const st = new Smo(prob, prob.C, eps, start);
  const l = st.l;
  const maxIter = Math.max(10000000, 100 * l);
  let iter = 0;
  let counter = min(l, 1000) + 1;
  while (iter < maxIter) {
    if (--counter === 0) {
      counter = min(l, 1000);
      st.doShrinking();
    }
    if (st.selectWorkingSet()) {
      // optimal on the active set: check again on all variables before stopping
      st.reconstructGradient();
      st.activateAll();
      if (st.selectWorkingSet()) break;
      counter = 1;
    }
    iter++;
    st.step(st.iSel, st.jSel);
  }
  if (!st.activeAll) {
    st.reconstructGradient();
    st.activateAll();
  }
  const alpha = new Float64Array(l);
  for (let t = 0; t < l; t++) alpha[st.orig[t]] = st.alpha[t];
  return { alpha, rho: st.rho(), iterations: iter };
}
