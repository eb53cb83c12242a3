// Tree ensembles as ai.onnx.ml TreeEnsembleClassifier / TreeEnsembleRegressor nodes, in the shapes
// skl2onnx writes (BRANCH_LEQ on float32 thresholds, leaf weights already scaled, boosting's prior
// in base_values). Trees read to a depth limit are written truncated, renumbered in preorder.
// Trees with categorical splits (histogram boosting's native categories) need set membership,
// which only ai.onnx.ml 5's TreeEnsemble has: they are written by treeEnsembleScores.
import { floats, int, ints, str, strs } from '../onnx/graph.js';
import type { Attr, OnnxGraph } from '../onnx/graph.js';
import { CATEGORY_WORDS, type Tree } from '../tree/tree.js';

export type PostTransform = 'NONE' | 'LOGISTIC' | 'SOFTMAX';

interface NodeAttrs {
  treeIds: number[];
  nodeIds: number[];
  featureIds: number[];
  values: number[];
  modes: string[];
  trueIds: number[];
  falseIds: number[];
  /** 1 where a missing value takes the true (left) branch; written only when some tree learned it. */
  missingTrue: number[];
  anyMissingTrue: boolean;
}

interface Leaf {
  tree: number;
  node: number;
  source: number;
}

/** Appends one tree's nodes (to `maxDepth`); returns its leaves with their node ids in the tree. */
function appendTree(a: NodeAttrs, tree: Tree, treeId: number, maxDepth: number): Leaf[] {
  const leaves: Leaf[] = [];
  let next = 0;
  const walk = (src: number, depth: number): number => {
    const id = next++;
    const k = a.nodeIds.length;
    a.treeIds.push(treeId);
    a.nodeIds.push(id);
    if (tree.feature[src] < 0 || depth >= maxDepth) {
      a.featureIds.push(0);
      a.values.push(0);
      a.modes.push('LEAF');
      a.trueIds.push(0);
      a.falseIds.push(0);
      a.missingTrue.push(0);
      leaves.push({ tree: treeId, node: id, source: src });
      return id;
    }
    a.featureIds.push(tree.feature[src]);
    a.values.push(tree.threshold[src]);
    a.modes.push('BRANCH_LEQ');
    a.trueIds.push(0);
    a.falseIds.push(0);
    const missingLeft = tree.missingLeft !== null && tree.missingLeft[src] === 1;
    a.missingTrue.push(missingLeft ? 1 : 0);
    if (missingLeft) a.anyMissingTrue = true;
    a.trueIds[k] = walk(tree.left[src], depth + 1);
    a.falseIds[k] = walk(tree.right[src], depth + 1);
    return id;
  };
  walk(0, 0);
  return leaves;
}

function nodeAttributes(a: NodeAttrs): Record<string, Attr> {
  const missing: Record<string, Attr> = a.anyMissingTrue
    ? { nodes_missing_value_tracks_true: ints(a.missingTrue) }
    : {};
  return {
    ...missing,
    nodes_treeids: ints(a.treeIds),
    nodes_nodeids: ints(a.nodeIds),
    nodes_featureids: ints(a.featureIds),
    nodes_values: floats(a.values),
    nodes_modes: strs(a.modes),
    nodes_truenodeids: ints(a.trueIds),
    nodes_falsenodeids: ints(a.falseIds),
  };
}

const emptyNodes = (): NodeAttrs => ({
  treeIds: [],
  nodeIds: [],
  featureIds: [],
  values: [],
  modes: [],
  trueIds: [],
  falseIds: [],
  missingTrue: [],
  anyMissingTrue: false,
});

export interface ClassifierOnnxOptions {
  /** Multiplies every leaf value written (1/n_trees for a forest's mean, the learning rate for boosting). */
  readonly leafScale: number;
  readonly baseValues: readonly number[] | null;
  readonly postTransform: PostTransform;
  /**
   * Which class column each tree adds to: null means every tree holds all K class values (forests);
   * otherwise tree t writes its single value to column classOfTree(t) (boosting).
   */
  readonly classOfTree?: (t: number) => number;
}

export interface ClassifierOutputs {
  /** int64 [N]: class codes. */
  readonly label: string;
  /** float [N, K]. */
  readonly probabilities: string;
}

