// Principal component analysis of standardised features: the explained-variance ratio of each
// component, from the eigenvalues of the correlation matrix (ml-matrix's symmetric eigensolver).
import { EigenvalueDecomposition, Matrix as MlMatrix } from 'ml-matrix';

export interface PcaResult {
  /** Share of the total variance per component, largest first. */
  readonly explainedVarianceRatio: number[];
  readonly cumulative: number[];
}

export function pcaExplainedVariance(columns: readonly Float64Array[]): PcaResult {
  const p = columns.length;
  if (p === 0) return { explainedVarianceRatio: [], cumulative: [] };
  const n = columns[0].length;
  const z = columns.map((c) => {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += c[i];
    mean /= n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (c[i] - mean) ** 2;
    const sd = Math.sqrt(ss / n) || 1;
    return Float64Array.from(c, (v) => (v - mean) / sd);
  });
  const cov = new MlMatrix(p, p);
  for (let a = 0; a < p; a++) {
    for (let b = a; b < p; b++) {
      let s = 0;
      const za = z[a];
      const zb = z[b];
      for (let i = 0; i < n; i++) s += za[i] * zb[i];
      cov.set(a, b, s / (n - 1));
      cov.set(b, a, s / (n - 1));
    }
  }
  const eig = new EigenvalueDecomposition(cov, { assumeSymmetric: true });
  const values = eig.realEigenvalues.map((v) => Math.max(0, v)).sort((x, y) => y - x);
  const total = values.reduce((s, v) => s + v, 0) || 1;
  const ratio = values.map((v) => v / total);
  const cumulative: number[] = [];
  ratio.reduce((s, v) => {
    cumulative.push(s + v);
    return s + v;
  }, 0);
  return { explainedVarianceRatio: ratio, cumulative };
}
