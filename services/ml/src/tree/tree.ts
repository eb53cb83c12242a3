// A fitted binary tree in flat arrays (scikit-learn's Tree layout). Every node, internal ones too,
// keeps its value, so the tree read to depth d is exactly the tree fitted with max_depth d.
// Histogram boosting's categorical splits send a set of categories left: a value that is not one of
// the categories known at fit (unseen, negative, fractional) goes where missing values go, as
// scikit-learn 1.2's predictor treats unknown categories as missing.

/** Uint32 words per categorical node in Tree.categories: 8 for the categories going left, 8 for those known. */
export const CATEGORY_WORDS = 16;

export class Tree {
  constructor(
    /** Split feature per node; -1 at leaves. */
    readonly feature: Int32Array,
    /** Float32 thresholds: row goes left when x[feature] <= threshold. */
    readonly threshold: Float32Array,
    readonly left: Int32Array,
    readonly right: Int32Array,
    /** nodeCount × width values (class probabilities, or one regression value). */
    readonly value: Float64Array,
    readonly width: number,
    /**
     * Weighted sample count per node (scikit-learn's weighted_n_node_samples; bootstrap counts in a
     * forest): the cover TreeSHAP weighs unseen branches by. Each internal node's is its children's sum.
     */
    readonly weight: Float64Array,
    /**
     * Per node, 1 when a missing value (NaN) goes left (histogram boosting's learned direction);
     * null: NaN compares false and goes right.
     */
    readonly missingLeft: Uint8Array | null = null,
    /** Per node, 1 where the node splits by a set of categories (its threshold is then unused); null: none does. */
    readonly categorical: Uint8Array | null = null,
    /**
     * CATEGORY_WORDS per node: bitsets over the integer categories 0–255, first those going left,
     * then those known at fit. Set only at categorical nodes.
     */
    readonly categories: Uint32Array | null = null,
  ) {}

  /** Whether value v (NaN for missing) goes to the left child of internal node `node`. */
  goesLeft(node: number, v: number): boolean {
    const cat = this.categorical;
    if (cat !== null && cat[node] === 1) return categoryGoesLeft(this, node, v);
    return v <= this.threshold[node] || (v !== v && this.missingLeft !== null && this.missingLeft[node] === 1);
  }

  get nodeCount(): number {
    return this.feature.length;
  }

  /** The node where row `x[off …]` ends when the tree is read to `maxDepth`. */
  leaf(x: Float32Array, off: number, maxDepth: number): number {
    const { feature, threshold, left, right, missingLeft } = this;
    let node = 0;
    for (let d = 0; d < maxDepth; d++) {
      const f = feature[node];
      if (f < 0) break;
      const v = x[off + f];
      if (this.categorical !== null && this.categorical[node] === 1) {
        node = categoryGoesLeft(this, node, v) ? left[node] : right[node];
        continue;
      }
      node =
        v <= threshold[node] || (v !== v && missingLeft !== null && missingLeft[node] === 1) ? left[node] : right[node];
    }
    return node;
  }

  /** Deepest level reached (the root is depth 0). */
  depth(): number {
    let best = 0;
    const walk = (node: number, d: number): void => {
      if (d > best) best = d;
      if (this.feature[node] >= 0) {
        walk(this.left[node], d + 1);
        walk(this.right[node], d + 1);
      }
    };
    walk(0, 0);
    return best;
  }
}

/** A categorical node's direction for v: its known categories by the left set, anything else as missing. */
function categoryGoesLeft(t: Tree, node: number, v: number): boolean {
  const bits = t.categories as Uint32Array;
  const c = v | 0;
  if (c === v && c >= 0 && c < 256) {
    const o = node * CATEGORY_WORDS + (c >>> 5),
      m = 1 << (c & 31);
    if ((bits[o + 8] & m) !== 0) return (bits[o] & m) !== 0;
  }
  return t.missingLeft !== null && t.missingLeft[node] === 1;
}

/** scikit-learn's max_depth=None. */
export const UNLIMITED = Number.POSITIVE_INFINITY;

export function depthLimit(maxDepth: number | null | undefined): number {
  return maxDepth == null ? UNLIMITED : maxDepth;
}
