// Mutual information between each feature and the target with the k-nearest-neighbour estimators
// scikit-learn's mutual_info_classif / mutual_info_regression use (k = 3):
// - continuous feature, continuous target: Kraskov, Stögbauer & Grassberger (2004), estimator 1;
// - continuous feature, discrete target (or the reverse): Ross (2014), "Mutual information between
//   discrete and continuous data sets", PLoS ONE 9(2);
// - discrete with discrete: the plug-in estimate from the contingency table.
// Continuous columns are scaled to unit variance and get scikit-learn's 1e-10-scale tie-breaking
// noise, drawn exactly as scikit-learn draws it for the same seed (numpy's legacy generator): with
// tied values (Iris is measured to 0.1 cm) the noise decides the neighbours, and the estimate.
// Every neighbour query is 1-D or 2-D under the max-norm, so sorted arrays and a sweep replace the
// KD-tree (hand-written: no npm library offers these estimators).
import { digamma } from './digamma.js';
import { Gaussian } from './gauss.js';

export interface MiOptions {
  readonly k?: number;
  /** Which features are discrete (integer-valued); the rest are continuous. */
  readonly discrete?: readonly boolean[];
  /** scikit-learn's random_state for the tie-breaking noise (default 0). */
  readonly seed?: number;
}

/** Scales the continuous columns and adds the noise, row by row as numpy fills (n, p) arrays. */
function prepare(
  features: readonly Float64Array[],
  discrete: readonly boolean[] | undefined,
  g: Gaussian,
): Float64Array[] {
  const cont = features.map((_, j) => !discrete?.[j]);
  const out = features.map((c, j) => (cont[j] ? scaled(c) : c));
  const n = features.length ? features[0].length : 0;
  const means = out.map((c, j) => {
    if (!cont[j]) return 0;
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.abs(c[i]);
    return Math.max(1, s / n);
  });
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < out.length; j++) if (cont[j]) out[j][i] += 1e-10 * means[j] * g.next();
  }
  return out;
}

