/**
 * Device randomisation of human recordings. What a person's input looks like to the collector
 * depends on their device as much as on them: the pointer's report rate (a browser coalesces to
 * the frame rate, remote desktops drop to a few Hz), the clock's resolution (Windows timers tick
 * every 15.6 ms), and the screen's scale (the same hand movement is twice the CSS pixels on a
 * display at 50 % zoom). Two public human datasets cover two devices; a model trained on one
 * learns that device as "human" and flags the other (leave-one-source-out, docs/evaluation.md).
 * Augmenting each human session with other devices makes those properties useless for telling
 * humans from bots, so the model has to use the movement itself. The bot families are randomised
 * over the same ranges (sim/bots/families.ts), so neither class owns a device.
 *
 * Each augmented copy draws, per session:
 * - a move report rate log-uniform in [5, 125] Hz: moves closer than 1000/rate ms to the last
 *   kept move are dropped (presses, wheels and keys are kept);
 * - a clock resolution from {1, 8, 10, 15.6, 16.7} ms: every timestamp floored to it;
 * - a coordinate scale log-uniform in [0.6, 1.7].
 *
 * @module
 */
import type { RawEvent } from "../../collector/mod.ts";
import type { Rng } from "./prng.ts";

/** The device drawn for one augmented copy. */
export interface Device {
  /** Move reports per second. */
  rateHz: number;
  /** Clock resolution, ms. */
  tickMs: number;
  /** Coordinate scale. */
  scale: number;
}

/** Draws a device. */
export function drawDevice(rng: Rng): Device {
  const log = (lo: number, hi: number) =>
    Math.exp(rng.uniform(Math.log(lo), Math.log(hi)));
  return {
    rateHz: log(5, 125),
    tickMs: rng.pick([1, 8, 10, 15.6, 16.7]),
    scale: log(0.6, 1.7),
  };
}

/** The session as `device` would have reported it. Pure; events must be in time order. */
export function throughDevice(
  events: readonly RawEvent[],
  device: Device,
): RawEvent[] {
  const minGap = 1000 / device.rateHz;
  const tick = (t: number) => Math.floor(t / device.tickMs) * device.tickMs;
  const out: RawEvent[] = [];
  let lastMove = -Infinity;
  for (const e of events) {
    if (e.kind === "move") {
      if (e.t - lastMove < minGap) continue;
      lastMove = e.t;
    }
    const next: RawEvent = { ...e, t: Math.round(tick(e.t) * 10) / 10 };
    if (e.x !== undefined) next.x = Math.round(e.x * device.scale);
    if (e.y !== undefined) next.y = Math.round(e.y * device.scale);
    out.push(next);
  }
  return out;
}
