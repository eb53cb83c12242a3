// One tree of histogram gradient boosting, grown leaf-wise as scikit-learn 1.2's TreeGrower does:
// the splittable leaf with the largest gain is split next (up to max_leaf_nodes leaves); each
// node's gradient/hessian histograms are built for the smaller child only, the larger child's
// being its parent's minus its sibling's; each feature is scanned left to right (missing values go
// right) and, when it has missing values, right to left (missing values go left).
// Gain and values as splitting.pyx: value = −G/(H + λ + 1e-15), gain = loss(node) − loss(left) −
// loss(right) with loss(v, G) = G·v (the root's value is 0, as scikit-learn keeps it).
// A categorical feature's bins are its categories (the missing bin one more): its split is a set of
// bins going left, found as splitting.pyx's _find_best_bin_to_split_category does (see findCategorical).

const MIN_HESSIAN_TO_SPLIT = 1e-3;
/**
 * splitting.pyx's MIN_CAT_SUPPORT: a category needs this much hessian (in samples) to be placed by
 * the scan, and its gradient ratio is smoothed by it (LightGBM's cat_smooth).
 */
const MIN_CAT_SUPPORT = 10;
/** Uint32 words of a bitset over the 256 bins (scikit-learn's BITSET_INNER_DTYPE[8]). */
export const BITSET_WORDS = 8;
/**
 * Doubles per histogram bin: gradient sum, hessian sum, count and one unused, so that a bin's
 * offset is a shift and a bin never straddles two cache lines.
 */
const SLOTS = 4;
/** Rows per block when building a histogram (see buildHist). */
const BLOCK = 256;

export interface GrowerParams {
  readonly maxLeafNodes: number | null;
  readonly maxDepth: number | null;
  readonly minSamplesLeaf: number;
  readonly l2: number;
  readonly shrinkage: number;
}

/** A fitted tree in bin space and value space; leaves have feature −1. */
export interface HistNodes {
  readonly feature: Int32Array;
  readonly binThreshold: Uint8Array;
  readonly missingLeft: Uint8Array;
  /** 1 where the node splits a categorical feature by the set of bins in binBitsets. */
  readonly categorical: Uint8Array;
  /** BITSET_WORDS per node: the bins going left at a categorical split (the missing bin included when missing values do). */
  readonly binBitsets: Uint32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** Leaf values already multiplied by the learning rate. */
  readonly value: Float64Array;
  readonly count: Float64Array;
}

interface Split {
  gain: number;
  feature: number;
  bin: number;
  missingLeft: boolean;
  /** The bins going left, for a categorical feature; null for a threshold. */
  cats: Uint32Array | null;
  gL: number;
  hL: number;
  nL: number;
  gR: number;
  hR: number;
  nR: number;
}

interface Node {
  depth: number;
  start: number;
  stop: number;
  sumG: number;
  sumH: number;
  value: number;
  hist: Float64Array | null;
  split: Split | null;
  left: Node | null;
  right: Node | null;
  leaf: boolean;
  /** Insertion order, breaking gain ties the way a heap of equal keys would rarely matter. */
  order: number;
}

const nodeValue = (g: number, h: number, l2: number): number => -g / (h + l2 + 1e-15);

/**
 * The data every tree of a fit shares: bins (column-major), bins per feature, which features have
 * missing values. Buffers are reused between trees.
 */
export class HistGrower {
  readonly n: number;
  readonly F: number;
  /** Histogram stride per feature: nBins × SLOTS. */
  private readonly stride: number;
  private readonly idx: Uint32Array;
  private readonly tmp: Uint32Array;
  /** The bins again, column-major (feature f, row i at f * n + i), for partitioning. */
  private readonly columns: Uint8Array;
  private readonly pool: Float64Array[] = [];
  /** Where touchRows' sums go, so the loads that warm the cache are not optimised away. */
  private sink = 0;
  /** Leaf of each training row after grow(): the partition's ranges. */
  readonly leafRanges: { start: number; stop: number; value: number }[] = [];

