/**
 * Shared types of the tree package: the dataset a tree is grown on, the growing options, the flat
 * in-memory tree and the model (one tree or a forest) that the scorer loads.
 *
 * @module
 */

/**
 * Training data. `X` is COLUMN-MAJOR: the value of feature `f` in row `r` is `X[f * nRows + r]`
 * (one contiguous Float32Array per feature, as the split search reads one feature at a time).
 * NaN marks a missing value. `y[r]` is the index of the row's class in `classes`.
 */
export interface Dataset {
  /** Feature (column) names, in the order of the columns of `X`. */
  features: string[];
  /** Column-major values, `features.length * nRows` long. */
  X: Float32Array;
  /** Number of rows. */
  nRows: number;
  /** Class index per row. */
  y: Int32Array;
  /** Class labels; `y` indexes into this list. */
  classes: string[];
}

/** Split quality measure, as in scikit-learn. */
export type Criterion = "gini" | "entropy";

/** Options for growing one tree or a forest; the defaults match scikit-learn's. */
export interface TreeOptions {
  /** Impurity measure (default "gini"). */
  criterion?: Criterion;
  /** Maximum depth; 0 or absent: unlimited (scikit-learn's None). */
  maxDepth?: number;
  /** Minimum samples a node needs to be split (default 2). */
  minSamplesSplit?: number;
  /** Minimum samples in each leaf (default 1). */
  minSamplesLeaf?: number;
  /** A split must decrease weighted impurity by at least this much (default 0). */
  minImpurityDecrease?: number;
  /** Class weights: "balanced" (n / (k * count)) or one weight per class label (default none). */
  classWeight?: "balanced" | Record<string, number>;
  /** Minimal cost-complexity pruning parameter (default 0: no pruning). */
  ccpAlpha?: number;
  /** Number of trees; 1 grows one CART tree on all rows, >1 a bootstrap forest (default 1). */
  trees?: number;
  /** Features tried per split: "sqrt", "log2", "all", a count or a fraction (default: all for
   * one tree, "sqrt" for a forest). */
  maxFeatures?: "sqrt" | "log2" | "all" | number;
  /** Seed of the forest's bootstrap and feature sampling (default 0). */
  seed?: number;
}

/**
 * One grown tree as flat typed arrays, node 0 the root, nodes in depth-first pre-order (left child
 * first), exactly as scikit-learn numbers them. A leaf has `feature[i] === -1`.
 */
export interface FlatTree {
  /** Number of nodes. */
  nodeCount: number;
  /** Split feature index, -1 at a leaf. */
  feature: Int32Array;
  /** Go left when `value <= threshold`; +Infinity sends every present value left. */
  threshold: Float64Array;
  /** Left child index (-1 at a leaf). */
  left: Int32Array;
  /** Right child index (-1 at a leaf). */
  right: Int32Array;
  /** 1 when a missing (NaN) value goes left at this node. */
  nanLeft: Uint8Array;
  /** Weighted class totals per node, `nodeCount * nClasses`, as scikit-learn 1.2's `tree_.value`. */
  value: Float64Array;
  /** Node impurity. */
  impurity: Float64Array;
  /** Training rows that reached the node. */
  nSamples: Int32Array;
  /** Total sample weight that reached the node. */
  weightedNSamples: Float64Array;
  /** Class probabilities per node (`value` normalised), for allocation-free prediction. */
  proba: Float64Array;
}

/** Summary metrics of a model, measured by cross-validation when training. */
export interface Metrics {
  /** Rows evaluated. */
  n: number;
  /** Share of rows whose class at `threshold` is their actual class. */
  accuracy: number;
  /** Of the rows scored above `threshold`, the share that are positive; 0 when none is. */
  precision: number;
  recall: number;
  f1: number;
  /** Area under the ROC curve of the positive-class score (NaN when one class is absent). */
  rocAuc: number;
  /**
   * `confusion[actual][predicted]` over `classes`, predicted at `threshold`: the negative class
   * unless the score exceeds it, else the most probable other class.
   */
  confusion: number[][];
  /** The one threshold every figure but `rocAuc` is measured at (score > threshold is positive). */
  threshold: number;
  /** False positive rate at `threshold`. */
  fpr: number;
}

/** A trained model: one tree (`trees.length === 1`) or a forest whose probabilities are averaged. */
export interface Model {
  /** Format tag of the JSON form. */
  format: "guard-tree/1";
  /** "tree" or "forest". */
  kind: "tree" | "forest";
  /** Feature names, in the order rows must be given to `predict`. */
  features: string[];
  /** Class labels, in the order of probability vectors. */
  classes: string[];
  /** The negative ("benign") class; the score is 1 - P(negative). */
  negative: string;
  /** Score threshold: a row with score > threshold is classed positive. */
  threshold: number;
  /** The options the model was grown with (resolved). */
  options: TreeOptions;
  /** sha256 (hex) of the training data, "" when unknown. */
  dataSha256: string;
  /** Cross-validated metrics from training, if measured. */
  metrics?: Metrics;
  /** Impurity-based feature importances, one per feature, summing to 1 (or all 0). */
  importances: Float64Array;
  /** The trees. */
  trees: FlatTree[];
}

/** A single tree model (alias kept for callers' readability). */
export type TreeModel = Model;

/** One step of a decision path, for explanations. */
export interface DecisionStep {
  /** Feature name tested. */
  feature: string;
  /** Threshold of the test (`value <= threshold` goes left). */
  threshold: number;
  /** The row's value (NaN when missing). */
  value: number;
  /** Whether the row went to the left child. */
  wentLeft: boolean;
}
