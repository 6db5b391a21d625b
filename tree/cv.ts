/**
 * k-fold cross-validation with grouped folds (rows of one group, e.g. one session, never straddle
 * train and test), the threshold for a target false-positive rate, and choosing `ccpAlpha` by CV.
 *
 * @module
 */
import { rowOf, seededRandom, subsetDataset } from "./dataset.ts";
import { predictProbaInto } from "./predict.ts";
import { cutNodes, pruningPath } from "./prune.ts";
import { bestPositiveClass, metrics, thresholdForFpr } from "./metrics.ts";
import { trainTree } from "./train.ts";
import type { Dataset, FlatTree, Metrics, TreeOptions } from "./types.ts";

/** Options of {@link crossValidate}. */
export interface CvOptions {
  /** Number of folds (default 5; lowered to the number of groups if fewer). */
  folds?: number;
  /** Seed of the fold assignment (default 0). */
  seed?: number;
  /** Group per row; rows sharing a group share a fold. Default: every row its own group. */
  groups?: readonly string[];
  /** Target false-positive rate for the threshold (default 0.01). */
  targetFpr?: number;
  /** Negative class label (default "human" when present, else the first class). */
  negative?: string;
}

/** Out-of-fold results of {@link crossValidate}. */
export interface CvResult {
  /** Folds used. */
  folds: number;
  /** Fold of each row. */
  foldOf: Int32Array;
  /** Out-of-fold positive-class score per row. */
  scores: Float64Array;
  /** Out-of-fold class per row at the chosen threshold (as the metrics count it). */
  predicted: Int32Array;
  /** Metrics of the out-of-fold predictions at the chosen threshold. */
  metrics: Metrics;
  /** Threshold holding the target FPR on the out-of-fold scores. */
  threshold: number;
  negative: string;
}

/** The negative class of a dataset: `wanted`, else "human" if present, else the first class. */
export function negativeClass(
  classes: readonly string[],
  wanted?: string,
): string {
  if (wanted !== undefined) {
    if (!classes.includes(wanted)) {
      throw new RangeError(
        `Negative class "${wanted}" is not in the data (classes: ${
          classes.join(", ")
        })`,
      );
    }
    return wanted;
  }
  return classes.includes("human") ? "human" : classes[0];
}

/**
 * Assigns rows to k folds so that groups never straddle folds: groups in seeded random order, the
 * largest first, each into the currently smallest fold (like scikit-learn's GroupKFold).
 */
export function foldsOf(
  nRows: number,
  k: number,
  seed: number,
  groups?: readonly string[],
): { folds: number; foldOf: Int32Array } {
  const key = groups ?? Array.from({ length: nRows }, (_, i) => String(i));
  const members = new Map<string, number[]>();
  for (let i = 0; i < nRows; i++) {
    const list = members.get(key[i]);
    if (list) list.push(i);
    else members.set(key[i], [i]);
  }
  const names = [...members.keys()].sort();
  const random = seededRandom(seed);
  for (let i = names.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [names[i], names[j]] = [names[j], names[i]];
  }
  const folds = Math.min(k, names.length);
  if (folds < 2) {
    throw new RangeError(
      `Cannot cross-validate: need at least 2 groups, got ${names.length}`,
    );
  }
  const ranked = names.map((name, order) => ({
    name,
    order,
    size: members.get(name)!.length,
  }))
    .sort((a, b) => b.size - a.size || a.order - b.order);
  const sizes = new Array<number>(folds).fill(0);
  const foldOf = new Int32Array(nRows);
  for (const g of ranked) {
    const f = sizes.indexOf(Math.min(...sizes));
    sizes[f] += g.size;
    for (const i of members.get(g.name)!) foldOf[i] = f;
  }
  return { folds, foldOf };
}

function splitRows(
  foldOf: Int32Array,
  f: number,
): { train: number[]; test: number[] } {
  const train: number[] = [], test: number[] = [];
  foldOf.forEach((g, i) => (g === f ? test : train).push(i));
  return { train, test };
}

