// Tree ensembles as ai.onnx.ml TreeEnsembleClassifier / TreeEnsembleRegressor nodes, in the shapes
// skl2onnx writes (BRANCH_LEQ on float32 thresholds, leaf weights already scaled, boosting's prior
// in base_values). Trees read to a depth limit are written truncated, renumbered in preorder.
import { floats, int, ints, str, strs } from '../onnx/graph.js';
import type { Attr, OnnxGraph } from '../onnx/graph.js';
import type { Tree } from '../tree/tree.js';

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
