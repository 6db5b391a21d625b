/**
 * The one feature definition. The browser bundle, the ingest schema, the DB columns, the CSV header
 * and the model all take their feature list from {@link FEATURE_NAMES}, in this order.
 *
 * A missing modality (no typing in a window, say) is NaN, never a fake zero. On the wire (JSON)
 * NaN travels as `null`.
 *
 * @module
 */
import { clickFeatures, keyFeatures, scrollFeatures } from "./_input.ts";
import { movementFeatures, type Point } from "./_movement.ts";

/** The ordered feature list. Adding a feature here adds it everywhere (see README, "Features"). */
export const FEATURE_NAMES = [
  // The seed system's features. Per-axis and count-based: kept available, measured transfer decides.
  "mouse_dx_mean",
  "mouse_dy_mean",
  "click_count",
  "typing_speed",
  "scroll_speed",
  // Movement kinematics, over time, so invariant to the sampling rate and direction.
  "speed_mean",
  "speed_std",
  "speed_max",
  "accel_mean",
  "accel_std",
  "jerk_mean",
  "curvature_mean",
  "straightness",
  "pause_share",
  // Regularity of inter-event timing (move events).
  "interval_mean",
  "interval_std",
  "interval_cv",
  "interval_mode_share",
  // Clicks.
  "click_dwell_mean",
  "click_dwell_std",
  "click_no_move_share",
  // Typing rhythm: timing only.
  "key_dwell_mean",
  "key_dwell_std",
  "key_flight_mean",
  "key_flight_std",
  "backspace_ratio",
  // Scrolling.
  "scroll_interval_cv",
  // Environment.
  "untrusted_share",
  "webdriver",
] as const;

/** One feature's name. */
export type FeatureName = typeof FEATURE_NAMES[number];

/** One window's features, NaN where a modality is absent. */
export type FeatureVector = Record<FeatureName, number>;

/** Kinds of raw event (see collector/README.md, the public raw event format). */
export const EVENT_KINDS = [
  "move",
  "down",
  "up",
  "wheel",
  "scroll",
  "keydown",
  "keyup",
  "visibility",
  "meta",
  "focus",
] as const;

/** One raw event kind. */
export type EventKind = typeof EVENT_KINDS[number];

/** Coarse key class: the only thing a key event says about which key it was. */
export type KeyClass = "char" | "backspace" | "other";

/**
 * One raw event, as one line of a JSON Lines recording. Times are milliseconds on one monotonic
 * clock per session; coordinates are CSS pixels in the viewport.
 */
export interface RawEvent {
  session: string;
  t: number;
  kind: EventKind;
  x?: number;
  y?: number;
  /** The pointer of a move, down or up when it is not a mouse (absent: mouse). */
  pointer?: "touch" | "pen";
  /** Mouse button (0 left, 1 middle, 2 right), for down and up. */
  button?: number;
  /** Wheel deltas, or scroll position change, in pixels. */
  dx?: number;
  dy?: number;
  /** Key class, for keydown and keyup. Never the key value. */
  key?: KeyClass;
  /** Pairs a keyup with its keydown: a per-session press counter, not a key code. */
  id?: number;
  /** False when the browser reported the event as synthetic (`isTrusted === false`). */
  trusted?: boolean;
  /** For visibility: whether the page is visible now. */
  visible?: boolean;
  /** For meta: `navigator.webdriver`. */
  webdriver?: boolean;
}

/** A raw event without its session, as the browser holds it and a post carries it. */
export type WindowEvent = Omit<RawEvent, "session">;

/** A feature value beyond ±FEATURE_LIMIT saturates to it, so a window always fits the post schema. */
export const FEATURE_LIMIT = 1e15;

/** Options of {@link extractFeatures}. */
export interface ExtractOptions {
  /** The window length in ms that rates are taken over (default 5000), whatever the events span. */
  windowMs?: number;
  /** `navigator.webdriver` when known and the window has no meta event. */
  webdriver?: boolean;
}

/**
 * Computes the features of ONE window of a session's events (see collector/README.md, "Features",
 * for every formula). Pure and total: never throws. click_count, typing_speed and scroll_speed are
 * always numbers; untrusted_share is a number whenever the window has a non-meta event; every other
 * feature is NaN when its modality is absent.
 *
 * @param events the window's events, ideally in time order (a sorted copy is used otherwise)
 * @returns the feature vector (use {@link featureRow} for FEATURE_NAMES order)
 */
