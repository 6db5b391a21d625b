/**
 * The session rule: window scores → one verdict per session.
 *
 * Each window's score s = 1 − P("human") is turned into log-odds ℓ = log(s / (1 − s)), clipped to
 * [−clip, clip], and accumulated with decay: E ← decay·E + ℓ. The session is a bot once E ≥ threshold
 * after at least `minWindows` windows; the verdict latches (a detected session stays detected).
 *
 * Why this rule, not "one bad window" or a plain k-of-n vote:
 * - Summing log-odds is Wald's sequential probability ratio test under the naive assumption that
 *   windows are independent evidence: weak but consistent evidence adds up, and a confidently human
 *   window subtracts, so one odd window of a real person does not decide anything.
 * - Clipping bounds what a single window can say. Tree leaves are often pure (P = 0 or 1, log-odds
 *   ±∞); with clip c the fastest possible detection takes ⌈threshold / c⌉ windows (with decay, a few
 *   more), which is the minimum evidence an operator can reason about.
 * - Decay forgets old evidence (half-life log(0.5)/log(decay) windows: ≈3.1 at 0.8), so a session
 *   taken over by a bot after a long human stretch is still caught, and a long human session cannot
 *   slowly accumulate rare false positives; the steady state for a constant ℓ is ℓ/(1 − decay).
 *
 * @module
 */

/** Options of the session rule; the defaults mirror config.ts (VERDICT_*). */
export interface VerdictOptions {
  /** Evidence needed for a bot verdict (VERDICT_THRESHOLD). */
  threshold: number;
  /** Windows needed before any verdict (VERDICT_MIN_WINDOWS). */
  minWindows: number;
  /** Factor applied to the evidence before each window is added (VERDICT_DECAY), in [0, 1]. */
  decay: number;
  /** Bound on one window's log-odds. Default {@link DEFAULT_CLIP}. */
  clip?: number;
}

/** Default bound on one window's log-odds: a window with P(bot) ≥ 0.993 counts as 0.993. */
export const DEFAULT_CLIP = 5;

/** Running evidence of one session. */
export interface EvidenceState {
  /** Accumulated, decayed log-odds. */
  evidence: number;
  /** Windows seen. */
  windows: number;
  /** 1-based index of the window at which the session was first judged a bot, or null. */
  detectedAt: number | null;
}

/** The verdict on a whole score sequence. */
export interface SessionVerdict extends EvidenceState {
  verdict: "bot" | "human";
}

/** A fresh session: no evidence, no windows. */
export function initialEvidence(): EvidenceState {
  return { evidence: 0, windows: 0, detectedAt: null };
}

/**
 * Log-odds of one window score, clipped to [−clip, clip]. NaN (no score) counts as 0: no evidence.
 */
export function windowLogOdds(score: number, clip = DEFAULT_CLIP): number {
  if (Number.isNaN(score)) return 0;
  const s = Math.min(1, Math.max(0, score));
  const raw = Math.log(s / (1 - s)); // ±Infinity at 1 and 0, clipped below
  return Math.min(clip, Math.max(-clip, raw));
}

/**
 * Adds one window score to a session's evidence. Pure: returns the next state.
 *
 * @param state the session's state before this window
 * @param score the window's score, 1 − P("human"), in [0, 1]
 */
export function stepEvidence(
  state: EvidenceState,
  score: number,
  options: VerdictOptions,
): EvidenceState {
  const evidence = options.decay * state.evidence +
    windowLogOdds(score, options.clip ?? DEFAULT_CLIP);
  const windows = state.windows + 1;
  const crossed = windows >= options.minWindows &&
    evidence >= options.threshold;
  const detectedAt = state.detectedAt ?? (crossed ? windows : null);
  return { evidence, windows, detectedAt };
}

/**
 * The session verdict over a sequence of window scores (in order). Used online by the detector (one
 * step at a time) and offline by sim/evaluate.ts to measure the session false-positive rate.
 *
 * @example
 * ```ts
 * sessionVerdict([0.99, 0.99, 0.99], { threshold: 6, minWindows: 3, decay: 0.8 });
 * // → { verdict: "bot", detectedAt: 3, windows: 3, evidence: 11.2… }
 * ```
 */
export function sessionVerdict(
  scores: readonly number[],
  options: VerdictOptions,
): SessionVerdict {
  let state = initialEvidence();
  for (const score of scores) state = stepEvidence(state, score, options);
  return { ...state, verdict: state.detectedAt === null ? "human" : "bot" };
}
