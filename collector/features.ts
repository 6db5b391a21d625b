/**
 * The one feature definition. The browser bundle, the ingest schema, the DB columns, the CSV header
 * and the model all take their feature list from {@link FEATURE_NAMES}, in this order.
 *
 * A missing modality (no typing in a window, say) is NaN, never a fake zero. On the wire (JSON)
 * NaN travels as `null`.
 *
 * @module
 */

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