export function extractFeatures(
  events: readonly WindowEvent[],
  options: ExtractOptions = {},
): FeatureVector {
  const ordered = inTimeOrder(events);
  const windowMs = options.windowMs ?? 5000;
  const seconds = windowMs > 0 ? windowMs / 1000 : 5;
  const moves: Point[] = [];
  let untrusted = 0, counted = 0, webdriver = options.webdriver;
  for (let i = 0; i < ordered.length; i++) {
    const e = ordered[i];
    if (e.kind === "meta") {
      if (typeof e.webdriver === "boolean") webdriver = e.webdriver;
      continue;
    }
    counted++;
    if (e.trusted === false) untrusted++;
    if (e.kind === "move" && Number.isFinite(e.x) && Number.isFinite(e.y)) {
      moves.push(e as Point);
    }
  }
  const m = movementFeatures(moves);
  const c = clickFeatures(ordered);
  const k = keyFeatures(ordered, seconds);
  const s = scrollFeatures(ordered, seconds);
  // One literal in FEATURE_NAMES order, not a spread of the four parts: the server runs this for
  // every post, and a spread builds a slow dictionary-mode object.
  const out: FeatureVector = {
    mouse_dx_mean: m.mouse_dx_mean,
    mouse_dy_mean: m.mouse_dy_mean,
    click_count: c.click_count,
    typing_speed: k.typing_speed,
    scroll_speed: s.scroll_speed,
    speed_mean: m.speed_mean,
    speed_std: m.speed_std,
    speed_max: m.speed_max,
    accel_mean: m.accel_mean,
    accel_std: m.accel_std,
    jerk_mean: m.jerk_mean,
    curvature_mean: m.curvature_mean,
    straightness: m.straightness,
    pause_share: m.pause_share,
    interval_mean: m.interval_mean,
    interval_std: m.interval_std,
    interval_cv: m.interval_cv,
    interval_mode_share: m.interval_mode_share,
    click_dwell_mean: c.click_dwell_mean,
    click_dwell_std: c.click_dwell_std,
    click_no_move_share: c.click_no_move_share,
    key_dwell_mean: k.key_dwell_mean,
    key_dwell_std: k.key_dwell_std,
    key_flight_mean: k.key_flight_mean,
    key_flight_std: k.key_flight_std,
    backspace_ratio: k.backspace_ratio,
    scroll_interval_cv: s.scroll_interval_cv,
    untrusted_share: counted > 0 ? untrusted / counted : NaN,
    webdriver: webdriver === undefined ? NaN : webdriver ? 1 : 0,
  };
  for (let i = 0; i < FEATURE_NAMES.length; i++) {
    const v = out[FEATURE_NAMES[i]];
    if (v > FEATURE_LIMIT) out[FEATURE_NAMES[i]] = FEATURE_LIMIT;
    else if (v < -FEATURE_LIMIT) out[FEATURE_NAMES[i]] = -FEATURE_LIMIT;
  }
  return out;
}

/** A copy without events of non-finite time, sorted by time (stably) when out of order. */
function inTimeOrder<E extends WindowEvent>(events: readonly E[]): E[] {
  const out: E[] = [];
  let sorted = true;
  for (let i = 0; i < events.length; i++) {
    if (!Number.isFinite(events[i].t)) continue;
    if (out.length > 0 && events[i].t < out[out.length - 1].t) sorted = false;
    out.push(events[i]);
  }
  // Array.prototype.sort is stable, so equal times keep their recorded order.
  return sorted ? out : out.sort((a, b) => a.t - b.t);
}

/** Options of {@link windowEvents}. */
export interface WindowOptions {
  /** Window length in ms (default 5000). */
  windowMs?: number;
  /** Windows with fewer non-meta events are dropped (default 8). */
  minEvents?: number;
}

/**
 * Splits ONE session's events into consecutive windows [t₀ + k·windowMs, t₀ + (k+1)·windowMs),
 * t₀ being the first event's time, and drops windows with fewer than minEvents non-meta events.
 * A session's environment holds for all of it: a window without a meta event gets the latest
 * earlier one prepended.
 *
 * @returns the kept windows, in time order, each in time order
 */
export function windowEvents<E extends WindowEvent>(
  events: readonly E[],
  options: WindowOptions = {},
): E[][] {
  const windowMs = options.windowMs ?? 5000;
  const minEvents = options.minEvents ?? 8;
  if (!(windowMs > 0)) {
    throw new RangeError(
      `Cannot split windows: windowMs must be > 0, got ${windowMs}`,
    );
  }
  const ordered = inTimeOrder(events);
  const windows: E[][] = [];
  let current: E[] = [], index = 0, meta: E | undefined;
  let lastMeta: E | undefined;
  const close = () => {
    const real = current.filter((e) => e.kind !== "meta").length;
    if (real >= minEvents && real > 0) {
      const hasMeta = current.some((e) => e.kind === "meta");
      windows.push(!hasMeta && meta ? [meta, ...current] : current);
    }
    meta = lastMeta;
  };
  const start = ordered.length > 0 ? ordered[0].t : 0;
  for (const e of ordered) {
    const k = Math.floor((e.t - start) / windowMs);
    if (k !== index) {
      close();
      current = [];
      index = k;
    }
    current.push(e);
    if (e.kind === "meta") lastMeta = e;
  }
  if (current.length > 0) close();
  return windows;
}

/** The vector as a row in {@link FEATURE_NAMES} order (NaN stays NaN), for CSV and the model. */
export function featureRow(v: FeatureVector): number[] {
  return FEATURE_NAMES.map((name) => v[name]);
}

/**
 * Whether a window carries pointer evidence: at least two moves (a timing interval), a click, or a
 * wheel/scroll. The human recordings the model learns from are mouse recordings, so a window
 * without pointer evidence (someone typing with the hands on the keyboard) is outside what the
 * model has seen; the detector gives it no weight instead of guessing (docs/evaluation.md, "Humans
 * who move and type").
 */
export function hasPointerEvidence(
  v: Pick<FeatureVector, "interval_mean" | "click_count" | "scroll_speed">,
): boolean {
  return !Number.isNaN(v.interval_mean) || v.click_count > 0 ||
    v.scroll_speed > 0;
}