function scaled(v: Float64Array): Float64Array {
  const n = v.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += v[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (v[i] - mean) ** 2;
  const sd = Math.sqrt(ss / n);
  if (sd === 0) return v.slice();
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = v[i] / sd;
  return out;
}

/** Indices 0…n-1 ordered by v. */
function argsort(v: Float64Array): Int32Array {
  const idx = Int32Array.from({ length: v.length }, (_, i) => i);
  return idx.sort((a, b) => v[a] - v[b] || a - b);
}

/** Number of values in sorted `s` with |s[j] - x| < r (strictly), by two binary searches. */
function countWithin(s: Float64Array, x: number, r: number): number {
  // scikit-learn queries radius nextafter(r, 0) inclusively: for r = 0 that is the tied values.
  if (r === 0) return lowerBound(s, x, false) - lowerBound(s, x, true);
  const lo = lowerBound(s, x - r, false);
  const hi = lowerBound(s, x + r, true);
  return hi - lo;
}
/** First index with s[i] > t (strict=false: s[i] > t … we need open intervals on both sides). */
function lowerBound(s: Float64Array, t: number, inclusiveEnd: boolean): number {
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    // left end: first s > t ; right end: first s >= t
    if (inclusiveEnd ? s[mid] < t : s[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Distance to the k-th nearest other point of each point, max-norm over (x, y). */
function kthJointDistance(x: Float64Array, y: Float64Array, k: number): Float64Array {
  const n = x.length;
  const order = argsort(x);
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xs[i] = x[order[i]];
    ys[i] = y[order[i]];
  }
  const out = new Float64Array(n);
  const best = new Float64Array(k); // the k smallest distances so far, ascending
  for (let p = 0; p < n; p++) {
    best.fill(Infinity);
    const px = xs[p];
    const py = ys[p];
    // Sweep outwards in x order; stop each side once |dx| alone exceeds the current k-th distance.
    let l = p - 1;
    let r = p + 1;
    while (l >= 0 || r < n) {
      const dl = l >= 0 ? px - xs[l] : Infinity;
      const dr = r < n ? xs[r] - px : Infinity;
      const j = dl <= dr ? l-- : r++;
      const dx = Math.min(dl, dr);
      if (dx > best[k - 1]) break;
      const d = Math.max(dx, Math.abs(ys[j] - py));
      if (d < best[k - 1]) {
        let q = k - 1;
        while (q > 0 && best[q - 1] > d) {
          best[q] = best[q - 1];
          q--;
        }
        best[q] = d;
      }
    }
    out[order[p]] = best[k - 1];
  }
  return out;
}

/** KSG estimator 1 for two continuous variables. */
export function miContinuousContinuous(x: Float64Array, y: Float64Array, k = 3): number {
  const n = x.length;
  if (n <= k) return 0;
  const radius = kthJointDistance(x, y, k);
  const sx = Float64Array.from(x).sort();
  const sy = Float64Array.from(y).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) {
    // Points strictly closer than the radius, excluding the point itself.
    const nx = countWithin(sx, x[i], radius[i]) - 1;
    const ny = countWithin(sy, y[i], radius[i]) - 1;
    sum += digamma(nx + 1) + digamma(ny + 1);
  }
  return Math.max(0, digamma(n) + digamma(k) - sum / n);
}

/** Ross's estimator for a continuous c and a discrete d (integer codes). */
export function miContinuousDiscrete(c: Float64Array, d: Int32Array, k = 3): number {
  const n = c.length;
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const g = groups.get(d[i]);
    if (g) g.push(i);
    else groups.set(d[i], [i]);
  }
  const radius = new Float64Array(n);
  const kAll = new Int32Array(n);
  const labelCount = new Int32Array(n);
  for (const members of groups.values()) {
    const count = members.length;
    for (const i of members) labelCount[i] = count;
    if (count < 2) continue;
    const kk = Math.min(k, count - 1);
    const vals = Float64Array.from(members, (i) => c[i]);
    const order = argsort(vals);
    const s = Float64Array.from(order, (o) => vals[o]);
    for (let p = 0; p < count; p++) {
      // k-th nearest other value in 1-D: merge outwards from p.
      let l = p - 1;
      let r = p + 1;
      let dist = 0;
      for (let m = 0; m < kk; m++) {
        const dl = l >= 0 ? s[p] - s[l] : Infinity;
        const dr = r < count ? s[r] - s[p] : Infinity;
        if (dl <= dr) {
          dist = dl;
          l--;
        } else {
          dist = dr;
          r++;
        }
      }
      radius[members[order[p]]] = dist;
      kAll[members[order[p]]] = kk;
    }
  }
  const keep: number[] = [];
  for (let i = 0; i < n; i++) if (labelCount[i] > 1) keep.push(i);
  const m = keep.length;
  if (m === 0) return 0;
  const s = Float64Array.from(keep, (i) => c[i]).sort();
  let sk = 0;
  let sl = 0;
  let sm = 0;
  for (const i of keep) {
    sk += digamma(kAll[i]);
    sl += digamma(labelCount[i]);
    // scikit-learn counts points within nextafter(radius, 0), the point itself included.
    sm += digamma(countWithin(s, c[i], radius[i]));
  }
  return Math.max(0, digamma(m) + sk / m - sl / m - sm / m);
}

/** Plug-in MI of two discrete variables (natural log), as sklearn.metrics.mutual_info_score. */
export function miDiscreteDiscrete(a: Int32Array, b: Int32Array): number {
  const n = a.length;
  const joint = new Map<string, number>();
  const ca = new Map<number, number>();
  const cb = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const key = `${a[i]},${b[i]}`;
    joint.set(key, (joint.get(key) ?? 0) + 1);
    ca.set(a[i], (ca.get(a[i]) ?? 0) + 1);
    cb.set(b[i], (cb.get(b[i]) ?? 0) + 1);
  }
  let mi = 0;
  for (const [key, nij] of joint) {
    const [x, y] = key.split(',').map(Number);
    mi += (nij / n) * Math.log((n * nij) / ((ca.get(x) ?? 1) * (cb.get(y) ?? 1)));
  }
  return Math.max(0, mi);
}

function codes(v: Float64Array): Int32Array {
  const map = new Map<number, number>();
  return Int32Array.from(v, (x) => {
    let c = map.get(x);
    if (c === undefined) {
      c = map.size;
      map.set(x, c);
    }
    return c;
  });
}

/** MI of each column of `features` (column arrays) with a discrete target (class codes). */
export function mutualInfoClassif(features: readonly Float64Array[], y: Int32Array, opts: MiOptions = {}): number[] {
  const k = opts.k ?? 3;
  const xs = prepare(features, opts.discrete, new Gaussian(opts.seed ?? 0));
  return xs.map((col, j) => (opts.discrete?.[j] ? miDiscreteDiscrete(codes(col), y) : miContinuousDiscrete(col, y, k)));
}

/** MI of each column with a continuous target. */
export function mutualInfoRegression(
  features: readonly Float64Array[],
  y: Float64Array,
  opts: MiOptions = {},
): number[] {
  const k = opts.k ?? 3;
  const g = new Gaussian(opts.seed ?? 0);
  const xs = prepare(features, opts.discrete, g);
  const ys = scaled(y);
  let s = 0;
  for (let i = 0; i < ys.length; i++) s += Math.abs(ys[i]);
  const scale = 1e-10 * Math.max(1, s / ys.length);
  for (let i = 0; i < ys.length; i++) ys[i] += scale * g.next();
  return xs.map((col, j) =>
    opts.discrete?.[j] ? miContinuousDiscrete(ys, codes(col), k) : miContinuousContinuous(col, ys, k),
  );
}
