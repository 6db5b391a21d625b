/**
 * Replay adversary: a human recording played back with jitter (evaluation only, never a training
 * class). Timing is rescaled and each interval jittered; positions get small gaussian noise.
 */
import type { RawEvent } from "../../collector/mod.ts";
import type { Rng } from "./prng.ts";

/** Jitter applied by {@link replayWithJitter}. */
export interface ReplayOptions {
  /** Session id of the replayed stream. */
  session: string;
  /** Relative SD of each inter-event interval (0.2 = ±20 %). */
  timeJitter?: number;
  /** Positional SD in px. */
  posJitter?: number;
  /** Range of the global speed-up/slow-down factor. */
  scale?: [number, number];
}

/** Replays recorded events with jitter; keeps event order, kinds and key classes. */
export function replayWithJitter(
  events: readonly RawEvent[],
  rng: Rng,
  options: ReplayOptions,
): RawEvent[] {
  const timeJitter = options.timeJitter ?? 0.2;
  const posJitter = options.posJitter ?? 1.5;
  const [lo, hi] = options.scale ?? [0.8, 1.25];
  const scale = rng.uniform(lo, hi);
  const out: RawEvent[] = [];
  let t = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (i > 0) {
      const dt = Math.max(0, e.t - events[i - 1].t) * scale;
      t += Math.max(0, dt * (1 + rng.normal(0, timeJitter)));
    }
    const copy: RawEvent = {
      ...e,
      session: options.session,
      t: Math.round(t * 1000) / 1000,
    };
    if (copy.x !== undefined) {
      copy.x = Math.round(copy.x + rng.normal(0, posJitter));
    }
    if (copy.y !== undefined) {
      copy.y = Math.round(copy.y + rng.normal(0, posJitter));
    }
    out.push(copy);
  }
  return out;
}
