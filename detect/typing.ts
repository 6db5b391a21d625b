/**
 * The typing rule: judges a window's keystroke rhythm when the window has keys but no pointer
 * evidence, so a keyboard-only bot is judged instead of skipped. Pure and transparent: two limits
 * on the keydown-to-keydown intervals, each a fact about people, not a trained model.
 *
 * What automation produces (puppeteer-core 25 `Keyboard.type`/`press`, lib/cdp/Input.js): each
 * character is keyDown, then `delay` ms (when given), then keyUp, every step one awaited CDP call.
 * Without `delay`, keys land a CDP round trip apart (about 0.2–2 ms): {@link TOO_FAST_MS} catches
 * them. With `{ delay: d }` the key is held d ms and the next one follows within a round trip, so
 * every interval is d plus about a millisecond, with timer jitter around a millisecond:
 * {@link MIN_HUMAN_JITTER_MS} catches them. Playwright's `keyboard.type` works the same way.
 *
 * What people produce, measured on the Aalto 136M Keystrokes subset (300 typists, 12,594 windows
 * of 5 s with ≥ 6 keydowns; evaluation only, nothing of it ships): the median interval of a window
 * is never below 72 ms (the literature's typical dwell is 80–120 ms and flight 100–250 ms), and the
 * standard deviation of its intervals never below 4.1 ms (someone tapping Backspace six times;
 * 0.1 % of windows are below 21.7 ms). Keyboards polled at 125 Hz add up to 8 ms of jitter on top.
 * Auto-repeat never reaches this rule: the collector drops `e.repeat` keydowns.
 *
 * A machine-typed window scores {@link MACHINE_SCORE}, not 1: one burst of a password manager's
 * auto-type (a person's tool) must not decide a session alone, while three such windows in a row
 * pass the default VERDICT_THRESHOLD. Varied typing scores {@link NEUTRAL_SCORE}: a bot with
 * randomised delays types "varied" too, so this rule can prove a machine but never a person.
 *
 * @module
 */
import type { GuardEvent } from "./events.ts";

/** Keydowns a window needs before its rhythm is judged. */
export const MIN_KEYS = 6;
/** A median keydown interval below this (40 keys/s) is a program; people's floor is 72 ms. */
export const TOO_FAST_MS = 25;
/** Interval standard deviation below this is a timer; people's floor is 4.1 ms. */
export const MIN_HUMAN_JITTER_MS = 2;
/** Score of a machine-typed window (log-odds +2.94). */
export const MACHINE_SCORE = 0.95;
/** Score of varied typing: no evidence either way (log-odds 0). */
export const NEUTRAL_SCORE = 0.5;

/** Options of {@link judgeTyping}; each defaults to the constant of the same name. */
export interface TypingOptions {
  minKeys?: number;
  tooFastMs?: number;
  minHumanJitterMs?: number;
}

/** What the typing rule saw and concluded about one window. */
export interface TypingJudgement {
  /** P(bot)-like score for the session rule. */
  score: number;
  /** `too_fast` and `machine_cadence` are bot evidence; `varied` is none. */
  reason: "too_fast" | "machine_cadence" | "varied";
  keys: number;
  /** Median keydown-to-keydown interval, ms. */
  intervalMedian: number;
  /** Population standard deviation of those intervals, ms. */
  intervalStd: number;
}

/**
 * Judges the keystroke rhythm of one window.
 *
 * @param events the window's events in time order
 * @returns the judgement, or null when the window has fewer than `minKeys` keydowns
 */
export function judgeTyping(
  events: readonly GuardEvent[],
  options: TypingOptions = {},
): TypingJudgement | null {
  const downs: number[] = [];
  for (const e of events) if (e.kind === "keydown") downs.push(e.t);
  if (downs.length < (options.minKeys ?? MIN_KEYS)) return null;
  const intervals = downs.slice(1).map((t, i) => t - downs[i]);
  const intervalMedian = median(intervals);
  const intervalStd = std(intervals);
  const reason = intervalMedian < (options.tooFastMs ?? TOO_FAST_MS)
    ? "too_fast"
    : intervalStd < (options.minHumanJitterMs ?? MIN_HUMAN_JITTER_MS)
    ? "machine_cadence"
    : "varied";
  return {
    score: reason === "varied" ? NEUTRAL_SCORE : MACHINE_SCORE,
    reason,
    keys: downs.length,
    intervalMedian,
    intervalStd,
  };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function std(xs: readonly number[]): number {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
}
