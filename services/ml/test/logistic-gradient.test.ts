// The blocked multinomial loss and gradient (rows in twos and fours, classes in fours, threes and
// twos, with remainders) reach scikit-learn's optimum for every class count and row count: the
// fitted weights are (to the solver's stopping rule) a stationary point of Σ_i [log Σ_k e^{z_ik} − z_i,y_i] + ‖W‖²/(2C), with the
// gradient written out row by row here.
import { Matrix } from '../src/matrix.js';
import { classificationTarget } from '../src/target.js';
import { LogisticRegression } from '../src/linear/logistic-regression.js';
import { RandomState } from '../src/random/random-state.js';

function problem(rows: number, cols: number, K: number, seed: number): { X: Matrix; y: string[] } {
  const rs = new RandomState(seed);
  const X = new Matrix(rows, cols);
  const y: string[] = [];
  for (let i = 0; i < rows; i++) {
    const c = i % K;
    y.push(`c${c}`);
    for (let j = 0; j < cols; j++) X.data[i * cols + j] = rs.random() + (j % K === c ? 0.7 : 0);
  }
  return { X, y };
}

describe('multinomial logistic regression', () => {
  it.each([3, 4, 5, 6, 7, 8, 10, 11])('with %i classes and an odd row count ends at a zero of the gradient', (K) => {
    const rows = 203,
      cols = 9,
      C = 0.5;
    const { X, y } = problem(rows, cols, K, K);
    const model = new LogisticRegression({ C, tol: 1e-10, max_iter: 1000 }).fit(X, classificationTarget(y));
    const { W, b } = model.scores;
    const codes = classificationTarget(y).codes;
    const gW = new Float64Array(K * cols),
      gb = new Float64Array(K);
    for (let i = 0; i < rows; i++) {
      const z = Array.from({ length: K }, (_, k) => {
        let s = b[k];
        for (let j = 0; j < cols; j++) s += W[k * cols + j] * X.data[i * cols + j];
        return s;
      });
      const mx = Math.max(...z);
      const e = z.map((v) => Math.exp(v - mx));
      const se = e.reduce((a, v) => a + v, 0);
      for (let k = 0; k < K; k++) {
        const r = e[k] / se - (codes[i] === k ? 1 : 0);
        gb[k] += r;
        for (let j = 0; j < cols; j++) gW[k * cols + j] += r * X.data[i * cols + j];
      }
    }
    for (let q = 0; q < K * cols; q++) gW[q] += W[q] / C;
    const worst = Math.max(...Array.from(gW, Math.abs), ...Array.from(gb, Math.abs));
    // scipy's ftol stops the solver first (here at 10⁻⁴ or so); a block that dropped or doubled a
    // class or a row would leave a gradient of the order of the rows (about 10²)
    expect(worst).toBeLessThan(1e-2);
  });
});