  constructor(
    /** Row-major bins: row i, feature f at i * F + f. */
    readonly binned: Uint8Array,
    n: number,
    readonly nBinsNonMissing: Int32Array,
    readonly hasMissing: Uint8Array,
    readonly nBins: number,
    /** 1 for features whose bins are categories. */
    readonly isCategorical: Uint8Array = new Uint8Array(nBinsNonMissing.length),
  ) {
    this.n = n;
    this.F = nBinsNonMissing.length;
    this.stride = nBins * SLOTS;
    this.idx = new Uint32Array(n);
    this.tmp = new Uint32Array(n);
    const F = this.F;
    this.columns = new Uint8Array(n * F);
    for (let i = 0; i < n; i++) for (let f = 0; f < F; f++) this.columns[f * n + i] = binned[i * F + f];
  }

  /** Row indices in partition order: the rows of a leaf range [start, stop). */
  get sampleIndices(): Uint32Array {
    return this.idx;
  }

  private takeHist(): Float64Array {
    const h = this.pool.pop();
    if (h) {
      h.fill(0);
      return h;
    }
    return new Float64Array(this.F * this.stride);
  }

  private buildHist(node: Node, g: Float32Array, h: Float32Array, constH: boolean): Float64Array {
    const hist = this.takeHist();
    const { idx, binned, F } = this;
    const { start, stop } = node;
    // Four features per pass over a block of the node's rows: a row's index, gradient and hessian
    // are read once for four bins, four features' histograms (4 × nBins × 4 doubles, 32 KB at 255
    // bins) stay in L1, and the block's rows (≤ BLOCK cache lines of row-major bins) stay in L2 for
    // the next four features (at 1M rows the bins are 16 MB: without blocks each pass misses again).
    // A bin still adds its rows in partition order, as scikit-learn's loop does, so the sums are the
    // same to the bit as one feature at a time. Measured on 800k rows × 20 features, 3 % of them:
    // 1.6 ms against 4.8 ms unblocked and 2.1 ms a row at a time over all features.
    // The root's rows are all rows in order (idx is the identity there), read without the indices.
    // Below the root a block's rows are scattered over the bins and gradients (a cache miss each at
    // 1M rows), so one tight pass first loads each row's bins, gradient and hessian: its loads do
    // not wait on one another, so their misses overlap (a software prefetch), and the feature passes
    // then hit L1. Measured on 720k rows × 20 features, 10 % of them scattered: 3.3–4.1 ms against
    // 6.5 ms; the root 22 ms against 28 ms. The sums are unchanged (same rows, same order).
    const fs = this.nBins * SLOTS;
    const root = start === 0 && stop === this.n;
    for (let b0 = start; b0 < stop; b0 += BLOCK) {
      const b1 = b0 + BLOCK < stop ? b0 + BLOCK : stop;
      let f = 0;
      if (root) {
        for (; f + 4 <= F; f += 4) {
          if (constH) addRoot4G(hist, f * fs, fs, binned, F, f, b0, b1, g);
          else addRoot4GH(hist, f * fs, fs, binned, F, f, b0, b1, g, h);
        }
        for (; f < F; f++) addRows1(hist, f * fs, binned, F, f, idx, b0, b1, g, h, constH);
        continue;
      }
      this.sink += touchRows(binned, F, idx, b0, b1, g, constH ? g : h);
      for (; f + 4 <= F; f += 4) {
        if (constH) addRows4G(hist, f * fs, fs, binned, F, f, idx, b0, b1, g);
        else addRows4GH(hist, f * fs, fs, binned, F, f, idx, b0, b1, g, h);
      }
      for (; f < F; f++) addRows1(hist, f * fs, binned, F, f, idx, b0, b1, g, h, constH);
    }
    return hist;
  }

