/**
 * Actions, for the owner check (collector/owner_features.ts): a window's pointer events cut into
 * mouse moves, point-and-clicks and drag-and-drops as the published Balabit work does (Antal &
 * Egyed-Zsigmond 2019; Ahmed & Traore 2007), each action measured, and each as a vector for the
 * owner model's action forest (detect/owner_model.ts). Only times and coordinates of pointer
 * events are read; never keys or page content.
 *
 * @module
 */
import type { WindowEvent } from "./features.ts";

/** A pause longer than this (ms) without a pointer event ends a mouse-move action. */
export const ACTION_PAUSE_MS = 500;
/** A press whose pointer moved at least this far (px) before release is a drag-and-drop. */
export const DRAG_MIN_PX = 5;
/** Direction bins of movement (45° each, bin 0 centred on +x, counter-clockwise on screen). */
export const DIRECTION_BINS = 8;

/** The kinds of action. */
export type ActionType = "move" | "click" | "drag";

/** One timed pointer position. */
export interface PointerPoint {
  t: number;
  x: number;
  y: number;
}

/** One action: its type, its pointer positions, and for a click the press time. */
export interface PointerAction {
  type: ActionType;
  points: PointerPoint[];
  /** Clicks: ms from the approach's last movement to the press (NaN without an approach). */
  clickGap: number;
}

const isMouse = (e: WindowEvent) =>
  e.pointer === undefined && e.x !== undefined && e.y !== undefined;

/**
 * Cuts a window's pointer events (time-ordered) into actions, as the module doc says. Moves
 * without a press that have fewer than 2 positions are dropped; a release without a press in
 * the window is ignored.
 */
export function segmentActions(
  events: readonly WindowEvent[],
): PointerAction[] {
  const out: PointerAction[] = [];
  let moving: PointerPoint[] = [];
  let pressed: PointerPoint[] | null = null;
  const flushMove = () => {
    if (moving.length >= 2) {
      out.push({ type: "move", points: moving, clickGap: NaN });
    }
    moving = [];
  };
  for (const e of events) {
    if (!isMouse(e)) continue;
    const p = { t: e.t, x: e.x!, y: e.y! };
    if (e.kind === "move") {
      if (pressed) pressed.push(p);
      else {
        const last = moving.at(-1);
        if (last && p.t - last.t > ACTION_PAUSE_MS) flushMove();
        moving.push(p);
      }
    } else if (e.kind === "down" && !pressed) {
      pressed = [p];
    } else if (e.kind === "up" && pressed) {
      pressed.push(p);
      const start = pressed[0];
      const moved = pressed.some((q) =>
        Math.hypot(q.x - start.x, q.y - start.y) >= DRAG_MIN_PX
      );
      if (moved) {
        flushMove();
        out.push({ type: "drag", points: pressed, clickGap: NaN });
      } else {
        const last = moving.at(-1);
        out.push({
          type: "click",
          points: [...moving, start],
          clickGap: last ? start.t - last.t : NaN,
        });
        moving = [];
      }
      pressed = null;
    }
  }
  flushMove();
  return out;
}

/** One action's measures (times in s, distances in px). */
export interface ActionMeasures {
  duration: number;
  path: number;
  straightness: number;
  speed: number;
  speedMax: number;
  accelPos: number;
  accelNeg: number;
  curvature: number;
  deviation: number;
  peakTime: number;
}

/** Strictly time-increasing positions (of equal times, the last kept). */
export function distinctTimes(points: readonly PointerPoint[]): PointerPoint[] {
  const out: PointerPoint[] = [];
  for (const p of points) {
    if (out.length > 0 && p.t <= out[out.length - 1].t) out[out.length - 1] = p;
    else out.push(p);
  }
  return out;
}

/** The mean of the numbers that are not NaN; NaN when none. */
export function mean(xs: readonly number[]): number {
  let s = 0, n = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (x !== x) continue; // NaN
    s += x;
    n++;
  }
  return n > 0 ? s / n : NaN;
}

/**
 * One action's measures: duration, path length, straightness (end-to-end distance / path),
 * mean and peak speed, mean positive and negative acceleration (of the speed between successive
 * segments), curvature (turned angle per px of path), largest deviation from the end-to-end line
 * (px), and when in the action the peak speed came (share of its duration). NaN where undefined.
 */
export function actionFeatures(action: PointerAction): ActionMeasures {
  return measurePoints(distinctTimes(action.points));
}