export function treeEnsembleClassifier(
  g: OnnxGraph,
  input: string,
  trees: readonly Tree[],
  maxDepth: number,
  nClasses: number,
  o: ClassifierOnnxOptions,
): ClassifierOutputs {
  const a = emptyNodes();
  const cTree: number[] = [];
  const cNode: number[] = [];
  const cId: number[] = [];
  const cWeight: number[] = [];
  trees.forEach((tree, t) => {
    for (const leaf of appendTree(a, tree, t, maxDepth)) {
      if (o.classOfTree) {
        cTree.push(t);
        cNode.push(leaf.node);
        cId.push(o.classOfTree(t));
        cWeight.push(tree.value[leaf.source] * o.leafScale);
      } else {
        for (let c = 0; c < nClasses; c++) {
          cTree.push(t);
          cNode.push(leaf.node);
          cId.push(c);
          cWeight.push(tree.value[leaf.source * tree.width + c] * o.leafScale);
        }
      }
    }
  });
  const attrs: Record<string, Attr> = {
    ...nodeAttributes(a),
    class_treeids: ints(cTree),
    class_nodeids: ints(cNode),
    class_ids: ints(cId),
    class_weights: floats(cWeight),
    classlabels_int64s: ints(Array.from({ length: nClasses }, (_, c) => c)),
    post_transform: str(o.postTransform),
  };
  if (o.baseValues) attrs.base_values = floats(o.baseValues);
  const [label, probabilities] = g.ml(
    'TreeEnsembleClassifier',
    [input],
    [g.fresh('label'), g.fresh('probabilities')],
    attrs,
  );
  // onnxruntime's two-class case labels a forest's row 1 whenever class 1's score is above 0 (not
  // above class 0's) once any leaf weight is 0: the label is the argmax of the probabilities instead
  if (nClasses === 2 && !o.classOfTree) {
    const [argmax] = g.node('ArgMax', [probabilities], 1, { axis: int(1), keepdims: int(0) });
    return { label: argmax, probabilities };
  }
  return { label, probabilities };
}

export interface RegressorOnnxOptions {
  readonly aggregate: 'SUM' | 'AVERAGE';
  readonly leafScale: number;
  readonly baseValue: number | null;
}

/** Returns the float [N, 1] output. */
export function treeEnsembleRegressor(
  g: OnnxGraph,
  input: string,
  trees: readonly Tree[],
  maxDepth: number,
  o: RegressorOnnxOptions,
): string {
  const a = emptyNodes();
  const tTree: number[] = [];
  const tNode: number[] = [];
  const tWeight: number[] = [];
  trees.forEach((tree, t) => {
    for (const leaf of appendTree(a, tree, t, maxDepth)) {
      tTree.push(t);
      tNode.push(leaf.node);
      tWeight.push(tree.value[leaf.source] * o.leafScale);
    }
  });
  const attrs: Record<string, Attr> = {
    ...nodeAttributes(a),
    n_targets: { int: 1 },
    target_treeids: ints(tTree),
    target_nodeids: ints(tNode),
    target_ids: ints(tTree.map(() => 0)),
    target_weights: floats(tWeight),
    aggregate_function: str(o.aggregate),
    post_transform: str('NONE'),
  };
  if (o.baseValue !== null) attrs.base_values = floats([o.baseValue]);
  const [variable] = g.ml('TreeEnsembleRegressor', [input], [g.fresh('variable')], attrs);
  return variable;
}

/** Whether any node of these trees splits by a set of categories. */
export function hasCategoricalSplits(trees: readonly Tree[]): boolean {
  return trees.some((t) => t.categorical !== null && t.categorical.some((c) => c === 1));
}

/** TreeEnsemble's node modes (ai.onnx.ml 5). */
const BRANCH_LEQ = 0;
const BRANCH_MEMBER = 6;

/** The integer categories whose bit is set in words [o, o + 8) of a bitset. */
function members(bits: Uint32Array, o: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < 256; c++) if ((bits[o + (c >>> 5)] >>> (c & 31)) & 1) out.push(c);
  return out;
}

/**
 * Raw scores float [N, nTargets]: the sum over trees of their leaf values (times leafScale), tree t
 * adding to column targetOfTree(t), through one ai.onnx.ml 5 TreeEnsemble. A categorical node is a
 * BRANCH_MEMBER node whose set is the known categories of the child that missing values do not go
 * to (its true branch): a missing value (not tracked as true) and any value outside the known
 * categories (unseen, negative, fractional) then take the false branch, the missing values' one,
 * as Tree.goesLeft routes them. A tree that is one leaf gets a split whose two branches are that leaf
 * (TreeEnsemble's roots are nodes, not leaves).
 */