  private findSplit(node: Node, p: GrowerParams, constH: boolean): Split | null {
    const hist = node.hist as Float64Array;
    const { F, stride, nBinsNonMissing, hasMissing } = this;
    const nNode = node.stop - node.start;
    const { sumG, sumH } = node;
    const l2 = p.l2,
      msl = p.minSamplesLeaf;
    const lossNode = sumG * node.value;
    let best: Split | null = null;
    for (let f = 0; f < F; f++) {
      if (this.isCategorical[f] === 1) {
        const c = this.findCategorical(f, node, p, constH);
        if (c !== null && (best === null || c.gain > best.gain)) best = c;
        continue;
      }
      const base = f * stride;
      const nbm = nBinsNonMissing[f];
      const miss = hasMissing[f];
      let bestGain = -1,
        bestBin = -1,
        missingLeft = false;
      let bgL = 0,
        bhL = 0,
        bnL = 0;
      // left to right: missing values (if any) go right
      let gL = 0,
        hL = 0,
        nL = 0;
      const end = nbm - 1 + miss;
      for (let b = 0; b < end; b++) {
        const o = base + (b << 2);
        nL += hist[o + 2];
        const nR = nNode - nL;
        hL += constH ? hist[o + 2] : hist[o + 1];
        const hR = sumH - hL;
        gL += hist[o];
        const gR = sumG - gL;
        if (nL < msl) continue;
        if (nR < msl) break;
        if (hL < MIN_HESSIAN_TO_SPLIT) continue;
        if (hR < MIN_HESSIAN_TO_SPLIT) break;
        const gain = lossNode - gL * nodeValue(gL, hL, l2) - gR * nodeValue(gR, hR, l2);
        if (gain > bestGain && gain > 0) {
          bestGain = gain;
          bestBin = b;
          bgL = gL;
          bhL = hL;
          bnL = nL;
        }
      }
      if (miss) {
        // right to left: missing values go left
        let gR = 0,
          hR = 0,
          nR = 0;
        for (let b = nbm - 2; b >= 0; b--) {
          const o = base + ((b + 1) << 2);
          nR += hist[o + 2];
          const nL2 = nNode - nR;
          hR += constH ? hist[o + 2] : hist[o + 1];
          const hL2 = sumH - hR;
          gR += hist[o];
          const gL2 = sumG - gR;
          if (nR < msl) continue;
          if (nL2 < msl) break;
          if (hR < MIN_HESSIAN_TO_SPLIT) continue;
          if (hL2 < MIN_HESSIAN_TO_SPLIT) break;
          const gain = lossNode - gL2 * nodeValue(gL2, hL2, l2) - gR * nodeValue(gR, hR, l2);
          if (gain > bestGain && gain > 0) {
            bestGain = gain;
            bestBin = b;
            bgL = gL2;
            bhL = hL2;
            bnL = nL2;
            missingLeft = true;
          }
        }
      }
      if (bestBin >= 0 && (best === null || bestGain > best.gain)) {
        best = {
          gain: bestGain,
          feature: f,
          bin: bestBin,
          missingLeft,
          cats: null,
          gL: bgL,
          hL: bhL,
          nL: bnL,
          gR: sumG - bgL,
          hR: sumH - bhL,
          nR: nNode - bnL,
        };
      }
    }
    return best;
  }

