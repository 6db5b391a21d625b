/**
 * Minimal cost-complexity pruning, the weakest-link procedure of Breiman et al. as scikit-learn's
 * `_cost_complexity_prune` runs it (same risk sums, same tie order), so pruned trees match.
 *
 * @module
 */
import { probaOf } from "./_nodes.ts";
import type { FlatTree } from "./types.ts";

/**
 * For every node, the effective alpha at which weakest-link pruning turns it into a leaf
 * (Infinity for the root once nothing is left to prune, and for leaves).
 * `step` gives the order in which nodes collapse (-1: never); see {@link cutNodes}.
 */
export function collapseAlphas(
  tree: FlatTree,
): { alpha: Float64Array; step: Int32Array } {
  const n = tree.nodeCount;
  const parent = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    if (tree.left[i] >= 0) {
      parent[tree.left[i]] = i;
      parent[tree.right[i]] = i;
    }
  }
  const total = tree.weightedNSamples[0];
  const rNode = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    rNode[i] = tree.weightedNSamples[i] * tree.impurity[i] / total;
  }
  const isLeaf = new Uint8Array(n);
  const candidate = new Uint8Array(n);
  for (let i = 0; i < n; i++) (tree.left[i] < 0 ? isLeaf : candidate)[i] = 1;
  const collapse = new Float64Array(n).fill(Infinity);
  const step = new Int32Array(n).fill(-1);
  let steps = 0;
  const rBranch = new Float64Array(n);
  const nLeaves = new Float64Array(n);
  while (candidate[0] === 1) {
    rBranch.fill(0);
    nLeaves.fill(0);
    for (let leaf = 0; leaf < n; leaf++) {
      if (!isLeaf[leaf]) continue;
      rBranch[leaf] = rNode[leaf];
      for (let j = leaf; j !== 0;) {
        j = parent[j];
        rBranch[j] += rNode[leaf];
        nLeaves[j] += 1;
      }
    }
    let best = -1, alpha = Number.MAX_VALUE;
    for (let i = 0; i < n; i++) {
      if (!candidate[i]) continue;
      const a = (rNode[i] - rBranch[i]) / (nLeaves[i] - 1);
      if (a < alpha) {
        alpha = a;
        best = i;
      }
    }
    if (best < 0) break;
    collapse[best] = alpha;
    step[best] = steps++;
    markCollapsed(tree, best, isLeaf, candidate);
  }
  return { alpha: collapse, step };
}

function markCollapsed(
  tree: FlatTree,
  node: number,
  isLeaf: Uint8Array,
  candidate: Uint8Array,
) {
  const stack = [node];
  while (stack.length > 0) {
    const j = stack.pop()!;
    candidate[j] = 0;
    isLeaf[j] = 0;
    if (tree.left[j] >= 0) stack.push(tree.left[j], tree.right[j]);
  }
  isLeaf[node] = 1;
}

/**
 * The effective alphas of the pruning path (ascending, each the alpha at which one more weakest link
 * is cut), like scikit-learn's `cost_complexity_pruning_path().ccp_alphas` without the leading 0.
 */
export function pruningPath(tree: FlatTree): number[] {
  const a = Array.from(collapseAlphas(tree).alpha).filter((x) =>
    Number.isFinite(x)
  );
  return [...new Set(a)].sort((x, y) => x - y);
}

/** Nodes that become leaves at `alpha`: steps of the weakest-link sequence until one exceeds it. */
export function cutNodes(tree: FlatTree, alpha: number): Uint8Array {
  const { alpha: a, step } = collapseAlphas(tree);
  const bySteps: number[] = [];
  step.forEach((k, node) => {
    if (k >= 0) bySteps[k] = node;
  });
  const cut = new Uint8Array(tree.nodeCount);
  for (const node of bySteps) {
    if (alpha < a[node]) break;
    cut[node] = 1;
  }
  return cut;
}

/** Prunes a tree at `alpha` (scikit-learn's `ccp_alpha`), renumbering nodes in pre-order. */
export function pruneTree(
  tree: FlatTree,
  alpha: number,
  nClasses: number,
): FlatTree {
  if (!(alpha > 0)) return tree;
  const cut = cutNodes(tree, alpha);
  const keep: number[] = [];
  const stack = [0];
  while (stack.length > 0) {
    const j = stack.pop()!;
    keep.push(j);
    if (tree.left[j] >= 0 && !cut[j]) stack.push(tree.right[j], tree.left[j]);
  }
  const newId = new Int32Array(tree.nodeCount).fill(-1);
  keep.forEach((old, k) => newId[old] = k);
  const n = keep.length;
  const out: FlatTree = {
    nodeCount: n,
    feature: new Int32Array(n),
    threshold: new Float64Array(n),
    left: new Int32Array(n),
    right: new Int32Array(n),
    nanLeft: new Uint8Array(n),
    value: new Float64Array(n * nClasses),
    impurity: new Float64Array(n),
    nSamples: new Int32Array(n),
    weightedNSamples: new Float64Array(n),
    proba: new Float64Array(0),
  };
  keep.forEach((old, k) => {
    const leaf = cut[old] === 1 || tree.left[old] < 0;
    out.feature[k] = leaf ? -1 : tree.feature[old];
    out.threshold[k] = leaf ? -2 : tree.threshold[old];
    out.left[k] = leaf ? -1 : newId[tree.left[old]];
    out.right[k] = leaf ? -1 : newId[tree.right[old]];
    out.nanLeft[k] = leaf ? 0 : tree.nanLeft[old];
    out.value.set(
      tree.value.subarray(old * nClasses, (old + 1) * nClasses),
      k * nClasses,
    );
    out.impurity[k] = tree.impurity[old];
    out.nSamples[k] = tree.nSamples[old];
    out.weightedNSamples[k] = tree.weightedNSamples[old];
  });
  out.proba = probaOf(out.value, nClasses);
  return out;
}