/** {@link actionFeatures} of an action's strictly time-increasing points. */
function measurePoints(pts: readonly PointerPoint[]): ActionMeasures {
  const first = pts[0], last = pts[pts.length - 1];
  const duration = (last.t - first.t) / 1000;
  const speeds: number[] = [], mids: number[] = [];
  let path = 0, turned = 0, prevAngle = NaN, peak = 0, peakAt = NaN;
  for (let i = 1; i < pts.length; i++) {
    const dx = pts[i].x - pts[i - 1].x, dy = pts[i].y - pts[i - 1].y;
    const d = Math.hypot(dx, dy), dt = (pts[i].t - pts[i - 1].t) / 1000;
    path += d;
    const v = d / dt;
    speeds.push(v);
    mids.push((pts[i].t + pts[i - 1].t) / 2000);
    if (v > peak) [peak, peakAt] = [v, (pts[i].t - first.t) / 1000];
    if (d > 0) {
      const angle = Math.atan2(dy, dx);
      if (!Number.isNaN(prevAngle)) {
        let turn = Math.abs(angle - prevAngle);
        if (turn > Math.PI) turn = 2 * Math.PI - turn;
        turned += turn;
      }
      prevAngle = angle;
    }
  }
  const pos: number[] = [], neg: number[] = [];
  for (let i = 1; i < speeds.length; i++) {
    const a = (speeds[i] - speeds[i - 1]) / (mids[i] - mids[i - 1]);
    (a >= 0 ? pos : neg).push(a);
  }
  const chord = Math.hypot(last.x - first.x, last.y - first.y);
  let deviation = 0;
  for (const p of pts) {
    const off = chord > 0
      ? Math.abs(
        (last.x - first.x) * (first.y - p.y) -
          (first.x - p.x) * (last.y - first.y),
      ) / chord
      : Math.hypot(p.x - first.x, p.y - first.y);
    deviation = Math.max(deviation, off);
  }
  return {
    duration,
    path,
    straightness: path > 0 ? chord / path : NaN,
    speed: duration > 0 ? path / duration : NaN,
    speedMax: speeds.length > 0 ? peak : NaN,
    accelPos: mean(pos),
    accelNeg: mean(neg),
    curvature: path > 0 ? turned / path : NaN,
    deviation: pts.length > 1 ? deviation : NaN,
    peakTime: duration > 0 && !Number.isNaN(peakAt) ? peakAt / duration : NaN,
  };
}

/** The population standard deviation of the numbers that are not NaN; NaN under 2 values. */
export function std(xs: readonly number[]): number {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  let s = 0, n = 0;
  for (let i = 0; i < xs.length; i++) {
    const d = (xs[i] - m) ** 2;
    if (d !== d) continue; // NaN
    s += d;
    n++;
  }
  return n > 0 ? Math.sqrt(s / n) : NaN;
}

/** The direction bin of a movement (screen y grows downwards; bin 2 is "up" on screen). */
export function directionBin(dx: number, dy: number): number {
  const angle = Math.atan2(-dy, dx); // counter-clockwise as seen on screen
  const bin = Math.round(angle / (2 * Math.PI / DIRECTION_BINS));
  return (bin + DIRECTION_BINS) % DIRECTION_BINS;
}

/** The per-action vector's names, in order ({@link actionVector}). */
export const ACTION_FEATURE_NAMES = [
  "type",
  "duration",
  "path",
  "chord",
  "straightness",
  "speed",
  "speed_max",
  "accel_pos",
  "accel_neg",
  "curvature",
  "deviation",
  "peak_time",
  "click_gap",
  "direction",
  "chord_dx",
  "chord_dy",
  "vx_mean",
  "vy_mean",
  "vx_std",
  "vy_std",
] as const;

/** Actions shorter than this path (px) are too small to say whose they are; they get no vector. */
export const MIN_ACTION_PATH_PX = 5;

const ACTION_TYPES: readonly ActionType[] = ["move", "click", "drag"];

/**
 * One action as a vector ({@link ACTION_FEATURE_NAMES}): its type (0 move, 1 click, 2 drag), its
 * measures ({@link actionFeatures}), the time from approach to press (clicks), the direction bin
 * and the per-axis components of its end-to-end displacement, and the mean and spread of its x
 * and y velocity. Null for an action whose path is under {@link MIN_ACTION_PATH_PX}.
 */
export function actionVector(action: PointerAction): number[] | null {
  return vectorOf(analyseAction(action));
}

/** One action read once: its distinct-time points, measures and per-step x and y velocity. */
export interface AnalysedAction {
  action: PointerAction;
  pts: PointerPoint[];
  measures: ActionMeasures;
  vx: number[];
  vy: number[];
}

/** Reads an action once, for both its vector and its window's owner features. */
export function analyseAction(action: PointerAction): AnalysedAction {
  const pts = distinctTimes(action.points);
  const vx: number[] = [], vy: number[] = [];
  for (let i = 1; i < pts.length; i++) {
    const dt = (pts[i].t - pts[i - 1].t) / 1000;
    vx.push((pts[i].x - pts[i - 1].x) / dt);
    vy.push((pts[i].y - pts[i - 1].y) / dt);
  }
  return { action, pts, measures: measurePoints(pts), vx, vy };
}

/** {@link actionVector} of an analysed action. */
export function vectorOf(analysed: AnalysedAction): number[] | null {
  const { action, pts, measures: m, vx, vy } = analysed;
  if (!(m.path >= MIN_ACTION_PATH_PX)) return null;
  const first = pts[0], last = pts[pts.length - 1];
  const dx = last.x - first.x, dy = last.y - first.y;
  return [
    ACTION_TYPES.indexOf(action.type),
    m.duration,
    m.path,
    Math.hypot(dx, dy),
    m.straightness,
    m.speed,
    m.speedMax,
    m.accelPos,
    m.accelNeg,
    m.curvature,
    m.deviation,
    m.peakTime,
    action.clickGap,
    dx === 0 && dy === 0 ? NaN : directionBin(dx, dy),
    dx,
    dy,
    mean(vx),
    mean(vy),
    std(vx),
    std(vy),
  ];
}

/** The vectors of a window's actions (time order), those long enough to have one. */
export function extractActionVectors(
  events: readonly WindowEvent[],
): number[][] {
  return segmentActions(events).map(analyseAction).map(vectorOf).filter((
    v,
  ) => v !== null);
}
