/**
 * Metrics of user verification, over scores where higher means "more like the owner": ROC AUC,
 * equal error rate, false-reject / false-accept rates at a threshold, session scores from the first
 * k windows, and summaries over users. Pure numbers; docs/user_verification.md is built on them.
 *
 * @module
 */
import { rocAuc } from "../../tree/mod.ts";
import { sessionOwnerProbability } from "../../detect/verifier.ts";
import { equalErrorRate } from "../../middleware/detect/mod.ts";
import { windowLogOdds } from "../../detect/mod.ts";
import { evenlySpaced } from "../dataset/dataset.ts";

/**
 * The equal error rate and its threshold (accept a score ≥ t): the guard's own definition, which
 * also calibrates every profile, so the evaluation and the runtime cannot disagree on it.
 */
export { equalErrorRate };

/** ROC AUC of genuine (positive) against impostor scores, ties counted half; NaN if one is empty. */
export function verificationAuc(
  genuine: readonly number[],
  impostor: readonly number[],
): number {
  return rocAuc(
    [...genuine, ...impostor],
    [...genuine.map(() => true), ...impostor.map(() => false)],
  );
}

/** False-reject and false-accept rates: a score ≥ threshold is accepted as the owner. */
export function errorRates(
  genuine: readonly number[],
  impostor: readonly number[],
  threshold: number,
): { frr: number; far: number } {
  const frr = genuine.filter((s) => s < threshold).length / genuine.length;
  const far = impostor.filter((s) => s >= threshold).length / impostor.length;
  return { frr, far };
}

/** How a session's first k window probabilities become one score. */
export type Aggregate = "mean" | "logOdds";

/** Sum of the windows' log-odds log(p / (1 − p)), each clipped as the session rule clips them (±5). */
export function summedLogOdds(probabilities: readonly number[]): number {
  return probabilities.reduce((sum, p) => sum + windowLogOdds(p), 0);
}

/**
 * The score of a session from its first `k` scored windows (NaN windows, no pointer evidence, are
 * skipped): their mean P(owner) (verifier `sessionOwnerProbability`, the product's rule), or their
 * summed clipped log-odds. Undefined when the session has fewer than `k` scored windows.
 */
export function sessionScore(
  windows: readonly number[],
  k: number,
  aggregate: Aggregate,
): number | undefined {
  const first = windows.filter((p) => !Number.isNaN(p)).slice(0, k);
  if (first.length < k) return undefined;
  return aggregate === "mean"
    ? sessionOwnerProbability(first)
    : summedLogOdds(first);
}

/** Session scores of the sessions that have `k` scored windows (the rest are left out). */
export function sessionScores(
  sessions: readonly (readonly number[])[],
  k: number,
  aggregate: Aggregate,
): number[] {
  return sessions.map((s) => sessionScore(s, k, aggregate)).filter((
    x,
  ): x is number => x !== undefined);
}

/** Mean, sample standard deviation and quartiles of the non-NaN values. */
export interface Summary {
  n: number;
  mean: number;
  sd: number;
  min: number;
  q25: number;
  median: number;
  q75: number;
  max: number;
}

/** Quantile by linear interpolation between order statistics (numpy's default). */
function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** {@link Summary} of the non-NaN values; every field but `n` NaN when none is left. */
export function summarize(values: readonly number[]): Summary {
  const v = values.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  const n = v.length;
  if (n === 0) {
    return {
      n,
      mean: NaN,
      sd: NaN,
      min: NaN,
      q25: NaN,
      median: NaN,
      q75: NaN,
      max: NaN,
    };
  }
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1
    ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1))
    : 0;
  return {
    n,
    mean,
    sd,
    min: v[0],
    q25: quantile(v, 0.25),
    median: quantile(v, 0.5),
    q75: quantile(v, 0.75),
    max: v[n - 1],
  };
}

/** One user's held-out scores: per test session, each window's P(owner) in order (NaN: no evidence). */
export interface SessionScores {
  genuine: number[][];
  impostor: number[][];
}

/** The scored windows of the sessions, at most `perSession` of each, evenly spaced. */
export function windowScores(
  sessions: readonly (readonly number[])[],
  perSession: number,
): number[] {
  return sessions.flatMap((s) => {
    const scored = s.filter((p) => !Number.isNaN(p));
    return evenlySpaced(scored.length, perSession).map((i) => scored[i]);
  });
}

/** Where a score is taken: each window (at most `perSession` per session), or first-k sessions. */
export type Level =
  | { window: true; perSession: number }
  | { k: number; aggregate: Aggregate };

/** Genuine and impostor scores at a level, of one user or pooled over users. */
export function levelScores(
  users: readonly SessionScores[],
  level: Level,
): { genuine: number[]; impostor: number[] } {
  const pick = (ss: number[][]) =>
    "window" in level
      ? windowScores(ss, level.perSession)
      : sessionScores(ss, level.k, level.aggregate);
  return {
    genuine: users.flatMap((u) => pick(u.genuine)),
    impostor: users.flatMap((u) => pick(u.impostor)),
  };
}

/** Per-user AUC and EER at a level, summarised over users (users lacking a class give NaN, left out). */
export function perUser(
  users: readonly SessionScores[],
  level: Level,
): { auc: Summary; eer: Summary } {
  const each = users.map((u) => levelScores([u], level));
  return {
    auc: summarize(each.map((s) => verificationAuc(s.genuine, s.impostor))),
    eer: summarize(each.map((s) => equalErrorRate(s.genuine, s.impostor).eer)),
  };
}

/**
 * FRR and FAR pooled over users when each user has a threshold of their own: the counts of
 * rejected genuine and accepted impostor scores at a level, summed over users.
 */
export function ratesAtOwnThresholds(
  users: readonly (SessionScores & { threshold?: number })[],
  level: Level,
): { frr: number; far: number; genuine: number; impostor: number } {
  let rejected = 0, accepted = 0, genuine = 0, impostor = 0;
  for (const u of users) {
    const s = levelScores([u], level);
    const t = u.threshold ?? NaN;
    rejected += s.genuine.filter((x) => !(x >= t)).length;
    accepted += s.impostor.filter((x) => x >= t).length;
    genuine += s.genuine.length;
    impostor += s.impostor.length;
  }
  return {
    frr: rejected / genuine,
    far: accepted / impostor,
    genuine,
    impostor,
  };
}