  /**
   * splitting.pyx's _find_best_bin_to_split_category: the categories (the missing bin as one more)
   * with at least MIN_CAT_SUPPORT samples' worth of hessian, sorted by G / (H + MIN_CAT_SUPPORT),
   * are scanned from each end to the middle, the scanned prefix going left; categories below the
   * support always go right. The sort reproduces glibc's qsort (a top-down merge sort) with the
   * comparator scikit-learn gives it (−1 when a < b, else 1), so equal ratios fall in its order.
   */
  private findCategorical(f: number, node: Node, p: GrowerParams, constH: boolean): Split | null {
    const hist = node.hist as Float64Array;
    const base = f * this.stride;
    const nNode = node.stop - node.start;
    const { sumG, sumH } = node;
    const msl = p.minSamplesLeaf,
      l2 = p.l2;
    const supportFactor = nNode / sumH;
    const nbm = this.nBinsNonMissing[f];
    const bins: number[] = [];
    const ratio: number[] = [];
    const consider = (b: number): void => {
      const o = base + (b << 2);
      const hb = constH ? hist[o + 2] : hist[o + 1];
      if (hb * supportFactor >= MIN_CAT_SUPPORT) {
        bins.push(b);
        ratio.push(hist[o] / (hb + MIN_CAT_SUPPORT));
      }
    };
    for (let b = 0; b < nbm; b++) consider(b);
    const missingBin = this.nBins - 1;
    if (this.hasMissing[f] === 1) consider(missingBin);
    const used = bins.length;
    if (used <= 1) return null;
    const order = glibcMergeSort(used, (a, b) => (ratio[a] < ratio[b] ? -1 : 1));
    const lossNode = sumG * node.value;
    let bestGain = -1,
      bestThresh = -1,
      bestDir = 0,
      bgL = 0,
      bhL = 0,
      bnL = 0;
    for (const dir of [1, -1]) {
      const middle = dir === 1 ? (used + 1) >> 1 : ((used + 1) >> 1) - 1;
      let gL = 0,
        hL = 0,
        nL = 0;
      for (let i = 0; i < middle; i++) {
        const sorted = dir === 1 ? i : used - 1 - i;
        const o = base + (bins[order[sorted]] << 2);
        nL += hist[o + 2];
        const nR = nNode - nL;
        hL += constH ? hist[o + 2] : hist[o + 1];
        const hR = sumH - hL;
        gL += hist[o];
        const gR = sumG - gL;
        if (nL < msl || hL < MIN_HESSIAN_TO_SPLIT) continue;
        if (nR < msl || hR < MIN_HESSIAN_TO_SPLIT) break;
        const gain = lossNode - gL * nodeValue(gL, hL, l2) - gR * nodeValue(gR, hR, l2);
        if (gain > bestGain && gain > 0) {
          bestGain = gain;
          bestThresh = sorted;
          bestDir = dir;
          bgL = gL;
          bhL = hL;
          bnL = nL;
        }
      }
    }
    if (bestDir === 0) return null;
    const cats = new Uint32Array(BITSET_WORDS);
    const from = bestDir === 1 ? 0 : bestThresh,
      to = bestDir === 1 ? bestThresh : used - 1;
    for (let k = from; k <= to; k++) {
      const b = bins[order[k]];
      cats[b >>> 5] |= 1 << (b & 31);
    }
    return {
      gain: bestGain,
      feature: f,
      bin: 0,
      missingLeft: (cats[missingBin >>> 5] & (1 << (missingBin & 31))) !== 0,
      cats,
      gL: bgL,
      hL: bhL,
      nL: bnL,
      gR: sumG - bgL,
      hR: sumH - bhL,
      nR: nNode - bnL,
    };
  }

  /**
   * Stable partition of the node's rows; returns the first index of the right child. Reads the split
   * feature from the column-major copy (n bytes, where the row-major bins are n × F: at 1M rows the
   * rows a deep node gathers are mostly cache misses there) and writes each row to both sides,
   * advancing one, so the 50/50 direction is not a branch to mispredict.
   */
  private partition(node: Node, s: Split): number {
    const { idx, tmp, n } = this;
    const col = this.columns;
    const off = s.feature * n;
    if (s.cats !== null) return this.partitionCategorical(node, off, s.cats);
    const thr = s.bin;
    const missingBin = this.nBins - 1;
    const ml = s.missingLeft ? 1 : 0;
    let l = node.start,
      r = 0;
    for (let i = node.start; i < node.stop; i++) {
      const row = idx[i];
      const b = col[off + row];
      const left = (b <= thr ? 1 : 0) | (ml & (b === missingBin ? 1 : 0));
      idx[l] = row;
      tmp[r] = row;
      l += left;
      r += 1 - left;
    }
    idx.set(tmp.subarray(0, r), l);
    return l;
  }

  private partitionCategorical(node: Node, off: number, cats: Uint32Array): number {
    const { idx, tmp } = this;
    const col = this.columns;
    let l = node.start,
      r = 0;
    for (let i = node.start; i < node.stop; i++) {
      const row = idx[i];
      const b = col[off + row];
      const left = (cats[b >>> 5] >>> (b & 31)) & 1;
      idx[l] = row;
      tmp[r] = row;
      l += left;
      r += 1 - left;
    }
    idx.set(tmp.subarray(0, r), l);
    return l;
  }

