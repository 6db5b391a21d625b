/**
 * The paths of two randomised families (sim/bots/families.ts) that imitate what the fixed kinds
 * do not span:
 * - `humanised`: what a bot author writes to look like a hand: a curved path (a cubic Bezier, an
 *   arc, or a spline through one or two waypoints), a bell-shaped speed profile (minimum-jerk,
 *   skewed by a time warp), a Fitts-like or speed-driven duration, overshoot or undershoot with
 *   one or two corrective sub-movements, gaussian noise and a small tremor, sampled on a jittered
 *   clock (gaussian or uniform) or a fixed one with dropped frames;
 * - `jump`: what an automation API does by default: the pointer jumps to the target in one to
 *   three events (Selenium's Actions `move`, puppeteer and Playwright at `steps` 1), a few ms apart.
 *
 * @module
 */
import type { Point, TimedPoint } from "./motion.ts";
import type { Rng } from "./prng.ts";

/** A humanised session's drawn parameters. */
export interface HumanisedStyle {
  /** Duration: Fitts (ms: a + b·log2(D/w + 1)) or distance over a peak-ish speed (px/ms). */
  duration:
    | { mode: "fitts"; a: number; b: number; w: number }
    | { mode: "speed"; speed: number };
  shape: "bezier" | "arc" | "spline";
  /** Bend of the path, fraction of the distance (sd). */
  bend: number;
  /** Time warp of the minimum-jerk profile: progress = mj(tau^skew). */
  skew: number;
  /** Probability of a sub-movement: overshoot (past the target) or undershoot. */
  correction: number;
  /** Positional noise (px, sd) and tremor amplitude (px) and frequency (Hz). */
  noise: number;
  tremor: { amp: number; hz: number };
  /** Sampling: a jittered clock, or a fixed one (period, ms) dropping frames. */
  clock:
    | { mode: "gaussian" | "uniform"; mean: number; spread: number }
    | { mode: "fixed"; period: number; drop: number };
}

/** A jump session's drawn parameters. */
export interface JumpStyle {
  /** Most events per move (1–3); each move draws 1..steps. */
  steps: number;
  /** Ms between the events of one move. */
  stepMs: number;
}

const logUniform = (rng: Rng, lo: number, hi: number) =>
  Math.exp(rng.uniform(Math.log(lo), Math.log(hi)));

/** Draws a humanised session's parameters. */
export function drawHumanised(rng: Rng): HumanisedStyle {
  const fixed = rng.next() < 0.3;
  return {
    duration: rng.next() < 0.6
      ? {
        mode: "fitts",
        a: rng.uniform(50, 300),
        b: rng.uniform(50, 250),
        w: rng.uniform(15, 120),
      }
      : { mode: "speed", speed: logUniform(rng, 0.2, 4) },
    shape: rng.pick(["bezier", "arc", "spline"] as const),
    bend: rng.uniform(0.02, 0.4),
    skew: rng.uniform(0.6, 1.6),
    correction: rng.uniform(0, 0.6),
    noise: rng.next() < 0.3 ? 0 : rng.uniform(0, 2.5),
    tremor: {
      amp: rng.next() < 0.5 ? 0 : rng.uniform(0, 1.5),
      hz: rng.uniform(6, 12),
    },
    clock: fixed
      ? {
        mode: "fixed",
        period: rng.pick([4, 8, 10, 16, 17]),
        drop: rng.uniform(0, 0.2),
      }
      : {
        mode: rng.pick(["gaussian", "uniform"] as const),
        mean: logUniform(rng, 4, 40),
        spread: rng.uniform(0.05, 0.6),
      },
  };
}

/** Draws a jump session's parameters. */
export function drawJump(rng: Rng): JumpStyle {
  return { steps: rng.pick([1, 1, 2, 3]), stepMs: rng.uniform(0, 20) };
}

/** Minimum-jerk progress (Flash & Hogan 1985). */
const minimumJerk = (tau: number) =>
  tau * tau * tau * (10 - 15 * tau + 6 * tau * tau);

