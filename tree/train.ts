/**
 * Training entry points: one CART tree ({@link trainTree}) or a bootstrap forest
 * ({@link trainForest}), with scikit-learn's defaults and semantics.
 *
 * @module
 */
import { type GrowInput, growTree } from "./_grow.ts";
import { presort, type Presorted } from "./_presort.ts";
import { seededRandom } from "./dataset.ts";
import { pruneTree } from "./prune.ts";
import type { Dataset, FlatTree, Model, TreeOptions } from "./types.ts";

/** Options with every default filled in, as stored in the model. */
export function resolveOptions(
  options: TreeOptions = {},
): Required<Omit<TreeOptions, "classWeight">> & {
  classWeight?: TreeOptions["classWeight"];
} {
  const trees = options.trees ?? 1;
  const out = {
    criterion: options.criterion ?? "gini",
    maxDepth: options.maxDepth ?? 0,
    minSamplesSplit: options.minSamplesSplit ?? 2,
    minSamplesLeaf: options.minSamplesLeaf ?? 1,
    minImpurityDecrease: options.minImpurityDecrease ?? 0,
    ccpAlpha: options.ccpAlpha ?? 0,
    trees,
    maxFeatures: options.maxFeatures ?? (trees > 1 ? "sqrt" : "all"),
    seed: options.seed ?? 0,
    ...(options.classWeight === undefined
      ? {}
      : { classWeight: options.classWeight }),
  } as const;
  checkOptions(out);
  return out;
}

function checkOptions(o: ReturnType<typeof resolveOptions>) {
  const ints: [string, number, number][] = [
    ["maxDepth", o.maxDepth, 0],
    ["minSamplesSplit", o.minSamplesSplit, 2],
    ["minSamplesLeaf", o.minSamplesLeaf, 1],
    ["trees", o.trees, 1],
  ];
  for (const [name, v, min] of ints) {
    if (!Number.isInteger(v) || v < min) {
      throw new RangeError(
        `Option "${name}" must be an integer >= ${min}, got ${v}`,
      );
    }
  }
  for (
    const [name, v] of [["minImpurityDecrease", o.minImpurityDecrease], [
      "ccpAlpha",
      o.ccpAlpha,
    ]] as const
  ) {
    if (!(v >= 0) || !Number.isFinite(v)) {
      throw new RangeError(
        `Option "${name}" must be a finite number >= 0, got ${v}`,
      );
    }
  }
  if (o.criterion !== "gini" && o.criterion !== "entropy") {
    throw new RangeError(
      `Option "criterion" must be "gini" or "entropy", got "${o.criterion}"`,
    );
  }
}

/** Number of features tried per split for a `maxFeatures` setting. */
export function maxFeaturesCount(
  setting: TreeOptions["maxFeatures"],
  nFeatures: number,
): number {
  if (setting === undefined || setting === "all") return nFeatures;
  if (setting === "sqrt") return Math.max(1, Math.floor(Math.sqrt(nFeatures)));
  if (setting === "log2") return Math.max(1, Math.floor(Math.log2(nFeatures)));
  if (!(setting > 0)) {
    throw new RangeError(`Option "maxFeatures" must be > 0, got ${setting}`);
  }
  if (Number.isInteger(setting)) return Math.min(setting, nFeatures);
  if (setting <= 1) return Math.max(1, Math.floor(setting * nFeatures));
  throw new RangeError(
    `Option "maxFeatures" must be an integer or a fraction in (0, 1], got ${setting}`,
  );
}

/** Weight per class: scikit-learn's "balanced" is n / (k * count), counting present classes. */
export function classWeights(
  data: Dataset,
  setting: TreeOptions["classWeight"],
): Float64Array {
  const k = data.classes.length;
  const w = new Float64Array(k).fill(1);
  if (setting === undefined) return w;
  if (setting === "balanced") {
    const counts = new Float64Array(k);
    for (let i = 0; i < data.nRows; i++) counts[data.y[i]]++;
    for (let c = 0; c < k; c++) {
      w[c] = counts[c] > 0 ? data.nRows / (k * counts[c]) : 1;
    }
    return w;
  }
  for (const [label, value] of Object.entries(setting)) {
    const c = data.classes.indexOf(label);
    if (c < 0) {
      throw new RangeError(
        `Option "classWeight": class "${label}" is not in the data`,
      );
    }
    if (!(value >= 0)) {
      throw new RangeError(
        `Option "classWeight": weight of "${label}" must be >= 0`,
      );
    }
    w[c] = value;
  }
  return w;
}