export function treeEnsembleScores(
  g: OnnxGraph,
  input: string,
  trees: readonly Tree[],
  nTargets: number,
  targetOfTree: (t: number) => number,
  leafScale: number,
): string {
  const roots: number[] = [];
  const featureIds: number[] = [];
  const splits: number[] = [];
  const modes: number[] = [];
  const trueIds: number[] = [];
  const trueLeafs: number[] = [];
  const falseIds: number[] = [];
  const falseLeafs: number[] = [];
  const missingTrue: number[] = [];
  const membership: number[] = [];
  const leafTargets: number[] = [];
  const leafWeights: number[] = [];
  trees.forEach((tree, t) => {
    const leaf = (src: number): number => {
      leafTargets.push(targetOfTree(t));
      leafWeights.push(tree.value[src] * leafScale);
      return leafTargets.length - 1;
    };
    // returns [index, isLeaf]
    const walk = (src: number): [number, boolean] => {
      if (tree.feature[src] < 0) return [leaf(src), true];
      const k = featureIds.length;
      featureIds.push(tree.feature[src]);
      const ml = tree.missingLeft !== null && tree.missingLeft[src] === 1;
      let first = tree.left[src],
        second = tree.right[src];
      if (tree.categorical !== null && tree.categorical[src] === 1 && tree.categories !== null) {
        const bits = tree.categories;
        const o = src * CATEGORY_WORDS;
        const known = members(bits, o + 8);
        const left = new Set(members(bits, o));
        // the true branch is the child missing values do not go to
        const set = known.filter((c) => left.has(c) !== ml);
        if (ml) [first, second] = [second, first];
        modes.push(BRANCH_MEMBER);
        splits.push(0);
        missingTrue.push(0);
        membership.push(...set, NaN);
      } else {
        modes.push(BRANCH_LEQ);
        splits.push(tree.threshold[src]);
        missingTrue.push(ml ? 1 : 0);
      }
      trueIds.push(0);
      trueLeafs.push(0);
      falseIds.push(0);
      falseLeafs.push(0);
      [trueIds[k], trueLeafs[k]] = asPair(walk(first));
      [falseIds[k], falseLeafs[k]] = asPair(walk(second));
      return [k, false];
    };
    if (tree.feature[0] < 0) {
      const k = featureIds.length;
      const l = leaf(0);
      roots.push(k);
      featureIds.push(0);
      modes.push(BRANCH_LEQ);
      splits.push(0);
      missingTrue.push(0);
      trueIds.push(l);
      trueLeafs.push(1);
      falseIds.push(l);
      falseLeafs.push(1);
      return;
    }
    roots.push(featureIds.length);
    walk(0);
  });
  g.requireMlOpset(5);
  const n = featureIds.length;
  const attrs: Record<string, Attr> = {
    aggregate_function: int(1), // SUM
    post_transform: int(0), // NONE
    n_targets: int(nTargets),
    tree_roots: ints(roots),
    nodes_featureids: ints(featureIds),
    nodes_splits: { tensor: { type: 'float', dims: [n], values: splits } },
    nodes_modes: { tensor: { type: 'uint8', dims: [n], values: modes } },
    nodes_truenodeids: ints(trueIds),
    nodes_trueleafs: ints(trueLeafs),
    nodes_falsenodeids: ints(falseIds),
    nodes_falseleafs: ints(falseLeafs),
    nodes_missing_value_tracks_true: ints(missingTrue),
    leaf_targetids: ints(leafTargets),
    leaf_weights: { tensor: { type: 'float', dims: [leafWeights.length], values: leafWeights } },
  };
  if (membership.length)
    attrs.membership_values = { tensor: { type: 'float', dims: [membership.length], values: membership } };
  const [scores] = g.ml('TreeEnsemble', [input], [g.fresh('scores')], attrs);
  g.declare(scores, 'float', ['N', nTargets]);
  return scores;
}

const asPair = ([i, isLeaf]: [number, boolean]): [number, number] => [i, isLeaf ? 1 : 0];
