/**
 * Domain-randomised bot families: each session draws its own parameters from wide ranges, so a
 * family is a path shape, not one fixed bot. The families are what leave-one-family-out withholds
 * (sim/evaluation/evaluate_open.ts): a model that catches a withheld family has learned "not human", not
 * "looks like the bots I was shown".
 *
 * Per session, for every family:
 * - speed log-uniform from 5 px/s to 5,000 px/s (WebDriver-style crawls to teleport-fast sweeps);
 * - sampling rate log-uniform from 8 Hz to 240 Hz, with a jitter of 0–40 % of the interval;
 * - positional jitter 0–3 px (sd), pauses inside moves with probability 0–0.3 (50–800 ms);
 * - clicks with a fixed or a gaussian dwell, wheel scrolling in notches of 120 px or smooth
 *   pixel deltas, typing constant, gaussian or uniform (sim/bots/typing.ts).
 * Families (the path between two targets):
 * - `straight`: a straight line at constant speed;
 * - `eased`: a straight line with an ease-in-out speed profile (sine or cubic);
 * - `curved`: one quadratic or cubic Bezier bend, constant or eased speed;
 * - `piecewise`: two to five straight legs through random waypoints;
 * - `slow`: WebDriver-style straight or curved moves at 5–80 px/s, 30–60 Hz;
 * - `humanised`: curved, bell-shaped, corrected moves on a jittered or fixed clock
 *   (sim/bots/humanised.ts; its own duration and sampling, not `speed` and `intervalMs`);
 * - `jump`: the pointer reaches each target in one to three events, as automation APIs do by
 *   default (sim/bots/humanised.ts).
 *
 * @module
 */
import type { RawEvent } from "../../collector/mod.ts";
import type { Point, TimedPoint } from "./motion.ts";
import { aimPoint, planSession, VIEWPORT } from "./plan.ts";
import { createRng, type Rng } from "./prng.ts";
import { typeKeys, type TypingStyle } from "./typing.ts";
import {
  drawHumanised,
  drawJump,
  humanisedPath,
  type HumanisedStyle,
  jumpPath,
  type JumpStyle,
} from "./humanised.ts";

/** The randomised families, in the order the evaluation withholds them. */
export const BOT_FAMILIES = [
  "straight",
  "eased",
  "curved",
  "piecewise",
  "slow",
  "humanised",
  "jump",
] as const;

/**
 * Sessions of a family relative to `--families-per-kind` (a family not named: 1). `humanised`
 * draws the most parameters (path shape, speed profile, corrections, clock), so it gets 5/3 as
 * many sessions (250 at the default 150); chosen on leave-one-family-out
 * (docs/evaluation_open.md).
 */
export const FAMILY_SESSION_FACTOR: Readonly<Record<string, number>> = {
  humanised: 5 / 3,
};

/** One randomised family. */
export type BotFamily = typeof BOT_FAMILIES[number];

/** The parameters one session drew (kept so a report can say what was caught). */
export interface FamilyStyle {
  family: BotFamily;
  /** Pixels per ms. */
  speed: number;
  /** Mean ms between samples. */
  intervalMs: number;
  /** Interval jitter, fraction of the interval. */
  intervalJitter: number;
  /** Positional noise, px (sd). */
  noise: number;
  /** Probability of a pause inside a move. */
  pauseProb: number;
  easing: "none" | "sine" | "cubic";
  /** Bend of curved paths, fraction of the distance (sd). */
  bend: number;
  dwell: { mean: number; sd: number };
  gap: { mean: number; sd: number };
  /** Wheel: notches of 120 px, or smooth pixel deltas. */
  smoothScroll: boolean;
  typing: TypingStyle;
  /** The `humanised` family's own path parameters. */
  humanised?: HumanisedStyle;
  /** The `jump` family's own path parameters. */
  jump?: JumpStyle;
}

const logUniform = (rng: Rng, lo: number, hi: number) =>
  Math.exp(rng.uniform(Math.log(lo), Math.log(hi)));