/** Impurity-based importances of one tree, normalised to sum 1 (all 0 for a single leaf). */
export function treeImportances(
  tree: FlatTree,
  nFeatures: number,
): Float64Array {
  const imp = new Float64Array(nFeatures);
  const { left, right, weightedNSamples: wn, impurity } = tree;
  for (let i = 0; i < tree.nodeCount; i++) {
    if (left[i] < 0) continue;
    imp[tree.feature[i]] += wn[i] * impurity[i] -
      wn[left[i]] * impurity[left[i]] - wn[right[i]] * impurity[right[i]];
  }
  let sum = 0;
  for (let f = 0; f < nFeatures; f++) sum += imp[f] / wn[0];
  for (let f = 0; f < nFeatures; f++) {
    imp[f] = sum > 0 ? imp[f] / wn[0] / sum : 0;
  }
  return imp;
}

function checkData(data: Dataset) {
  const F = data.features.length;
  if (data.nRows < 1) {
    throw new RangeError("Cannot train: the dataset has no rows");
  }
  if (data.classes.length > 65535) {
    throw new RangeError("Cannot train: more than 65535 classes");
  }
  if (data.X.length !== F * data.nRows) {
    throw new RangeError(
      `Cannot train: X has ${data.X.length} values, expected ${F} x ${data.nRows}`,
    );
  }
  for (let i = 0; i < data.nRows; i++) {
    if (!(data.y[i] >= 0 && data.y[i] < data.classes.length)) {
      throw new RangeError(
        `Cannot train: row ${i} has class index ${data.y[i]}`,
      );
    }
  }
}

function growInput(
  data: Dataset,
  ps: Presorted,
  o: ReturnType<typeof resolveOptions>,
  random: () => number,
  counts?: Float64Array,
): GrowInput {
  return {
    presorted: ps,
    y: data.y,
    classWeight: classWeights(data, o.classWeight),
    ...(counts ? { counts } : {}),
    nClasses: data.classes.length,
    entropy: o.criterion === "entropy",
    maxDepth: o.maxDepth > 0 ? o.maxDepth : 2 ** 31 - 1,
    minSamplesSplit: o.minSamplesSplit,
    minSamplesLeaf: o.minSamplesLeaf,
    minImpurityDecrease: o.minImpurityDecrease,
    maxFeatures: maxFeaturesCount(o.maxFeatures, data.features.length),
    random,
  };
}

function modelOf(
  data: Dataset,
  o: ReturnType<typeof resolveOptions>,
  trees: FlatTree[],
): Model {
  const F = data.features.length;
  const importances = new Float64Array(F);
  const useful = trees.filter((t) => t.nodeCount > 1);
  for (const t of useful) {
    treeImportances(t, F).forEach((v, f) =>
      importances[f] += v / useful.length
    );
  }
  const sum = importances.reduce((a, b) => a + b, 0);
  if (sum > 0) importances.forEach((v, f) => importances[f] = v / sum);
  const negative = data.classes.includes("human") ? "human" : data.classes[0];
  return {
    format: "guard-tree/1",
    kind: trees.length > 1 ? "forest" : "tree",
    features: [...data.features],
    classes: [...data.classes],
    negative,
    threshold: 0.5,
    options: o,
    dataSha256: "",
    importances,
    trees,
  };
}

/**
 * Grows one CART tree on all rows (with `options.trees > 1`, delegates to {@link trainForest}).
 * The model's `negative` defaults to "human" when present, else the first class; `threshold` 0.5.
 */
export function trainTree(data: Dataset, options: TreeOptions = {}): Model {
  const o = resolveOptions(options);
  if (o.trees > 1) return trainForest(data, options);
  checkData(data);
  const ps = presort(data.X, data.nRows, data.features.length);
  const tree = growTree({
    ...growInput(data, ps, o, seededRandom(o.seed)),
    consume: true,
  });
  return modelOf(data, o, [pruneTree(tree, o.ccpAlpha, data.classes.length)]);
}

/**
 * Grows `options.trees` trees (default 100) on bootstrap samples with `maxFeatures` (default
 * "sqrt") features tried per split, all from `options.seed`; probabilities are averaged.
 */
export function trainForest(data: Dataset, options: TreeOptions = {}): Model {
  const o = resolveOptions({ ...options, trees: options.trees ?? 100 });
  checkData(data);
  const ps = presort(data.X, data.nRows, data.features.length);
  const random = seededRandom(o.seed);
  const trees: FlatTree[] = [];
  const n = data.nRows;
  for (let t = 0; t < o.trees; t++) {
    const counts = new Float64Array(n);
    for (let k = 0; k < n; k++) counts[Math.floor(random() * n)] += 1;
    const tree = growTree(growInput(data, ps, o, random, counts));
    trees.push(pruneTree(tree, o.ccpAlpha, data.classes.length));
  }
  return modelOf(data, o, trees);
}
