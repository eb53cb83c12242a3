// Solving one SVM dual for several C at once: the kernel matrix is shared and each C starts from the
// previous (smaller) C's solution, which stays feasible because the box only grows (0 ≤ α ≤ C).
import { throwIfAborted } from '../estimator.js';
import type { FitContext } from '../estimator.js';
import { solve } from './smo.js';
import type { Problem, Solution } from './smo.js';

/**
 * A cold start and a warm start stop at different points of the same tolerance ball, so their
 * decision values can differ by a few times `tol`; solving to tol/10 keeps every path result
 * within 1e-3 of the independent fit (and closer to the exact optimum than libsvm's stop).
 */
export const TOLERANCE_FACTOR = 0.1;

/** Solutions for `Cs` (any order), each to tolerance `tol` · TOLERANCE_FACTOR. */
export function solvePath(
  problem: Omit<Problem, 'C'>,
  Cs: readonly number[],
  tol: number,
  ctx?: FitContext,
): Solution[] {
  const eps = tol * TOLERANCE_FACTOR;
  const order = Cs.map((_, i) => i).sort((a, b) => Cs[a] - Cs[b]);
  const out: Solution[] = new Array<Solution>(Cs.length);
  let prev: Float64Array | undefined;
  for (const i of order) {
    throwIfAborted(ctx);
    const s = solve({ ...problem, C: Cs[i] }, eps, prev);
    out[i] = s;
    prev = s.alpha;
  }
  return out;
}
