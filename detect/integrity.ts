/**
 * Integrity signals: reasons a window of raw events cannot have come from a person at an input
 * device. Pure; each signal counts the events that break one physical limit, so one slip of a real
 * device (a dropped frame, a clamped timer) never produces a signal, and a window with any signal is
 * judged a bot window by the detector.
 *
 * Thresholds, and the facts behind them (all conservative: 3× or more above the worst human
 * recording we measured, so 60–540 Hz displays, touch, pen and keyboard-only users stay silent):
 * - `untrusted`: the browser itself marked the event synthetic (`isTrusted === false`, a
 *   `dispatchEvent` from page script). No device produces one.
 * - `move_rate`: Chromium, Firefox and Safari dispatch mousemove/pointermove at most once per
 *   display frame (coalesced; the rest go to `getCoalescedEvents`), and the fastest displays sold
 *   run at 540 Hz. {@link MAX_MOVES_PER_SPAN} moves in {@link MOVE_SPAN_MS} is 1000/s sustained,
 *   1.85× that; the SapiMouse recordings (245 sessions, 1 ms clock) peak at 52 per 200 ms.
 * - `move_same_time`: clocks are clamped (Chromium 0.1 ms, Firefox 1 ms, Tor Browser 100 ms), so
 *   a few moves may share a time, but at 540 Hz a 100 ms clamp gathers at most 54. More than
 *   {@link MAX_SAME_TIME_MOVES} moves at one time are a batch written by a script.
 * - `key_rate`: the fastest typists sustain ~18 keys/s (216 wpm); the Aalto 136M Keystrokes subset
 *   (300 typists, 4,500 sentences) peaks at 16 keydowns in any second. Auto-repeat is not counted:
 *   the collector drops `e.repeat` keydowns. Above {@link MAX_KEYS_PER_SECOND} is a program typing
 *   (puppeteer's `page.type` without delay sends a sentence within a few ms).
 * - `constant_interval`: a script's `setInterval`/`setTimeout` loop spaces moves exactly evenly.
 *   Real hardware polls evenly too (8 ms at 125 Hz), and on a 1 ms clock the SapiMouse humans hold
 *   one interval for up to 31 moves in a row; a run of {@link MIN_CONSTANT_RUN} equal intervals
 *   (1.6 s of unbroken motion at 60 Hz) is beyond that by 3×.
 *
 * Zero key dwell (keyup at the keydown's time) is deliberately not a signal here: Android virtual
 * keyboards send the keydown/keyup pair (keyCode 229) together, so a real phone typist shows it on
 * every key. The typing rule (typing.ts) judges dwell together with cadence instead.
 *
 * @module
 */
import type { GuardEvent } from "./events.ts";

/** The names of the integrity signals (see the module doc for each one's limit). */
export type IntegritySignal =
  | "untrusted"
  | "move_rate"
  | "move_same_time"
  | "key_rate"
  | "constant_interval";

/** Each signal present with the number of events that broke its limit; absent means none. */
export type IntegritySignals = Partial<Record<IntegritySignal, number>>;

/** Moves counted per span for `move_rate`: 200 in 200 ms is 1000/s sustained. */
export const MAX_MOVES_PER_SPAN = 200;
/** The span of `move_rate`, in ms. */
export const MOVE_SPAN_MS = 200;
/** More moves than this at one timestamp make `move_same_time`. */
export const MAX_SAME_TIME_MOVES = 64;
/** More keydowns than this in any second make `key_rate`. */
export const MAX_KEYS_PER_SECOND = 25;
/** This many consecutive equal move intervals make `constant_interval`. */
export const MIN_CONSTANT_RUN = 100;

/** Options of {@link assessWindow}; every limit defaults to the constant of the same name. */
export interface IntegrityOptions {
  maxMovesPerSpan?: number;
  maxSameTimeMoves?: number;
  maxKeysPerSecond?: number;
  minConstantRun?: number;
}

/**
 * The integrity signals of one window.
 *
 * @param events the window's events in time order (as the server decodes them)
 * @returns only the signals that fired, each with its count of offending events
 */
export function assessWindow(
  events: readonly GuardEvent[],
  options: IntegrityOptions = {},
): IntegritySignals {
  const moves: number[] = [], keys: number[] = [];
  let untrusted = 0;
  for (const e of events) {
    if (e.kind === "meta") continue;
    if (e.trusted === false) untrusted++;
    if (e.kind === "move") moves.push(e.t);
    else if (e.kind === "keydown") keys.push(e.t);
  }
  const counts: Record<IntegritySignal, number> = {
    untrusted,
    move_rate: overRate(
      moves,
      MOVE_SPAN_MS,
      options.maxMovesPerSpan ?? MAX_MOVES_PER_SPAN,
    ),
    move_same_time: sameTime(
      moves,
      options.maxSameTimeMoves ?? MAX_SAME_TIME_MOVES,
    ),
    key_rate: overRate(
      keys,
      1000,
      options.maxKeysPerSecond ?? MAX_KEYS_PER_SECOND,
    ),
    constant_interval: constantRuns(
      moves,
      options.minConstantRun ?? MIN_CONSTANT_RUN,
    ),
  };
  const out: IntegritySignals = {};
  for (const [name, n] of Object.entries(counts)) {
    if (n > 0) out[name as IntegritySignal] = n;
  }
  return out;
}

/** Whether any signal fired. */
export function hasIntegritySignal(signals: IntegritySignals): boolean {
  return Object.values(signals).some((n) => n !== undefined && n > 0);
}

/** Times t whose span (t − spanMs, t] holds more than `limit` times (two pointers, sorted input). */
function overRate(times: readonly number[], spanMs: number, limit: number) {
  let count = 0, lo = 0;
  for (let i = 0; i < times.length; i++) {
    while (times[lo] <= times[i] - spanMs) lo++;
    if (i - lo + 1 > limit) count++;
  }
  return count;
}

/** Times in groups of equal time larger than `limit`. */
function sameTime(times: readonly number[], limit: number): number {
  let count = 0, start = 0;
  for (let i = 1; i <= times.length; i++) {
    if (i < times.length && times[i] === times[start]) continue;
    if (i - start > limit) count += i - start;
    start = i;
  }
  return count;
}

/**
 * Times in runs of at least `minRun` consecutive equal, non-zero intervals. Intervals are compared
 * at 0.01 ms, below every browser clock's resolution, so float noise of epoch times cannot split a
 * run that a script produced.
 */
function constantRuns(times: readonly number[], minRun: number): number {
  let count = 0, run = 0, prev = NaN;
  const close = () => {
    if (run >= minRun) count += run + 1; // a run of k intervals spans k + 1 events
  };
  for (let i = 1; i < times.length; i++) {
    const d = Math.round((times[i] - times[i - 1]) * 100);
    if (d > 0 && d === prev) run++;
    else {
      close();
      run = d > 0 ? 1 : 0;
    }
    prev = d;
  }
  close();
  return count;
}
