// Probability estimates for SVMs as libsvm computes them: Platt's sigmoid (Platt 1999) fitted by the
// Newton method with backtracking of Lin, Lin & Weng (2007) to cross-validated decision values, and
// pairwise probabilities coupled into class probabilities by Wu, Lin & Weng (2004), method 2.

// Math and the infinities bound once: a global lookup in a hot loop is slow inside jest's vm context.
const { abs, exp, log, max } = Math;

export interface Sigmoid {
  readonly A: number;
  readonly B: number;
}

/** libsvm's sigmoid_train: labels are +1/-1. */
export function sigmoidTrain(dec: Float64Array, labels: Int8Array): Sigmoid {
  const l = dec.length;
  let prior1 = 0;
  for (let i = 0; i < l; i++) if (labels[i] > 0) prior1++;
  const prior0 = l - prior1;
  const maxIter = 100;
  const minStep = 1e-10;
  const sigma = 1e-12;
  const eps = 1e-5;
  const hi = (prior1 + 1) / (prior1 + 2);
  const lo = 1 / (prior0 + 2);
  const t = Float64Array.from(labels, (v) => (v > 0 ? hi : lo));
  let A = 0;
  let B = log((prior0 + 1) / (prior1 + 1));
  const objective = (a: number, b: number): number => {
    let f = 0;
    for (let i = 0; i < l; i++) {
      const z = dec[i] * a + b;
      f += z >= 0 ? t[i] * z + log(1 + exp(-z)) : (t[i] - 1) * z + log(1 + exp(z));
    }
    return f;
  };
  let fval = objective(A, B);
  for (let iter = 0; iter < maxIter; iter++) {
    let h11 = sigma;
    let h22 = sigma;
    let h21 = 0;
    let g1 = 0;
    let g2 = 0;
    for (let i = 0; i < l; i++) {
      const z = dec[i] * A + B;
      let p: number;
      let q: number;
      if (z >= 0) {
        p = exp(-z) / (1 + exp(-z));
        q = 1 / (1 + exp(-z));
      } else {
        p = 1 / (1 + exp(z));
        q = exp(z) / (1 + exp(z));
      }
      const d2 = p * q;
      h11 += dec[i] * dec[i] * d2;
      h22 += d2;
      h21 += dec[i] * d2;
      const d1 = t[i] - p;
      g1 += dec[i] * d1;
      g2 += d1;
    }
    if (abs(g1) < eps && abs(g2) < eps) break;
    const det = h11 * h22 - h21 * h21;
    const dA = -(h22 * g1 - h21 * g2) / det;
    const dB = -(-h21 * g1 + h11 * g2) / det;
    const gd = g1 * dA + g2 * dB;
    let step = 1;
    while (step >= minStep) {
      const nA = A + step * dA;
      const nB = B + step * dB;
      const nf = objective(nA, nB);
      if (nf < fval + 0.0001 * step * gd) {
        A = nA;
        B = nB;
        fval = nf;
        break;
      }
      step /= 2;
    }
    if (step < minStep) break;
  }
  return { A, B };
}

export function sigmoidPredict(dec: number, s: Sigmoid): number {
  const z = dec * s.A + s.B;
  return z >= 0 ? exp(-z) / (1 + exp(-z)) : 1 / (1 + exp(z));
}

/** libsvm's multiclass_probability: r is k × k pairwise probabilities (r[i][j] = P(i | i or j)). */
export function coupleProbabilities(k: number, r: Float64Array, out: Float64Array, off: number): void {
  const maxIter = max(100, k);
  const Q = new Float64Array(k * k);
  const Qp = new Float64Array(k);
  const p = new Float64Array(k);
  const eps = 0.005 / k;
  for (let t = 0; t < k; t++) {
    p[t] = 1 / k;
    Q[t * k + t] = 0;
    for (let j = 0; j < t; j++) {
      Q[t * k + t] += r[j * k + t] * r[j * k + t];
      Q[t * k + j] = Q[j * k + t];
    }
    for (let j = t + 1; j < k; j++) {
      Q[t * k + t] += r[j * k + t] * r[j * k + t];
      Q[t * k + j] = -r[j * k + t] * r[t * k + j];
    }
  }
  for (let iter = 0; iter < maxIter; iter++) {
    let pQp = 0;
    for (let t = 0; t < k; t++) {
      Qp[t] = 0;
      for (let j = 0; j < k; j++) Qp[t] += Q[t * k + j] * p[j];
      pQp += p[t] * Qp[t];
    }
    let maxError = 0;
    for (let t = 0; t < k; t++) maxError = max(maxError, abs(Qp[t] - pQp));
    if (maxError < eps) break;
    for (let t = 0; t < k; t++) {
      const diff = (-Qp[t] + pQp) / Q[t * k + t];
      p[t] += diff;
      pQp = (pQp + diff * (diff * Q[t * k + t] + 2 * Qp[t])) / (1 + diff) / (1 + diff);
      for (let j = 0; j < k; j++) {
        Qp[j] = (Qp[j] + diff * Q[t * k + j]) / (1 + diff);
        p[j] /= 1 + diff;
      }
    }
  }
  for (let t = 0; t < k; t++) out[off + t] = p[t];
}