/** Draws a session's style for a family. */
export function drawStyle(family: BotFamily, rng: Rng): FamilyStyle {
  const slow = family === "slow";
  const hz = slow ? rng.uniform(30, 60) : logUniform(rng, 8, 240);
  const gaussian = rng.next() < 0.5;
  const style: FamilyStyle = {
    family,
    speed: slow ? rng.uniform(0.005, 0.08) : logUniform(rng, 0.005, 5),
    intervalMs: 1000 / hz,
    intervalJitter: rng.next() < 0.4 ? 0 : rng.uniform(0, 0.4),
    noise: rng.next() < 0.4 ? 0 : rng.uniform(0, 3),
    pauseProb: rng.next() < 0.5 ? 0 : rng.uniform(0, 0.3),
    easing: family === "eased"
      ? rng.pick(["sine", "cubic"] as const)
      : family === "curved"
      ? rng.pick(["none", "sine", "cubic"] as const)
      : "none",
    bend: rng.uniform(0.05, 0.5),
    dwell: { mean: rng.uniform(0, 150), sd: gaussian ? rng.uniform(5, 40) : 0 },
    gap: {
      mean: rng.uniform(50, 1500),
      sd: gaussian ? rng.uniform(20, 400) : 0,
    },
    smoothScroll: rng.next() < 0.4,
    typing: {
      mode: rng.next() < 0.5 ? "constant" : "gaussian",
      intervalMs: rng.uniform(30, 300),
      dwellMs: rng.uniform(10, 150),
      sd: rng.uniform(5, 80),
    },
  };
  // Drawn last, so the other families' draws are what they were before these two existed.
  if (family === "humanised") style.humanised = drawHumanised(rng);
  if (family === "jump") style.jump = drawJump(rng);
  return style;
}

function ease(kind: FamilyStyle["easing"], f: number): number {
  if (kind === "sine") return (1 - Math.cos(Math.PI * f)) / 2;
  if (kind === "cubic") {
    return f < 0.5 ? 4 * f * f * f : 1 - Math.pow(-2 * f + 2, 3) / 2;
  }
  return f;
}

/** Samples `at(progress)` along a path of `length` px at the style's speed, rate and noise. */
function sample(
  at: (f: number) => Point,
  length: number,
  style: FamilyStyle,
  rng: Rng,
): TimedPoint[] {
  const duration = Math.max(style.intervalMs, length / style.speed);
  const out: TimedPoint[] = [];
  let t = 0, offset = 0;
  while (t < duration) {
    const step = style.intervalMs *
      (1 + style.intervalJitter * rng.uniform(-1, 1));
    t += Math.max(1, step);
    if (style.pauseProb > 0 && rng.next() < style.pauseProb / 20) {
      offset += rng.uniform(50, 800);
    }
    const p = at(ease(style.easing, Math.min(1, t / duration)));
    out.push({
      x: Math.round(p.x + rng.normal(0, style.noise)),
      y: Math.round(p.y + rng.normal(0, style.noise)),
      t: Math.round(t + offset),
    });
  }
  return out;
}