  /** Grows one tree on gradients g and hessians h (h ignored when hessians are constant). */
  grow(g: Float32Array, h: Float32Array, constH: boolean, p: GrowerParams): HistNodes {
    const { n } = this;
    const idx = this.idx;
    for (let i = 0; i < n; i++) idx[i] = i;
    let sumG = 0,
      sumH = 0;
    for (let i = 0; i < n; i++) sumG += g[i];
    if (constH) sumH = h[0] * n;
    else for (let i = 0; i < n; i++) sumH += h[i];
    let order = 0;
    const mk = (depth: number, start: number, stop: number, sg: number, sh: number, value: number): Node => ({
      depth,
      start,
      stop,
      sumG: sg,
      sumH: sh,
      value,
      hist: null,
      split: null,
      left: null,
      right: null,
      leaf: false,
      order: order++,
    });
    const root = mk(0, 0, n, sumG, sumH, 0);
    const heap: Node[] = [];
    let nLeaves = 0;
    const finalize = (node: Node): void => {
      node.leaf = true;
      nLeaves++;
      if (node.hist) {
        this.pool.push(node.hist);
        node.hist = null;
      }
    };
    const pushIfSplittable = (node: Node): void => {
      node.split = this.findSplit(node, p, constH);
      if (node.split === null) finalize(node);
      else heap.push(node);
    };
    const msl = p.minSamplesLeaf;
    if (n < 2 * msl || sumH < MIN_HESSIAN_TO_SPLIT) {
      finalize(root);
    } else {
      root.hist = this.buildHist(root, g, h, constH);
      pushIfSplittable(root);
    }
    while (heap.length > 0) {
      // the splittable node with the largest gain (first pushed among equals)
      let bi = 0;
      for (let k = 1; k < heap.length; k++) {
        const a = heap[k].split as Split,
          b = heap[bi].split as Split;
        if (a.gain > b.gain || (a.gain === b.gain && heap[k].order < heap[bi].order)) bi = k;
      }
      const node = heap[bi];
      heap.splice(bi, 1);
      const s = node.split as Split;
      const mid = this.partition(node, s);
      const depth = node.depth + 1;
      const left = mk(depth, node.start, mid, s.gL, s.hL, nodeValue(s.gL, s.hL, p.l2));
      const right = mk(depth, mid, node.stop, s.gR, s.hR, nodeValue(s.gR, s.hR, p.l2));
      node.left = left;
      node.right = right;
      if (!this.hasMissing[s.feature]) s.missingLeft = mid - node.start > node.stop - mid;
      const leavesNow = nLeaves + heap.length + 2;
      const parentHist = node.hist as Float64Array;
      node.hist = null;
      if (p.maxLeafNodes !== null && leavesNow === p.maxLeafNodes) {
        finalize(left);
        finalize(right);
        for (const other of heap) finalize(other);
        heap.length = 0;
        this.pool.push(parentHist);
        break;
      }
      if (p.maxDepth !== null && depth === p.maxDepth) {
        finalize(left);
        finalize(right);
        this.pool.push(parentHist);
        continue;
      }
      if (left.stop - left.start < 2 * msl) finalize(left);
      if (right.stop - right.start < 2 * msl) finalize(right);
      if (!left.leaf || !right.leaf) {
        const small = left.stop - left.start < right.stop - right.start ? left : right;
        const large = small === left ? right : left;
        small.hist = this.buildHist(small, g, h, constH);
        // the larger child's histogram is the parent's minus the smaller's, in the parent's buffer
        subtract(parentHist, small.hist);
        large.hist = parentHist;
        if (!left.leaf) pushIfSplittable(left);
        if (!right.leaf) pushIfSplittable(right);
        for (const c of [left, right])
          if (c.leaf && c.hist) {
            this.pool.push(c.hist);
            c.hist = null;
          }
      } else {
        this.pool.push(parentHist);
      }
    }
    return this.flatten(root, p.shrinkage);
  }