function shapeOf(
  from: Point,
  to: Point,
  s: HumanisedStyle,
  rng: Rng,
): (f: number) => Point {
  const dist = Math.hypot(to.x - from.x, to.y - from.y) || 1;
  const nx = -(to.y - from.y) / dist, ny = (to.x - from.x) / dist;
  const off = (f: number, b: number) => ({
    x: from.x + (to.x - from.x) * f + nx * b,
    y: from.y + (to.y - from.y) * f + ny * b,
  });
  const bend = () => rng.normal(0, dist * s.bend);
  if (s.shape === "arc") {
    const c = off(0.5, bend());
    return (f) => ({
      x: (1 - f) ** 2 * from.x + 2 * (1 - f) * f * c.x + f * f * to.x,
      y: (1 - f) ** 2 * from.y + 2 * (1 - f) * f * c.y + f * f * to.y,
    });
  }
  if (s.shape === "bezier") {
    const c1 = off(rng.uniform(0.1, 0.45), bend());
    const c2 = off(rng.uniform(0.55, 0.9), bend());
    return (f) => {
      const u = 1 - f, w = [u * u * u, 3 * u * u * f, 3 * u * f * f, f * f * f];
      return {
        x: w[0] * from.x + w[1] * c1.x + w[2] * c2.x + w[3] * to.x,
        y: w[0] * from.y + w[1] * c1.y + w[2] * c2.y + w[3] * to.y,
      };
    };
  }
  // Catmull-Rom through one or two waypoints (end tangents mirrored).
  const n = rng.int(1, 2);
  const pts = [from];
  for (let i = 1; i <= n; i++) pts.push(off(i / (n + 1), bend()));
  pts.push(to);
  const ext = [pts[0], ...pts, pts.at(-1)!];
  return (f) => {
    const seg = Math.min(pts.length - 2, Math.floor(f * (pts.length - 1)));
    const u = f * (pts.length - 1) - seg;
    const [p0, p1, p2, p3] = ext.slice(seg, seg + 4);
    const cr = (a: number, b: number, c: number, d: number) =>
      0.5 * (2 * b + (-a + c) * u + (2 * a - 5 * b + 4 * c - d) * u * u +
        (-a + 3 * b - 3 * c + d) * u * u * u);
    return { x: cr(p0.x, p1.x, p2.x, p3.x), y: cr(p0.y, p1.y, p2.y, p3.y) };
  };
}

function nextTick(s: HumanisedStyle, rng: Rng): number {
  const c = s.clock;
  if (c.mode === "fixed") {
    let ticks = 1;
    while (rng.next() < c.drop) ticks++;
    return ticks * c.period;
  }
  const jitter = c.mode === "gaussian"
    ? rng.normal(0, c.spread)
    : rng.uniform(-c.spread, c.spread);
  return Math.max(1, c.mean * (1 + jitter));
}

function submovement(
  from: Point,
  to: Point,
  s: HumanisedStyle,
  rng: Rng,
  t0: number,
): TimedPoint[] {
  const dist = Math.hypot(to.x - from.x, to.y - from.y);
  const d = s.duration;
  const duration = Math.max(
    60,
    (d.mode === "fitts"
      ? d.a + d.b * Math.log2(dist / d.w + 1)
      : dist / d.speed * 1.875) * rng.uniform(0.8, 1.25),
  );
  const at = shapeOf(from, to, s, rng);
  const nx = -(to.y - from.y) / (dist || 1), ny = (to.x - from.x) / (dist || 1);
  const phase = rng.uniform(0, 2 * Math.PI);
  const out: TimedPoint[] = [];
  let t = 0;
  while (t < duration) {
    t += nextTick(s, rng);
    const p = at(minimumJerk(Math.min(1, t / duration) ** s.skew));
    const wobble = s.tremor.amp *
      Math.sin(phase + 2 * Math.PI * s.tremor.hz * (t0 + t) / 1000);
    out.push({
      x: Math.round(p.x + nx * wobble + rng.normal(0, s.noise)),
      y: Math.round(p.y + ny * wobble + rng.normal(0, s.noise)),
      t: Math.round(t0 + t),
    });
  }
  return out;
}

/** A humanised move: a primary sub-movement, then up to two corrections if it missed. */
export function humanisedPath(
  from: Point,
  to: Point,
  s: HumanisedStyle,
  rng: Rng,
): TimedPoint[] {
  const out: TimedPoint[] = [];
  let start = from, t0 = 0;
  const corrections = rng.next() < s.correction ? rng.int(1, 2) : 0;
  for (let i = 0; i <= corrections; i++) {
    const last = i === corrections;
    const reach = rng.next() < 0.6
      ? rng.uniform(1.02, 1.15)
      : rng.uniform(0.8, 0.97);
    const aim = last ? to : {
      x: start.x + (to.x - start.x) * reach + rng.normal(0, 4),
      y: start.y + (to.y - start.y) * reach + rng.normal(0, 4),
    };
    const part = submovement(start, aim, s, rng, t0);
    out.push(...part);
    t0 = (part.at(-1)?.t ?? t0) + rng.int(0, 150);
    start = aim;
  }
  return out;
}

/** A jump: the pointer reaches the target in one to `steps` events, `stepMs` apart. */
export function jumpPath(
  from: Point,
  to: Point,
  s: JumpStyle,
  rng: Rng,
): TimedPoint[] {
  const n = rng.int(1, s.steps);
  const out: TimedPoint[] = [];
  for (let i = 1; i <= n; i++) {
    out.push({
      x: Math.round(from.x + (to.x - from.x) * i / n),
      y: Math.round(from.y + (to.y - from.y) * i / n),
      t: Math.round(1 + (i - 1) * s.stepMs),
    });
  }
  return out;
}
