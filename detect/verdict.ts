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
 * Humans are the stable class, bots an open set: a bot unlike every bot the model was trained on
 * scores as neither, window after window. So the rule also asks for positive evidence of a human
 * (`ambiguity`): a window is positively human when the bot model scores it below `botBelow` and
 * the humanness model (human windows against a reference background, tree/background.ts) gives
 * P(human) ≥ `humanness`. A session with `windows` model-scored windows in a row and none of them
 * positively human is judged a bot. Windows the model does not score (keyboard-only, touch) neither
 * count nor reset. Chosen on leave-one-family-out (docs/evaluation.md).
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
  /** The positive-evidence rule (VERDICT_AMBIGUOUS_*); absent: off. */
  ambiguity?: AmbiguityOptions;
}

/** When a run of windows with no positively human one is a verdict. */
export interface AmbiguityOptions {
  /** Model-scored windows in a row with none positively human (VERDICT_AMBIGUOUS_WINDOWS). */
  windows: number;
  /** P(human) of the humanness model a human window reaches (VERDICT_AMBIGUOUS_HUMANNESS). */
  humanness: number;
  /** Bot score a human window stays under (default 0.5). */
  botBelow?: number;
}

/**
 * Default bound on one window's log-odds when the options name none: a window with P(bot) ≥ 0.993
 * counts as 0.993 (the owner check uses it). The bot session rule takes VERDICT_CLIP (3) from
 * config.ts through {@link verdictOptionsOf}.
 */
export const DEFAULT_CLIP = 5;

/** Running evidence of one session. */
export interface EvidenceState {
  /** Accumulated, decayed log-odds. */
  evidence: number;
  /** Windows seen. */
  windows: number;
  /** 1-based index of the window at which the session was first judged a bot, or null. */
  detectedAt: number | null;
  /** Model-scored windows since the last positively human one (absent: none scored yet). */
  sinceHuman?: number;
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
 * @param humanness P(human) of the humanness model for a model-scored window; undefined for a
 *   window the model did not score (it leaves the ambiguity run as it is)
 */
export function stepEvidence(
  state: EvidenceState,
  score: number,
  options: VerdictOptions,
  humanness?: number,
): EvidenceState {
  const evidence = options.decay * state.evidence +
    windowLogOdds(score, options.clip ?? DEFAULT_CLIP);
  const windows = state.windows + 1;
  const a = options.ambiguity;
  let sinceHuman = state.sinceHuman;
  if (a !== undefined && humanness !== undefined) {
    const human = score < (a.botBelow ?? 0.5) && humanness >= a.humanness;
    sinceHuman = human ? 0 : (sinceHuman ?? 0) + 1;
  }
  const crossed = windows >= options.minWindows &&
    (evidence >= options.threshold ||
      (a !== undefined && (sinceHuman ?? 0) >= a.windows));
  const detectedAt = state.detectedAt ?? (crossed ? windows : null);
  return sinceHuman === undefined
    ? { evidence, windows, detectedAt }
    : { evidence, windows, detectedAt, sinceHuman };
}

/**
 * The session verdict over a sequence of window scores (in order). Used online by the detector (one
 * step at a time) and offline by sim/evaluation/evaluate.ts to measure the session false-positive rate.
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
  humanness?: readonly number[],
): SessionVerdict {
  let state = initialEvidence();
  scores.forEach((score, i) =>
    state = stepEvidence(state, score, options, humanness?.[i])
  );
  return { ...state, verdict: state.detectedAt === null ? "human" : "bot" };
}

/** The VERDICT_* settings of config.ts (structurally, so this file stays pure). */
export interface VerdictSettings {
  VERDICT_THRESHOLD: number;
  VERDICT_MIN_WINDOWS: number;
  VERDICT_DECAY: number;
  VERDICT_CLIP: number;
  VERDICT_AMBIGUOUS_WINDOWS: number;
  VERDICT_AMBIGUOUS_HUMANNESS: number;
}

/**
 * The session rule of a configuration: the one place that maps VERDICT_* to options, for the
 * detector, `deno task replay` and the evaluation. VERDICT_AMBIGUOUS_WINDOWS 0 turns the
 * positive-evidence rule off.
 */
export function verdictOptionsOf(c: VerdictSettings): VerdictOptions {
  const base = {
    threshold: c.VERDICT_THRESHOLD,
    minWindows: c.VERDICT_MIN_WINDOWS,
    decay: c.VERDICT_DECAY,
    clip: c.VERDICT_CLIP,
  };
  return c.VERDICT_AMBIGUOUS_WINDOWS === 0 ? base : {
    ...base,
    ambiguity: {
      windows: c.VERDICT_AMBIGUOUS_WINDOWS,
      humanness: c.VERDICT_AMBIGUOUS_HUMANNESS,
    },
  };
}
