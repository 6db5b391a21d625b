/**
 * A page session plan: what a visitor does on a ~1280×800 page (click targets, type in a field,
 * scroll, pause), independent of how a bot renders the movement.
 */
import type { Rng } from "./prng.ts";

/** The simulated viewport, CSS pixels. */
export const VIEWPORT = { width: 1280, height: 800 } as const;

/** A clickable box on the page. */
export interface Target {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** One step of a session plan. */
export type Action =
  | { type: "click"; target: Target }
  | { type: "type"; field: Target; chars: number; typos: number }
  | { type: "scroll"; notches: number; direction: 1 | -1 }
  | { type: "idle"; ms: number };

/** Options for {@link planSession}. */
export interface PlanOptions {
  /** Approximate session length in ms (the plan stops adding actions past it). */
  durationMs?: number;
  /** Whether the plan may include typing. */
  typing?: boolean;
}

/** A random box fully inside the viewport. */
export function randomTarget(rng: Rng): Target {
  const w = rng.int(24, 220);
  const h = rng.int(18, 60);
  return {
    x: rng.int(10, VIEWPORT.width - w - 10),
    y: rng.int(10, VIEWPORT.height - h - 10),
    w,
    h,
  };
}

/** Plans a session of clicks, typing, scrolling and pauses with a rough time budget. */
export function planSession(rng: Rng, options: PlanOptions = {}): Action[] {
  const budget = options.durationMs ?? 60_000;
  const actions: Action[] = [];
  let spent = 0;
  while (spent < budget) {
    const r = rng.next();
    if (options.typing !== false && r < 0.12) {
      const chars = rng.int(5, 40);
      actions.push({
        type: "type",
        field: randomTarget(rng),
        chars,
        typos: rng.int(0, 2),
      });
      spent += 1500 + chars * 180;
    } else if (r < 0.25) {
      actions.push({
        type: "scroll",
        notches: rng.int(1, 8),
        direction: rng.next() < 0.7 ? 1 : -1,
      });
      spent += 1200;
    } else if (r < 0.33) {
      const ms = rng.int(300, 4000);
      actions.push({ type: "idle", ms });
      spent += ms;
    } else {
      actions.push({ type: "click", target: randomTarget(rng) });
      spent += 1200;
    }
  }
  return actions;
}

/** A point inside a target, biased to its centre. */
export function aimPoint(
  rng: Rng,
  target: Target,
  spread = 0.25,
): { x: number; y: number } {
  const cx = target.x + target.w / 2;
  const cy = target.y + target.h / 2;
  const clamp = (v: number, lo: number, hi: number) =>
    Math.min(hi, Math.max(lo, v));
  return {
    x: Math.round(
      clamp(rng.normal(cx, target.w * spread), target.x, target.x + target.w),
    ),
    y: Math.round(
      clamp(rng.normal(cy, target.h * spread), target.y, target.y + target.h),
    ),
  };
}