  /** Preorder arrays (scikit-learn's predictor layout); records each leaf's rows. */
  private flatten(root: Node, shrinkage: number): HistNodes {
    const nodes: Node[] = [];
    const walk = (nd: Node): void => {
      nodes.push(nd);
      if (!nd.leaf && nd.left && nd.right) {
        walk(nd.left);
        walk(nd.right);
      }
    };
    walk(root);
    const m = nodes.length;
    const out: HistNodes = {
      feature: new Int32Array(m).fill(-1),
      binThreshold: new Uint8Array(m),
      missingLeft: new Uint8Array(m),
      categorical: new Uint8Array(m),
      binBitsets: new Uint32Array(m * BITSET_WORDS),
      left: new Int32Array(m).fill(-1),
      right: new Int32Array(m).fill(-1),
      value: new Float64Array(m),
      count: new Float64Array(m),
    };
    const at = new Map<Node, number>(nodes.map((nd, k) => [nd, k]));
    this.leafRanges.length = 0;
    nodes.forEach((nd, k) => {
      out.count[k] = nd.stop - nd.start;
      if (nd.leaf || !nd.left || !nd.right || !nd.split) {
        out.value[k] = nd.value * shrinkage;
        this.leafRanges.push({ start: nd.start, stop: nd.stop, value: out.value[k] });
        return;
      }
      out.value[k] = nd.value * shrinkage;
      out.feature[k] = nd.split.feature;
      out.binThreshold[k] = nd.split.bin;
      out.missingLeft[k] = nd.split.missingLeft ? 1 : 0;
      if (nd.split.cats !== null) {
        out.categorical[k] = 1;
        out.binBitsets.set(nd.split.cats, k * BITSET_WORDS);
      }
      out.left[k] = at.get(nd.left) ?? -1;
      out.right[k] = at.get(nd.right) ?? -1;
    });
    return out;
  }
}

/**
 * The permutation glibc's qsort (msort.c: halves sorted recursively, merged taking the left run's
 * element while cmp(left, right) ≤ 0) puts 0 … n−1 in; with a comparator that never answers 0,
 * ties are placed as scikit-learn's qsort call places them on Debian's glibc.
 */
export function glibcMergeSort(n: number, cmp: (a: number, b: number) => number): Int32Array {
  const a = Int32Array.from({ length: n }, (_, i) => i);
  const tmp = new Int32Array(n);
  const sort = (lo: number, len: number): void => {
    if (len <= 1) return;
    const n1 = len >> 1,
      n2 = len - n1;
    sort(lo, n1);
    sort(lo + n1, n2);
    let i = lo,
      j = lo + n1,
      k = 0;
    const iEnd = lo + n1,
      jEnd = lo + len;
    while (i < iEnd && j < jEnd) tmp[k++] = cmp(a[i], a[j]) <= 0 ? a[i++] : a[j++];
    while (i < iEnd) tmp[k++] = a[i++];
    while (j < jEnd) tmp[k++] = a[j++];
    a.set(tmp.subarray(0, len), lo);
  };
  sort(0, n);
  return a;
}

/** parent −= child, element-wise: the larger child's histogram from its parent's and its sibling's. */
function subtract(parent: Float64Array, child: Float64Array): void {
  for (let k = 0; k < parent.length; k++) parent[k] -= child[k];
}

/** Loads rows idx[start..stop)'s first and last bins, gradient and hessian; returns a sum of them. */
function touchRows(
  binned: Uint8Array,
  F: number,
  idx: Uint32Array,
  start: number,
  stop: number,
  g: Float32Array,
  h: Float32Array,
): number {
  let acc = 0;
  for (let i = start; i < stop; i++) {
    const j = idx[i];
    const r = j * F;
    acc += binned[r] + binned[r + F - 1] + g[j] + h[j];
  }
  return acc;
}

/** addRows4G for the root: rows start … stop − 1 themselves, in order. */
function addRoot4G(
  hist: Float64Array,
  h0: number,
  fs: number,
  binned: Uint8Array,
  F: number,
  f: number,
  start: number,
  stop: number,
  g: Float32Array,
): void {
  const h1 = h0 + fs,
    h2 = h1 + fs,
    h3 = h2 + fs;
  for (let j = start, r = start * F + f; j < stop; j++, r += F) {
    const gj = g[j];
    let b = h0 + (binned[r] << 2);
    hist[b] += gj;
    hist[b + 2] += 1;
    b = h1 + (binned[r + 1] << 2);
    hist[b] += gj;
    hist[b + 2] += 1;
    b = h2 + (binned[r + 2] << 2);
    hist[b] += gj;
    hist[b + 2] += 1;
    b = h3 + (binned[r + 3] << 2);
    hist[b] += gj;
    hist[b + 2] += 1;
  }
}

