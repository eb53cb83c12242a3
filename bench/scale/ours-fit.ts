// One side of `pnpm bench:scale`: our HistGradientBoostingClassifier (the built services/ml) on the
// rows sklearn_fit.py wrote, first 80 % to fit, the rest to score; prints one JSON line like it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  HistGradientBoostingClassifier,
  Matrix,
  accuracy,
  classificationTarget,
} from '../../services/ml/dist/index.js';

const [dir, nText] = process.argv.slice(2);
const n = Number(nText);
const buf = readFileSync(join(dir, `X-${n}.f64`));
const X = new Matrix(n, 20, new Float64Array(buf.buffer, buf.byteOffset, n * 20).slice());
const ybuf = readFileSync(join(dir, `y-${n}.i32`));
const codes = new Int32Array(ybuf.buffer, ybuf.byteOffset, n).slice();
const cut = Math.floor(0.8 * n);
const ytr = classificationTarget(Array.from(codes.subarray(0, cut), String));
const Xtr = new Matrix(cut, 20, X.data.subarray(0, cut * 20));
const Xte = new Matrix(n - cut, 20, X.data.subarray(cut * 20));
const t0 = performance.now();
const c0 = process.cpuUsage();
const model = new HistGradientBoostingClassifier().fit(Xtr, ytr, { seed: 0 });
const fitS = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(c0);
const pred = model.predict(Xte);
const truth = Int32Array.from(codes.subarray(cut), (c) => ytr.classes.indexOf(String(c)));
console.log(
  JSON.stringify({
    fit_s: fitS,
    cpu_s: (cpu.user + cpu.system) / 1e6,
    accuracy: accuracy(truth, pred),
    n_iter: model.nIter,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  }),
);
