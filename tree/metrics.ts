/**
 * Binary detection metrics over positive-class scores: accuracy, precision, recall, F1, ROC AUC,
 * a confusion matrix, and the threshold that holds a target false-positive rate.
 *
 * @module
 */
import type { Metrics } from "./types.ts";

/**
 * The lowest threshold t such that negatives scoring strictly above t are at most
 * `floor(targetFpr * negatives)`. Rows with score > t are classed positive. 0.5 when there are no
 * negatives.
 */
export function thresholdForFpr(
  scores: ArrayLike<number>,
  positive: ArrayLike<boolean>,
  targetFpr: number,
): number {
  if (!(targetFpr >= 0 && targetFpr <= 1)) {
    throw new RangeError(`Target FPR must be in [0, 1], got ${targetFpr}`);
  }
  const neg: number[] = [];
  for (let i = 0; i < scores.length; i++) if (!positive[i]) neg.push(scores[i]);
  if (neg.length === 0) return 0.5;
  neg.sort((a, b) => b - a);
  const allowed = Math.floor(targetFpr * neg.length + 1e-9);
  if (allowed >= neg.length) return -Infinity;
  return neg[allowed];
}

/** ROC AUC by the rank-sum (Mann-Whitney) formula, ties counted half; NaN if a class is absent. */
export function rocAuc(
  scores: ArrayLike<number>,
  positive: ArrayLike<boolean>,
): number {
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) =>
    scores[a] - scores[b]
  );
  let nPos = 0, rankSum = 0;
  for (let k = 0; k < idx.length;) {
    let e = k;
    while (e + 1 < idx.length && scores[idx[e + 1]] === scores[idx[k]]) e++;
    const rank = (k + e) / 2 + 1;
    for (let j = k; j <= e; j++) {
      if (positive[idx[j]]) {
        nPos++;
        rankSum += rank;
      }
    }
    k = e + 1;
  }
  const nNeg = scores.length - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (rankSum - nPos * (nPos + 1) / 2) / (nPos * nNeg);
}

/**
 * The most probable class other than `negative` (index into `proba`): the class a row is given
 * when its score exceeds the threshold. -1 when there is no other class.
 */
export function bestPositiveClass(
  proba: ArrayLike<number>,
  negative: number,
): number {
  let best = -1;
  for (let c = 0; c < proba.length; c++) {
    if (c !== negative && (best < 0 || proba[c] > proba[best])) best = c;
  }
  return best;
}

/**
 * Inputs of {@link metrics}: per row, the actual class, the positive score, and the class the row
 * gets if that score exceeds the threshold.
 */
export interface MetricsInput {
  classes: readonly string[];
  negative: string;
  actual: ArrayLike<number>;
  /**
   * Per row, the most probable class other than the negative one ({@link bestPositiveClass}); in
   * a two-class task always the positive class.
   */
  positiveClass: ArrayLike<number>;
  scores: ArrayLike<number>;
  /** Score threshold: score > threshold is positive. Every figure but ROC AUC is taken at it. */
  threshold: number;
}

/**
 * Computes the {@link Metrics} of a set of predictions, all at one threshold: a row is predicted
 * its positive class when its score exceeds the threshold, else the negative class, so the
 * confusion matrix and accuracy agree with precision, recall and FPR.
 */
export function metrics(inp: MetricsInput): Metrics {
  const n = inp.actual.length;
  const neg = inp.classes.indexOf(inp.negative);
  const C = inp.classes.length;
  const confusion = Array.from(
    { length: C },
    () => new Array<number>(C).fill(0),
  );
  let correct = 0, tp = 0, fp = 0, fn = 0, tn = 0;
  const positive: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const flagged = inp.scores[i] > inp.threshold;
    const predicted = flagged ? inp.positiveClass[i] : neg;
    confusion[inp.actual[i]][predicted]++;
    if (inp.actual[i] === predicted) correct++;
    const isPos = inp.actual[i] !== neg;
    positive.push(isPos);
    if (isPos && flagged) tp++;
    else if (isPos) fn++;
    else if (flagged) fp++;
    else tn++;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  return {
    n,
    accuracy: n > 0 ? correct / n : 0,
    precision,
    recall,
    f1: precision + recall > 0
      ? 2 * precision * recall / (precision + recall)
      : 0,
    rocAuc: rocAuc(inp.scores, positive),
    confusion,
    threshold: inp.threshold,
    fpr: fp + tn > 0 ? fp / (fp + tn) : 0,
  };
}