/** k-fold CV of {@link trainTree} (tree or forest per options): out-of-fold scores and metrics. */
export function crossValidate(
  data: Dataset,
  options: TreeOptions = {},
  cv: CvOptions = {},
): CvResult {
  const negative = negativeClass(data.classes, cv.negative);
  const neg = data.classes.indexOf(negative);
  const { folds, foldOf } = foldsOf(
    data.nRows,
    cv.folds ?? 5,
    cv.seed ?? 0,
    cv.groups,
  );
  const scores = new Float64Array(data.nRows);
  const positiveClass = new Int32Array(data.nRows);
  const firstPositive = neg === 0 ? 1 : 0;
  const proba = new Float64Array(data.classes.length);
  const row = new Float64Array(data.features.length);
  for (let f = 0; f < folds; f++) {
    const { train, test } = splitRows(foldOf, f);
    const model = trainTree(subsetDataset(data, train), options);
    // The fold's training part may lack a class: map its classes back to the full list.
    const map = model.classes.map((c) => data.classes.indexOf(c));
    const k = map.indexOf(neg);
    const own = proba.subarray(0, map.length);
    for (const i of test) {
      predictProbaInto(model, rowOf(data, i, row), proba);
      const best = bestPositiveClass(own, k);
      positiveClass[i] = best < 0 ? firstPositive : map[best];
      scores[i] = 1 - (k >= 0 ? proba[k] : 0);
    }
  }
  const positive = Array.from(data.y, (c) => c !== neg);
  const threshold = thresholdForFpr(scores, positive, cv.targetFpr ?? 0.01);
  const m = metrics({
    classes: data.classes,
    negative,
    actual: data.y,
    positiveClass,
    scores,
    threshold,
  });
  const predicted = Int32Array.from(
    scores,
    (s, i) => s > threshold ? positiveClass[i] : neg,
  );
  return { folds, foldOf, scores, predicted, metrics: m, threshold, negative };
}

function leafWithCut(
  tree: FlatTree,
  cut: Uint8Array,
  row: ArrayLike<number>,
): number {
  let node = 0;
  while (tree.feature[node] >= 0 && cut[node] === 0) {
    const v = Math.fround(row[tree.feature[node]]);
    node = v <= tree.threshold[node] || (v !== v && tree.nanLeft[node] === 1)
      ? tree.left[node]
      : tree.right[node];
  }
  return node;
}

/**
 * Chooses `ccpAlpha` by k-fold CV: candidates are the pruning path of a tree grown on all rows
 * (at most 30, evenly spread, plus 0); the one with the best mean out-of-fold accuracy wins, the
 * larger alpha on ties.
 */
export function chooseCcpAlpha(
  data: Dataset,
  options: TreeOptions = {},
  cv: CvOptions = {},
): { alpha: number; candidates: { alpha: number; accuracy: number }[] } {
  const base = { ...options, ccpAlpha: 0, trees: 1 };
  const path = pruningPath(trainTree(data, base).trees[0]);
  const step = Math.max(1, Math.ceil(path.length / 30));
  const alphas = [0, ...path.filter((_, i) => i % step === 0)];
  const correct = new Float64Array(alphas.length);
  const { folds, foldOf } = foldsOf(
    data.nRows,
    cv.folds ?? 5,
    cv.seed ?? 0,
    cv.groups,
  );
  const row = new Float64Array(data.features.length);
  for (let f = 0; f < folds; f++) {
    const { train, test } = splitRows(foldOf, f);
    const model = trainTree(subsetDataset(data, train), base);
    const tree = model.trees[0];
    const C = model.classes.length;
    alphas.forEach((a, k) => {
      const cut = cutNodes(tree, a);
      for (const i of test) {
        const leaf = leafWithCut(tree, cut, rowOf(data, i, row));
        let best = 0;
        for (let c = 1; c < C; c++) {
          if (tree.proba[leaf * C + c] > tree.proba[leaf * C + best]) best = c;
        }
        if (model.classes[best] === data.classes[data.y[i]]) correct[k]++;
      }
    });
  }
  const candidates = alphas.map((alpha, k) => ({
    alpha,
    accuracy: correct[k] / data.nRows,
  }));
  let bestK = 0;
  candidates.forEach((c, k) => {
    if (c.accuracy >= candidates[bestK].accuracy) bestK = k;
  });
  return { alpha: candidates[bestK].alpha, candidates };
}