/** addRows4GH for the root: rows start … stop − 1 themselves, in order. */
function addRoot4GH(
  hist: Float64Array,
  h0: number,
  fs: number,
  binned: Uint8Array,
  F: number,
  f: number,
  start: number,
  stop: number,
  g: Float32Array,
  h: Float32Array,
): void {
  const h1 = h0 + fs,
    h2 = h1 + fs,
    h3 = h2 + fs;
  for (let j = start, r = start * F + f; j < stop; j++, r += F) {
    const gj = g[j],
      hj = h[j];
    let b = h0 + (binned[r] << 2);
    hist[b] += gj;
    hist[b + 1] += hj;
    hist[b + 2] += 1;
    b = h1 + (binned[r + 1] << 2);
    hist[b] += gj;
    hist[b + 1] += hj;
    hist[b + 2] += 1;
    b = h2 + (binned[r + 2] << 2);
    hist[b] += gj;
    hist[b + 1] += hj;
    hist[b + 2] += 1;
    b = h3 + (binned[r + 3] << 2);
    hist[b] += gj;
    hist[b + 1] += hj;
    hist[b + 2] += 1;
  }
}

/** Adds rows idx[start..stop) to four features' histograms (f … f+3), gradients and counts only. */
function addRows4G(
  hist: Float64Array,
  h0: number,
  fs: number,
  binned: Uint8Array,
  F: number,
  f: number,
  idx: Uint32Array,
  start: number,
  stop: number,
  g: Float32Array,
): void {
  const h1 = h0 + fs,
    h2 = h1 + fs,
    h3 = h2 + fs;
  for (let i = start; i < stop; i++) {
    const j = idx[i];
    const r = j * F + f;
    const gj = g[j];
    let b = h0 + (binned[r] << 2);
    hist[b] += gj;
    hist[b + 2] += 1;
    b = h1 + (binned[r + 1] << 2);
    hist[b] += gj;
    hist[b + 2] += 1;
    b = h2 + (binned[r + 2] << 2);
    hist[b] += gj;
    hist[b + 2] += 1;
    b = h3 + (binned[r + 3] << 2);
    hist[b] += gj;
    hist[b + 2] += 1;
  }
}

/** As addRows4G, with hessians. */
function addRows4GH(
  hist: Float64Array,
  h0: number,
  fs: number,
  binned: Uint8Array,
  F: number,
  f: number,
  idx: Uint32Array,
  start: number,
  stop: number,
  g: Float32Array,
  h: Float32Array,
): void {
  const h1 = h0 + fs,
    h2 = h1 + fs,
    h3 = h2 + fs;
  for (let i = start; i < stop; i++) {
    const j = idx[i];
    const r = j * F + f;
    const gj = g[j],
      hj = h[j];
    let b = h0 + (binned[r] << 2);
    hist[b] += gj;
    hist[b + 1] += hj;
    hist[b + 2] += 1;
    b = h1 + (binned[r + 1] << 2);
    hist[b] += gj;
    hist[b + 1] += hj;
    hist[b + 2] += 1;
    b = h2 + (binned[r + 2] << 2);
    hist[b] += gj;
    hist[b + 1] += hj;
    hist[b + 2] += 1;
    b = h3 + (binned[r + 3] << 2);
    hist[b] += gj;
    hist[b + 1] += hj;
    hist[b + 2] += 1;
  }
}

/** Adds rows idx[start..stop) to feature f's histogram (the features left over from groups of four). */
function addRows1(
  hist: Float64Array,
  base: number,
  binned: Uint8Array,
  F: number,
  f: number,
  idx: Uint32Array,
  start: number,
  stop: number,
  g: Float32Array,
  h: Float32Array,
  constH: boolean,
): void {
  if (constH) {
    for (let i = start; i < stop; i++) {
      const j = idx[i];
      const b = base + (binned[j * F + f] << 2);
      hist[b] += g[j];
      hist[b + 2] += 1;
    }
  } else {
    for (let i = start; i < stop; i++) {
      const j = idx[i];
      const b = base + (binned[j * F + f] << 2);
      hist[b] += g[j];
      hist[b + 1] += h[j];
      hist[b + 2] += 1;
    }
  }
}
