// The predicted class of each row of a probability matrix.
import type { Matrix } from '../matrix.js';

/** Index of the largest value per row; the first wins ties, as numpy's argmax. */
export function argmaxRows(P: Matrix): Int32Array {
  const out = new Int32Array(P.rows);
  const K = P.cols;
  for (let i = 0; i < P.rows; i++) {
    let best = 0;
    for (let c = 1; c < K; c++) if (P.data[i * K + c] > P.data[i * K + best]) best = c;
    out[i] = best;
  }
  return out;
}
