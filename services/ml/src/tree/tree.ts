// A fitted binary tree in flat arrays (scikit-learn's Tree layout). Every node, internal ones too,
// keeps its value, so the tree read to depth d is exactly the tree fitted with max_depth d.

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
  ) {}

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

/** scikit-learn's max_depth=None. */
export const UNLIMITED = Number.POSITIVE_INFINITY;

export function depthLimit(maxDepth: number | null | undefined): number {
  return maxDepth == null ? UNLIMITED : maxDepth;
}