/** The path of one move in a family's shape. */
export function familyPath(
  from: Point,
  to: Point,
  style: FamilyStyle,
  rng: Rng,
): TimedPoint[] {
  if (style.humanised) return humanisedPath(from, to, style.humanised, rng);
  if (style.jump) return jumpPath(from, to, style.jump, rng);
  const dist = Math.hypot(to.x - from.x, to.y - from.y);
  const lerp = (a: Point, b: Point, f: number) => ({
    x: a.x + (b.x - a.x) * f,
    y: a.y + (b.y - a.y) * f,
  });
  const curved = style.family === "curved" ||
    (style.family === "slow" && rng.next() < 0.5);
  if (curved) {
    const nx = -(to.y - from.y) / (dist || 1),
      ny = (to.x - from.x) / (dist || 1);
    const b = rng.normal(0, dist * style.bend);
    const c = {
      x: (from.x + to.x) / 2 + nx * b,
      y: (from.y + to.y) / 2 + ny * b,
    };
    const at = (f: number) => lerp(lerp(from, c, f), lerp(c, to, f), f);
    return sample(at, dist * (1 + Math.abs(b) / (dist || 1)), style, rng);
  }
  if (style.family === "piecewise") {
    const legs = rng.int(2, 5);
    const points = [from];
    for (let i = 1; i < legs; i++) {
      const p = lerp(from, to, i / legs);
      points.push({
        x: p.x + rng.normal(0, dist * 0.15),
        y: p.y + rng.normal(0, dist * 0.15),
      });
    }
    points.push(to);
    const out: TimedPoint[] = [];
    for (let i = 1; i < points.length; i++) {
      const a = points[i - 1], b = points[i];
      const start = out.at(-1)?.t ?? 0;
      const leg = sample(
        (f) => lerp(a, b, f),
        Math.hypot(b.x - a.x, b.y - a.y),
        style,
        rng,
      );
      for (const p of leg) out.push({ ...p, t: p.t + start });
    }
    return out;
  }
  return sample((f) => lerp(from, to, f), dist, style, rng);
}

/** Options of {@link generateFamilySession}. */
export interface FamilySessionOptions {
  /** Session id; default `bot/<family>/<seed>`. */
  session?: string;
  /** Approximate duration in ms; default drawn in [20 s, 90 s]. */
  durationMs?: number;
}

/** Generates one session of a family; the same family and seed always give the same events. */
export function generateFamilySession(
  family: BotFamily,
  seed: number,
  options: FamilySessionOptions = {},
): RawEvent[] {
  const rng = createRng(seed);
  const session = options.session ?? `bot/${family}/${seed}`;
  const style = drawStyle(family, rng);
  const plan = planSession(rng, {
    durationMs: options.durationMs ?? rng.int(20_000, 90_000),
  });
  const draw = (d: { mean: number; sd: number }) =>
    Math.max(0, Math.round(d.sd > 0 ? rng.normal(d.mean, d.sd) : d.mean));
  let pos: Point = {
    x: rng.int(0, VIEWPORT.width - 1),
    y: rng.int(0, VIEWPORT.height - 1),
  };
  let t = rng.int(50, 500), id = 0;
  const out: RawEvent[] = [];
  for (const action of plan) {
    if (action.type === "idle") {
      t += action.ms;
      continue;
    }
    if (action.type === "scroll") {
      const steps = style.smoothScroll
        ? action.notches * rng.int(3, 10)
        : action.notches;
      for (let i = 0; i < steps; i++) {
        const dy = style.smoothScroll ? rng.int(4, 60) : 120;
        out.push({
          session,
          t,
          kind: "wheel",
          x: pos.x,
          y: pos.y,
          dx: 0,
          dy: dy * action.direction,
        });
        t += Math.max(
          4,
          Math.round(style.intervalMs * (style.smoothScroll ? 1 : 6)),
        );
      }
      t += draw(style.gap);
      continue;
    }
    const target = action.type === "click" ? action.target : action.field;
    const to = aimPoint(rng, target, rng.uniform(0, 0.3));
    const path = familyPath(pos, to, style, rng);
    for (const p of path) {
      out.push({ session, t: t + p.t, kind: "move", x: p.x, y: p.y });
    }
    t += (path.at(-1)?.t ?? 0) + Math.round(draw(style.gap) / 4);
    pos = to;
    out.push({ session, t, kind: "down", x: to.x, y: to.y, button: 0 });
    t += draw(style.dwell);
    out.push({ session, t, kind: "up", x: to.x, y: to.y, button: 0 });
    t += draw(style.gap);
    if (action.type === "type") {
      const typed = typeKeys(
        session,
        t,
        { chars: action.chars, typos: action.typos, nextId: id },
        style.typing,
        rng,
      );
      id += action.chars + 2 * action.typos;
      out.push(...typed.events);
      t = typed.end + draw(style.gap);
    }
  }
  return out.sort((a, b) => a.t - b.t);
}
