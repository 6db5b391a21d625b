/**
 * Mouse movement kinematics for one window. Private to collector/; formulas are documented in
 * collector/README.md ("Features") and beside each computation.
 */
import { cv, max, mean, modeShare, std } from "./_stats.ts";

/** A gap between two moves longer than this (ms) is a pause: it ends one stroke and starts the next. */
export const PAUSE_MS = 100;

/** One pointer position at time t (ms). */
export interface Point {
  t: number;
  x: number;
  y: number;
}

/** The movement features, all NaN when there are too few moves to define them. */
export interface MovementFeatures {
  mouse_dx_mean: number;
  mouse_dy_mean: number;
  speed_mean: number;
  speed_std: number;
  speed_max: number;
  accel_mean: number;
  accel_std: number;
  jerk_mean: number;
  curvature_mean: number;
  straightness: number;
  pause_share: number;
  interval_mean: number;
  interval_std: number;
  interval_cv: number;
  interval_mode_share: number;
}

interface Kinematics {
  speeds: number[];
  accels: number[];
  /** Features that are only means are running sums, added in the order a list would be. */
  jerks: Sum;
  turns: Sum;
  straightness: Sum;
}

/** A running sum and count: its mean is exactly {@link mean} of the values in that order. */
interface Sum {
  sum: number;
  n: number;
}

function add(s: Sum, value: number): void {
  s.sum += value;
  s.n++;
}

function meanOf(s: Sum): number {
  return s.n > 0 ? s.sum / s.n : NaN;
}

/** Per-stroke running state: one pass over the moves, no intermediate arrays. */
interface Stroke {
  first: Point;
  points: number;
  path: number;
  speed: number;
  mid: number;
  accel: number;
  accelT: number;
  vx: number;
  vy: number;
}

function newStroke(first: Point): Stroke {
  return {
    first,
    points: 1,
    path: 0,
    speed: NaN,
    mid: NaN,
    accel: NaN,
    accelT: NaN,
    vx: 0,
    vy: 0,
  };
}

/** Straightness of a finished stroke: chord / path, for ≥ 3 points and a non-zero path. */
function endStroke(s: Stroke, last: Point, k: Kinematics): void {
  if (s.points >= 3 && s.path > 0) {
    add(
      k.straightness,
      Math.hypot(last.x - s.first.x, last.y - s.first.y) / s.path,
    );
  }
}

/**
 * One in-stroke segment a→b: speed = dist/Δt (px/s); accel = Δspeed/Δt between the midpoints of
 * consecutive segments (px/s²); jerk = Δaccel/Δt between the times of consecutive accels (px/s³);
 * turn = |angle| (rad, 0..π) between consecutive segments of non-zero length.
 */
function segment(s: Stroke, a: Point, b: Point, k: Kinematics): void {
  const dx = b.x - a.x, dy = b.y - a.y;
  const dist = Math.sqrt(dx * dx + dy * dy);
  const speed = dist / (b.t - a.t) * 1000;
  const mid = (a.t + b.t) / 2;
  k.speeds.push(speed);
  if (s.points >= 2) {
    const accel = (speed - s.speed) / ((mid - s.mid) / 1000);
    const accelT = (mid + s.mid) / 2;
    k.accels.push(Math.abs(accel));
    if (s.points >= 3) {
      add(k.jerks, Math.abs((accel - s.accel) / ((accelT - s.accelT) / 1000)));
    }
    s.accel = accel;
    s.accelT = accelT;
  }
  if (dist > 0) {
    if (s.vx !== 0 || s.vy !== 0) {
      add(
        k.turns,
        Math.abs(Math.atan2(s.vx * dy - s.vy * dx, s.vx * dx + s.vy * dy)),
      );
    }
    s.vx = dx;
    s.vy = dy;
  }
  s.speed = speed;
  s.mid = mid;
  s.path += dist;
  s.points++;
}

/**
 * Computes the movement features of one window from its time-ordered move events.
 *
 * Consecutive moves with the same t keep only the last (a browser can report several per frame).
 * A gap longer than PAUSE_MS between moves ends a stroke. Per step (consecutive kept moves, pauses
 * included): mouse_dx_mean = mean |Δx|, mouse_dy_mean = mean |Δy| (px), interval_* over Δt (ms),
 * interval_cv = std/mean; pause_share = Σ(Δt > PAUSE_MS) / (t_last − t_first);
 * interval_mode_share = share of in-stroke Δt within ±1 ms of their most common whole-ms value
 * (≥ 4 of them, else NaN). Speed, accel, jerk
 * and curvature use in-stroke segments only; straightness is the mean chord/path over strokes of
 * ≥ 3 points with a non-zero path.
 */
export function movementFeatures(moves: readonly Point[]): MovementFeatures {
  const k: Kinematics = {
    speeds: [],
    accels: [],
    jerks: { sum: 0, n: 0 },
    turns: { sum: 0, n: 0 },
    straightness: { sum: 0, n: 0 },
  };
  const adx: Sum = { sum: 0, n: 0 }, ady: Sum = { sum: 0, n: 0 };
  const intervals: number[] = [];
  const inStroke: number[] = [];
  let paused = 0,
    prev: Point | undefined,
    first: Point | undefined,
    stroke: Stroke | undefined;
  for (let i = 0; i < moves.length; i++) {
    const p = moves[i];
    if (i + 1 < moves.length && moves[i + 1].t === p.t) continue; // keep the last of a same-t run
    if (prev === undefined || stroke === undefined) {
      first = prev = p;
      stroke = newStroke(p);
      continue;
    }
    const dt = p.t - prev.t;
    add(adx, Math.abs(p.x - prev.x));
    add(ady, Math.abs(p.y - prev.y));
    intervals.push(dt);
    if (dt > PAUSE_MS) {
      paused += dt;
      endStroke(stroke, prev, k);
      stroke = newStroke(p);
    } else {
      inStroke.push(dt);
      segment(stroke, prev, p, k);
    }
    prev = p;
  }
  if (stroke && prev) endStroke(stroke, prev, k);
  const span = first && prev ? prev.t - first.t : 0;
  return {
    mouse_dx_mean: meanOf(adx),
    mouse_dy_mean: meanOf(ady),
    speed_mean: mean(k.speeds),
    speed_std: std(k.speeds),
    speed_max: max(k.speeds),
    accel_mean: mean(k.accels),
    accel_std: std(k.accels),
    jerk_mean: meanOf(k.jerks),
    curvature_mean: meanOf(k.turns),
    straightness: meanOf(k.straightness),
    pause_share: span > 0 ? paused / span : NaN,
    interval_mean: mean(intervals),
    interval_std: std(intervals),
    interval_cv: cv(intervals),
    interval_mode_share: modeShare(inStroke),
  };
}
