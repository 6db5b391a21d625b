/**
 * How one window is judged when the server holds its raw events: integrity and replay first (no
 * device makes those windows, whatever else they show), then the mouse model for mouse windows,
 * the typing rule for keyboard-only windows, and nothing for the rest. Pure but for the replay
 * index it is handed, so the same code judges live traffic and replays.
 *
 * @module
 */
import type { FeatureVector } from "../collector/mod.ts";
import { type GuardEvent, hasTouchOrPen } from "./events.ts";
import { assessWindow } from "./integrity.ts";
import { type ReplayIndex, windowFingerprints } from "./replay_index.ts";
import { judgeTyping } from "./typing.ts";

/** Signals of one window: the integrity signals, `replay`, and the typing rule's bot reasons. */
export type WindowSignals = Record<string, number>;

/**
 * The route of one window: `skip` carries no evidence; `fixed` is scored by a rule; `model` is
 * scored by the mouse model, and the final score is at least `floor` (machine typing in a window
 * that also moved the mouse still counts).
 */
export type WindowRoute =
  | { route: "skip"; signals: WindowSignals }
  | { route: "fixed"; score: number; signals: WindowSignals }
  | { route: "model"; floor: number; signals: WindowSignals };

/** What {@link routeWindow} needs besides the window. */
export interface RouteOptions {
  replay: ReplayIndex;
  /** Now, in ms, for the replay index's TTL. */
  now: number;
  /** MIN_EVENTS: fewer non-meta events carry no weight and are not fingerprinted. */
  minEvents: number;
}

/**
 * Routes one window by its server-decoded events.
 *
 * @param events the window's events in time order
 * @param _features the features the server computed from them (the rules here read the events)
 */
export function routeWindow(
  events: readonly GuardEvent[],
  _features: FeatureVector,
  options: RouteOptions,
): WindowRoute {
  const signals: WindowSignals = { ...assessWindow(events) };
  const fingerprints = windowFingerprints(events, {
    minEvents: options.minEvents,
  });
  const repeated = options.replay.check(fingerprints, options.now);
  if (repeated.length > 0) signals.replay = repeated.length;
  if (Object.keys(signals).length > 0) {
    return { route: "fixed", score: 1, signals };
  }
  const real = events.reduce((n, e) => n + (e.kind === "meta" ? 0 : 1), 0);
  if (real < options.minEvents) return { route: "skip", signals };
  const typing = judgeTyping(events);
  const machine = typing !== null && typing.reason !== "varied";
  if (machine) signals[typing.reason] = 1;
  // Touch and pen windows are behaviour evidence but not the mouse model's to judge: it has
  // seen no human touch or pen recording.
  if (hasPointerInput(events) && !hasTouchOrPen(events)) {
    return { route: "model", floor: machine ? typing.score : 0, signals };
  }
  return typing === null
    ? { route: "skip", signals }
    : { route: "fixed", score: typing.score, signals };
}

/**
 * Whether the window holds input the mouse model can judge: two moves (an interval), a press or a
 * wheel turn, or page scrolling with no keyboard in the window. Scrolling in a window that also
 * has keys or focus moves is the keyboard's (Tab brings the focused field into view, Space and
 * PageDown scroll): such a window goes to the typing rule, not to a mouse model that has never
 * seen a keyboard-only person (regression: a keyboard-only human was logged out on scores of
 * 0.79–0.89 for Tab-and-type windows with focus scrolls).
 */
export function hasPointerInput(events: readonly GuardEvent[]): boolean {
  let moves = 0, scrolls = false, keys = false;
  for (const e of events) {
    if (e.kind === "down" || e.kind === "wheel") return true;
    if (e.kind === "move" && ++moves >= 2) return true;
    if (e.kind === "scroll") scrolls = true;
    else if (e.kind === "keydown" || e.kind === "focus") keys = true;
  }
  return scrolls && !keys;
}
