/**
 * Evaluation helpers: grouped folds (a person or a bot session never straddles train and test),
 * out-of-fold scores, thresholds at a target human false-positive rate, and per-session rules.
 */
import type { DatasetRow } from "../dataset/dataset.ts";
import { createRng } from "../bots/prng.ts";

/** Scores rows: P(bot)-like values in [0, 1]. */
export type Scorer = (rows: readonly DatasetRow[]) => number[];

/** Trains on rows using the given feature indices and returns a scorer. */
export type Trainer = (train: readonly DatasetRow[]) => Scorer;

/** Fold index per row, assigned per group, shuffled with a seed, stratified by label. */
export function groupFolds(
  rows: readonly DatasetRow[],
  k: number,
  seed: number,
): number[] {
  const rng = createRng(seed);
  const foldOf = new Map<string, number>();
  for (const label of ["human", "bot"]) {
    const groups = [
      ...new Set(rows.filter((r) => r.label === label).map((r) => r.group)),
    ].sort();
    for (let i = groups.length - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [groups[i], groups[j]] = [groups[j], groups[i]];
    }
    groups.forEach((g, i) => foldOf.set(g, i % k));
  }
  return rows.map((r) => foldOf.get(r.group)!);
}

/** Out-of-fold scores: each fold scored by a model trained on the other folds. */
export function outOfFoldScores(
  rows: readonly DatasetRow[],
  folds: readonly number[],
  k: number,
  train: Trainer,
): number[] {
  const scores = new Array<number>(rows.length).fill(NaN);
  for (let f = 0; f < k; f++) {
    const idx = rows.map((_, i) => i).filter((i) => folds[i] === f);
    const scorer = train(rows.filter((_, i) => folds[i] !== f));
    const s = scorer(idx.map((i) => rows[i]));
    idx.forEach((i, j) => (scores[i] = s[j]));
  }
  return scores;
}

/** The smallest threshold t such that at most `fpr` of human scores are > t. */
export function thresholdAtFpr(
  humanScores: readonly number[],
  fpr: number,
): number {
  const sorted = [...humanScores].sort((a, b) => b - a);
  const allowed = Math.floor(fpr * sorted.length);
  return sorted.length === 0
    ? 0.5
    : sorted[Math.min(allowed, sorted.length - 1)];
}

/** Share of scores above a threshold. */
export function rateAbove(
  scores: readonly number[],
  threshold: number,
): number {
  if (scores.length === 0) return NaN;
  return scores.filter((s) => s > threshold).length / scores.length;
}

/** ROC AUC of bot-vs-human scores (ties count half). */
export function rocAuc(
  scores: readonly number[],
  isBot: readonly boolean[],
): number {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) =>
    a[0] - b[0]
  );
  let rankSum = 0, nPos = 0, i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    const rank = (i + j) / 2 + 1;
    for (let m = i; m <= j; m++) {
      if (isBot[order[m][1]]) (rankSum += rank, nPos++);
    }
    i = j + 1;
  }
  const nNeg = order.length - nPos;
  return nPos === 0 || nNeg === 0
    ? NaN
    : (rankSum - nPos * (nPos + 1) / 2) / (nPos * nNeg);
}

/** Window scores grouped by session, in window order. */
export function scoresBySession(
  rows: readonly DatasetRow[],
  scores: readonly number[],
): Map<string, { row: DatasetRow; scores: number[] }> {
  const out = new Map<string, { row: DatasetRow; scores: number[] }>();
  const order = rows.map((_, i) => i).sort((a, b) =>
    rows[a].session.localeCompare(rows[b].session) ||
    rows[a].window - rows[b].window
  );
  for (const i of order) {
    const entry = out.get(rows[i].session) ?? { row: rows[i], scores: [] };
    entry.scores.push(scores[i]);
    out.set(rows[i].session, entry);
  }
  return out;
}

/** k-of-n rule: bot at the first window where ≥ k of the last n window scores exceed t; else null. */
export function kOfN(
  scores: readonly number[],
  k: number,
  n: number,
  t: number,
): number | null {
  for (let i = 0; i < scores.length; i++) {
    let hits = 0;
    for (let j = Math.max(0, i - n + 1); j <= i; j++) if (scores[j] > t) hits++;
    if (hits >= k) return i + 1;
  }
  return null;
}
