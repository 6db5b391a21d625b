/**
 * Mouse movement kinematics for one window. Private to collector/; formulas are documented in
 * collector/README.md ("Features") and beside each computation.
 */
import { cv, mean, std } from "./_stats.ts";

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
}

/** Consecutive moves with the same t keep only the last (a browser can report several per frame). */
export function collapseSameTime(moves: readonly Point[]): Point[] {
  const out: Point[] = [];
  for (const p of moves) {
    if (out.length > 0 && out[out.length - 1].t === p.t) {
      out[out.length - 1] = p;
    } else out.push(p);
  }
  return out;
}

/** Splits time-ordered, collapsed moves into strokes at gaps longer than {@link PAUSE_MS}. */
export function splitStrokes(moves: readonly Point[]): Point[][] {
  const strokes: Point[][] = [];
  let current: Point[] = [];
  for (const p of moves) {
    if (current.length > 0 && p.t - current[current.length - 1].t > PAUSE_MS) {
      strokes.push(current);
      current = [];
    }
    current.push(p);
  }
  if (current.length > 0) strokes.push(current);
  return strokes;
}

interface Kinematics {
  speeds: number[];
  accels: number[];
  jerks: number[];
  turns: number[];
  straightness: number[];
}

/**
 * Within one stroke: segment speed = dist/Δt (px/s); accel = Δspeed/Δt between the midpoints of
 * consecutive segments (px/s²); jerk = Δaccel/Δt between the times of consecutive accels (px/s³);
 * turn = |angle| (rad, 0..π) between consecutive segments of non-zero length.
 */
function strokeKinematics(stroke: readonly Point[], k: Kinematics): void {
  let prevSpeed = NaN, prevMid = NaN, prevAccel = NaN, prevAccelT = NaN;
  let prevVx = 0, prevVy = 0, path = 0;
  for (let i = 1; i < stroke.length; i++) {
    const a = stroke[i - 1], b = stroke[i];
    const dx = b.x - a.x, dy = b.y - a.y, dt = b.t - a.t;
    const dist = Math.hypot(dx, dy);
    const speed = dist / dt * 1000;
    const mid = (a.t + b.t) / 2;
    path += dist;
    k.speeds.push(speed);
    if (i > 1) {
      const accel = (speed - prevSpeed) / ((mid - prevMid) / 1000);
      const accelT = (mid + prevMid) / 2;
      k.accels.push(Math.abs(accel));
      if (i > 2) {
        k.jerks.push(
          Math.abs((accel - prevAccel) / ((accelT - prevAccelT) / 1000)),
        );
      }
      prevAccel = accel;
      prevAccelT = accelT;
    }
    if (dist > 0) {
      if (prevVx !== 0 || prevVy !== 0) {
        const cross = prevVx * dy - prevVy * dx,
          dot = prevVx * dx + prevVy * dy;
        k.turns.push(Math.abs(Math.atan2(cross, dot)));
      }
      prevVx = dx;
      prevVy = dy;
    }
    prevSpeed = speed;
    prevMid = mid;
  }
  if (stroke.length >= 3 && path > 0) {
    const first = stroke[0], last = stroke[stroke.length - 1];
    k.straightness.push(Math.hypot(last.x - first.x, last.y - first.y) / path);
  }
}

/**
 * Computes the movement features of one window from its time-ordered move events.
 *
 * Per step (consecutive collapsed moves, pauses included): mouse_dx_mean = mean |Δx|,
 * mouse_dy_mean = mean |Δy| (px), interval_* over Δt (ms), interval_cv = std/mean. pause_share =
 * Σ(Δt > PAUSE_MS) / (t_last − t_first). Speed, accel, jerk and curvature use in-stroke segments only;
 * straightness is the mean chord/path over strokes of ≥ 3 points with non-zero path.
 */
export function movementFeatures(raw: readonly Point[]): MovementFeatures {
  const moves = collapseSameTime(raw);
  const k: Kinematics = {
    speeds: [],
    accels: [],
    jerks: [],
    turns: [],
    straightness: [],
  };
  for (const stroke of splitStrokes(moves)) strokeKinematics(stroke, k);
  const adx: number[] = [], ady: number[] = [], intervals: number[] = [];
  let paused = 0;
  for (let i = 1; i < moves.length; i++) {
    const dt = moves[i].t - moves[i - 1].t;
    adx.push(Math.abs(moves[i].x - moves[i - 1].x));
    ady.push(Math.abs(moves[i].y - moves[i - 1].y));
    intervals.push(dt);
    if (dt > PAUSE_MS) paused += dt;
  }
  const span = moves.length > 1 ? moves[moves.length - 1].t - moves[0].t : 0;
  return {
    mouse_dx_mean: mean(adx),
    mouse_dy_mean: mean(ady),
    speed_mean: mean(k.speeds),
    speed_std: std(k.speeds),
    speed_max: k.speeds.length > 0
      ? k.speeds.reduce((a, b) => a > b ? a : b)
      : NaN,
    accel_mean: mean(k.accels),
    accel_std: std(k.accels),
    jerk_mean: mean(k.jerks),
    curvature_mean: mean(k.turns),
    straightness: mean(k.straightness),
    pause_share: span > 0 ? paused / span : NaN,
    interval_mean: mean(intervals),
    interval_std: std(intervals),
    interval_cv: cv(intervals),
  };
}
