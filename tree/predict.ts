/**
 * Prediction on the flat typed-array trees: a loop of array reads per row, no allocation with
 * {@link predictProbaInto}. Values are rounded to float32 first, as the tree was grown on float32.
 *
 * @module
 */
import type { DecisionStep, FlatTree, Model } from "./types.ts";

/**
 * Index of the leaf a row falls into. NaN follows the node's learned direction.
 * Nodes are in pre-order with the left child first, so the left child of `i` is `i + 1` (the loader
 * enforces it); skipping the `left` array saves a memory access per level.
 */
export function leafOf(tree: FlatTree, row: ArrayLike<number>): number {
  const { feature, threshold, right, nanLeft } = tree;
  let node = 0;
  let f = feature[0];
  while (f >= 0) {
    const v = Math.fround(row[f]);
    // NaN fails every comparison, so test it explicitly only when the comparison fails.
    node = v <= threshold[node] || (v !== v && nanLeft[node] === 1)
      ? node + 1
      : right[node];
    f = feature[node];
  }
  return node;
}

/** Writes the class probabilities of `row` (in `model.features` order) into `out`; returns `out`. */
export function predictProbaInto(
  model: Model,
  row: ArrayLike<number>,
  out: Float64Array,
): Float64Array {
  const C = model.classes.length;
  const trees = model.trees;
  if (trees.length === 1) {
    const leaf = leafOf(trees[0], row) * C;
    const p = trees[0].proba;
    for (let c = 0; c < C; c++) out[c] = p[leaf + c];
    return out;
  }
  out.fill(0);
  for (let t = 0; t < trees.length; t++) {
    const leaf = leafOf(trees[t], row) * C;
    const p = trees[t].proba;
    for (let c = 0; c < C; c++) out[c] += p[leaf + c];
  }
  for (let c = 0; c < C; c++) out[c] /= trees.length;
  return out;
}

/** Class probabilities of `row`, in `model.classes` order. */
export function predictProba(
  model: Model,
  row: ArrayLike<number>,
): Float64Array {
  return predictProbaInto(model, row, new Float64Array(model.classes.length));
}

/** The most probable class label (first class on ties, as scikit-learn's argmax). */
export function predict(model: Model, row: ArrayLike<number>): string {
  const p = predictProba(model, row);
  let best = 0;
  for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c;
  return model.classes[best];
}

/** The positive-class score, 1 - P(negative class). */
export function score(
  model: Model,
  row: ArrayLike<number>,
  scratch?: Float64Array,
): number {
  const p = predictProbaInto(
    model,
    row,
    scratch ?? new Float64Array(model.classes.length),
  );
  return 1 - p[model.classes.indexOf(model.negative)];
}

/** The tests a row passes through in one tree, root to leaf. */
export function decisionPath(
  model: Model,
  tree: FlatTree,
  row: ArrayLike<number>,
): DecisionStep[] {
  const steps: DecisionStep[] = [];
  let node = 0;
  while (tree.feature[node] >= 0) {
    const f = tree.feature[node];
    const v = Math.fround(row[f]);
    const wentLeft = v <= tree.threshold[node] ||
      (Number.isNaN(v) && tree.nanLeft[node] === 1);
    steps.push({
      feature: model.features[f],
      threshold: tree.threshold[node],
      value: row[f],
      wentLeft,
    });
    node = wentLeft ? tree.left[node] : tree.right[node];
  }
  return steps;
}

/**
 * Why a row got its score: the decision path of the tree (for a forest, of the 3 trees that gave
 * the predicted class the highest probability, strongest first) and the model's importances of the
 * features on those paths, highest first.
 */
export function explain(model: Model, row: ArrayLike<number>): {
  paths: DecisionStep[][];
  topFeatures: { feature: string; importance: number }[];
} {
  const C = model.classes.length;
  const p = predictProba(model, row);
  let cls = 0;
  for (let c = 1; c < C; c++) if (p[c] > p[cls]) cls = c;
  const ranked = model.trees
    .map((tree, t) => ({ t, vote: tree.proba[leafOf(tree, row) * C + cls] }))
    .sort((a, b) => b.vote - a.vote || a.t - b.t)
    .slice(0, 3);
  const paths = ranked.map(({ t }) => decisionPath(model, model.trees[t], row));
  const used = new Set(paths.flat().map((s) => s.feature));
  const topFeatures = model.features
    .map((feature, f) => ({ feature, importance: model.importances[f] }))
    .filter((x) => used.has(x.feature))
    .sort((a, b) =>
      b.importance - a.importance || (a.feature < b.feature ? -1 : 1)
    );
  return { paths, topFeatures };
}
