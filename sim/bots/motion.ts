/**
 * Cursor paths, each a list of timed points starting at t = 0: straight lines at constant speed,
 * noisy Bezier curves with Fitts-like timing, and ghost-cursor's own path model.
 */
import { path as ghostPath } from "ghost-cursor";
import type { Rng } from "./prng.ts";

/** A point on a path, `t` in ms from the movement's start. */
export interface TimedPoint {
  x: number;
  y: number;
  t: number;
}

/** A 2-D point. */
export interface Point {
  x: number;
  y: number;
}

/** Straight-line movement parameters, fixed for a whole bot session. */
export interface LinearStyle {
  /** Pixels per ms. */
  speed: number;
  /** Constant ms between events. */
  intervalMs: number;
}

/** A straight line at constant speed sampled at a constant interval. */
export function linearPath(
  from: Point,
  to: Point,
  style: LinearStyle,
): TimedPoint[] {
  const dist = Math.hypot(to.x - from.x, to.y - from.y);
  const steps = Math.max(1, Math.ceil(dist / style.speed / style.intervalMs));
  const out: TimedPoint[] = [];
  for (let i = 1; i <= steps; i++) {
    const f = i / steps;
    out.push({
      x: Math.round(from.x + (to.x - from.x) * f),
      y: Math.round(from.y + (to.y - from.y) * f),
      t: i * style.intervalMs,
    });
  }
  return out;
}

/** Human-like movement parameters for the Bezier bot. */
export interface BezierStyle {
  /** Fitts intercept and slope, ms: MT = a + b·log2(D/W + 1). */
  fittsA: number;
  fittsB: number;
  /** Mean and spread of the sampling interval, ms. */
  intervalMean: number;
  intervalSd: number;
  /** Positional noise, px. */
  noise: number;
  /** Probability of overshooting and correcting. */
  overshoot: number;
}

function cubic(p: Point[], s: number): Point {
  const u = 1 - s;
  const w = [u * u * u, 3 * u * u * s, 3 * u * s * s, s * s * s];
  return {
    x: w[0] * p[0].x + w[1] * p[1].x + w[2] * p[2].x + w[3] * p[3].x,
    y: w[0] * p[0].y + w[1] * p[1].y + w[2] * p[2].y + w[3] * p[3].y,
  };
}

/** Minimum-jerk progress (Flash & Hogan 1985): a bell-shaped speed profile. */
function minimumJerk(tau: number): number {
  return tau * tau * tau * (10 - 15 * tau + 6 * tau * tau);
}

function bezierSegment(
  from: Point,
  to: Point,
  width: number,
  style: BezierStyle,
  rng: Rng,
  t0: number,
) {
  const dist = Math.hypot(to.x - from.x, to.y - from.y);
  const duration =
    Math.max(80, style.fittsA + style.fittsB * Math.log2(dist / width + 1)) *
    rng.uniform(0.85, 1.2);
  const nx = -(to.y - from.y) / (dist || 1);
  const ny = (to.x - from.x) / (dist || 1);
  const bend = () => rng.normal(0, dist * 0.2);
  const [b1, b2] = [bend(), bend()];
  const ctrl = [
    from,
    {
      x: from.x + (to.x - from.x) / 3 + nx * b1,
      y: from.y + (to.y - from.y) / 3 + ny * b1,
    },
    {
      x: from.x + (to.x - from.x) * 2 / 3 + nx * b2,
      y: from.y + (to.y - from.y) * 2 / 3 + ny * b2,
    },
    to,
  ];
  const out: TimedPoint[] = [];
  let t = 0;
  while (t < duration) {
    t += Math.max(3, rng.normal(style.intervalMean, style.intervalSd));
    const p = cubic(ctrl, minimumJerk(Math.min(1, t / duration)));
    out.push({
      x: Math.round(p.x + rng.normal(0, style.noise)),
      y: Math.round(p.y + rng.normal(0, style.noise)),
      t: t0 + Math.round(t),
    });
  }
  out.push({
    x: Math.round(to.x),
    y: Math.round(to.y),
    t: t0 + Math.round(t) + 1,
  });
  return out;
}

/** A noisy Bezier path with Fitts-like duration, sometimes overshooting and correcting. */
export function bezierPath(
  from: Point,
  to: Point,
  width: number,
  style: BezierStyle,
  rng: Rng,
): TimedPoint[] {
  if (rng.next() >= style.overshoot) {
    return bezierSegment(from, to, width, style, rng, 0);
  }
  const over = {
    x: to.x + (to.x - from.x) * rng.uniform(0.03, 0.12),
    y: to.y + (to.y - from.y) * rng.uniform(0.03, 0.12),
  };
  const first = bezierSegment(from, over, width, style, rng, 0);
  const pause = first[first.length - 1].t + rng.int(30, 120);
  return first.concat(bezierSegment(over, to, width, style, rng, pause));
}

/**
 * ghost-cursor's path() with its own timestamps. ghost-cursor draws from Math.random, so it is
 * swapped for the seeded source for the duration of the (synchronous) call.
 */
export function ghostCursorPath(
  from: Point,
  to: Point,
  width: number,
  rng: Rng,
): TimedPoint[] {
  const saved = Math.random;
  Math.random = rng.next;
  try {
    const pts = ghostPath(
      from,
      { x: to.x, y: to.y, width, height: width / 2 },
      {
        useTimestamps: true,
      },
    ) as { x: number; y: number; timestamp: number }[];
    const t0 = pts[0]?.timestamp ?? 0;
    return pts.slice(1).map((p) => ({
      x: Math.round(p.x),
      y: Math.round(p.y),
      t: p.timestamp - t0,
    }));
  } finally {
    Math.random = saved;
  }
}
