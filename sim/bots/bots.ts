/**
 * Synthetic bot sessions as raw event streams: a seeded page plan rendered by one bot kind.
 * Each kind keeps its style (speed, sampling, dwell, typing rhythm) fixed for the session, as a
 * scripted bot would.
 */
import type { RawEvent } from "../../collector/mod.ts";
import {
  bezierPath,
  type BezierStyle,
  ghostCursorPath,
  linearPath,
  type LinearStyle,
  type Point,
  type TimedPoint,
} from "./motion.ts";
import { type Action, aimPoint, planSession, VIEWPORT } from "./plan.ts";
import { createRng, type Rng } from "./prng.ts";
import { typeKeys, type TypingStyle } from "./typing.ts";

/** The synthetic bot kinds used for training (replay is evaluation-only, see replay.ts). */
export const BOT_KINDS = ["teleport", "linear", "bezier", "ghost"] as const;

/** One synthetic bot kind. */
export type BotKind = typeof BOT_KINDS[number];

/** Options for {@link generateBotSession}. */
export interface BotSessionOptions {
  /** Session id; default `bot/<kind>/<seed>`. */
  session?: string;
  /** Approximate duration in ms; default drawn in [20 s, 90 s]. */
  durationMs?: number;
}

interface Style {
  kind: BotKind;
  linear: LinearStyle;
  bezier: BezierStyle;
  typing: TypingStyle;
  dwell: () => number;
  gap: () => number;
  scrollInterval: () => number;
}

function pickStyle(kind: BotKind, rng: Rng): Style {
  const human = kind === "bezier" || kind === "ghost";
  const fixedDwell = rng.int(0, 80);
  const fixedGap = rng.int(50, 1500);
  const fixedScroll = rng.int(20, 200);
  const typingMode = human
    ? (rng.next() < 0.8 ? "gaussian" : "constant")
    : (rng.next() < 0.8 ? "constant" : "gaussian");
  return {
    kind,
    linear: {
      speed: rng.uniform(0.3, 4),
      intervalMs: rng.pick([5, 8, 10, 16, 20, 50]),
    },
    bezier: {
      fittsA: rng.uniform(80, 250),
      fittsB: rng.uniform(80, 200),
      intervalMean: rng.uniform(8, 20),
      intervalSd: rng.uniform(1, 8),
      noise: rng.uniform(0, 2),
      overshoot: rng.uniform(0, 0.4),
    },
    typing: {
      mode: typingMode,
      intervalMs: rng.uniform(40, 250),
      dwellMs: rng.uniform(20, 120),
      sd: rng.uniform(10, 60),
    },
    dwell: human
      ? () => Math.max(20, Math.round(rng.normal(110, 35)))
      : () => fixedDwell,
    gap: human
      ? () => Math.max(50, Math.round(rng.normal(500, 250)))
      : () => fixedGap,
    scrollInterval: human
      ? () => Math.max(8, Math.round(rng.normal(90, 40)))
      : () => fixedScroll,
  };
}

function movePath(
  style: Style,
  from: Point,
  to: Point,
  width: number,
  rng: Rng,
): TimedPoint[] {
  if (style.kind === "teleport") return [];
  if (style.kind === "linear") return linearPath(from, to, style.linear);
  if (style.kind === "bezier") {
    return bezierPath(from, to, width, style.bezier, rng);
  }
  return ghostCursorPath(from, to, width, rng);
}

/** Generates one bot session; the same kind and seed always give the same events. */
export function generateBotSession(
  kind: BotKind,
  seed: number,
  options: BotSessionOptions = {},
): RawEvent[] {
  const rng = createRng(seed);
  const session = options.session ?? `bot/${kind}/${seed}`;
  const style = pickStyle(kind, rng);
  const plan = planSession(rng, {
    durationMs: options.durationMs ?? rng.int(20_000, 90_000),
  });
  const state = {
    pos: {
      x: rng.int(0, VIEWPORT.width - 1),
      y: rng.int(0, VIEWPORT.height - 1),
    },
    t: rng.int(50, 500),
    id: 0,
  };
  const events: RawEvent[] = [];
  for (const action of plan) {
    renderAction(action, style, state, events, { session, rng });
  }
  return events;
}

interface RenderState {
  pos: Point;
  t: number;
  id: number;
}

function renderAction(
  action: Action,
  style: Style,
  state: RenderState,
  out: RawEvent[],
  ctx: { session: string; rng: Rng },
): void {
  const { session, rng } = ctx;
  if (action.type === "idle") {
    state.t += action.ms;
    return;
  }
  if (action.type === "scroll") {
    for (let i = 0; i < action.notches; i++) {
      out.push({
        session,
        t: state.t,
        kind: "wheel",
        x: state.pos.x,
        y: state.pos.y,
        dx: 0,
        dy: 120 * action.direction,
      });
      state.t += style.scrollInterval();
    }
    state.t += style.gap();
    return;
  }
  const target = action.type === "click" ? action.target : action.field;
  const to = aimPoint(
    rng,
    target,
    style.kind === "teleport" || style.kind === "linear" ? 0.05 : 0.25,
  );
  const path = movePath(style, state.pos, to, target.w, rng);
  for (const p of path) {
    out.push({ session, t: state.t + p.t, kind: "move", x: p.x, y: p.y });
  }
  const moveEnd = path.length > 0 ? path[path.length - 1].t : 0;
  state.t += moveEnd +
    (style.kind === "teleport" ? 0 : Math.round(style.gap() / 4));
  state.pos = to;
  out.push({ session, t: state.t, kind: "down", x: to.x, y: to.y, button: 0 });
  state.t += style.dwell();
  out.push({ session, t: state.t, kind: "up", x: to.x, y: to.y, button: 0 });
  state.t += style.gap();
  if (action.type === "type") {
    const typed = typeKeys(
      session,
      state.t,
      { chars: action.chars, typos: action.typos, nextId: state.id },
      style.typing,
      rng,
    );
    state.id += action.chars + 2 * action.typos;
    out.push(...typed.events);
    state.t = typed.end + style.gap();
  }
}
