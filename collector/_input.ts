/**
 * Click, key and scroll features of one window. Private to collector/; each formula is documented
 * beside its computation and in collector/README.md ("Features").
 */
import type { WindowEvent } from "./features.ts";
import { cv, diffs, mean, std } from "./_stats.ts";

/** A down with no move in this many ms before it is a "teleport" click. */
export const NO_MOVE_MS = 500;

/** Click features. click_count is always a number; the rest are NaN without downs or pairs. */
export interface ClickFeatures {
  click_count: number;
  click_dwell_mean: number;
  click_dwell_std: number;
  click_no_move_share: number;
}

/**
 * click_count = downs of button 0 (a missing button counts as 0); click_dwell = up.t − down.t,
 * pairing each up with the pending down of the same button; click_no_move_share = share of downs
 * (any button) with no move in [down.t − NO_MOVE_MS, down.t].
 */
export function clickFeatures(events: readonly WindowEvent[]): ClickFeatures {
  let count = 0, downs = 0, noMove = 0, lastMove = -Infinity;
  const pending = new Map<number, number>();
  const dwells: number[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const button = e.button ?? 0;
    if (e.kind === "move") lastMove = e.t;
    else if (e.kind === "down") {
      downs++;
      if (button === 0) count++;
      if (!(e.t - lastMove <= NO_MOVE_MS)) noMove++;
      pending.set(button, e.t);
    } else if (e.kind === "up") {
      const down = pending.get(button);
      if (down !== undefined) {
        dwells.push(e.t - down);
        pending.delete(button);
      }
    }
  }
  return {
    click_count: count,
    click_dwell_mean: mean(dwells),
    click_dwell_std: std(dwells),
    click_no_move_share: downs > 0 ? noMove / downs : NaN,
  };
}

/** Key features. typing_speed is always a number; the rest are NaN without keydowns or pairs. */
export interface KeyFeatures {
  typing_speed: number;
  key_dwell_mean: number;
  key_dwell_std: number;
  key_flight_mean: number;
  key_flight_std: number;
  backspace_ratio: number;
}

/**
 * typing_speed = keydowns / window seconds; key_dwell = keyup.t − keydown.t paired by `id`;
 * key_flight = keydown.t of a press − keyup.t of the press before it (up→down latency, negative
 * when keys overlap), for consecutive presses whose earlier press has its keyup in the window;
 * backspace_ratio = backspace keydowns / keydowns.
 */
export function keyFeatures(
  events: readonly WindowEvent[],
  windowSeconds: number,
): KeyFeatures {
  const presses: { down: number; up: number }[] = [];
  const open = new Map<number, { down: number; up: number }>();
  let backspaces = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.kind === "keydown") {
      const press = { down: e.t, up: NaN };
      presses.push(press);
      if (e.id !== undefined && !open.has(e.id)) open.set(e.id, press);
      if (e.key === "backspace") backspaces++;
    } else if (e.kind === "keyup" && e.id !== undefined) {
      const press = open.get(e.id);
      if (press !== undefined) {
        press.up = e.t;
        open.delete(e.id);
      }
    }
  }
  const dwells: number[] = [], flights: number[] = [];
  for (let i = 0; i < presses.length; i++) {
    if (!Number.isNaN(presses[i].up)) {
      dwells.push(presses[i].up - presses[i].down);
    }
    if (i > 0 && !Number.isNaN(presses[i - 1].up)) {
      flights.push(presses[i].down - presses[i - 1].up);
    }
  }
  return {
    typing_speed: presses.length / windowSeconds,
    key_dwell_mean: mean(dwells),
    key_dwell_std: std(dwells),
    key_flight_mean: mean(flights),
    key_flight_std: std(flights),
    backspace_ratio: presses.length > 0 ? backspaces / presses.length : NaN,
  };
}

/** Scroll features. scroll_speed is always a number (0 without scrolling). */
export interface ScrollFeatures {
  scroll_speed: number;
  scroll_interval_cv: number;
}

/**
 * scroll_speed = Σ(|dx| + |dy|) over wheel and scroll events / window seconds (px/s);
 * scroll_interval_cv = std/mean of the Δt between consecutive wheel/scroll events (NaN with fewer
 * than two such events or a zero mean).
 */
export function scrollFeatures(
  events: readonly WindowEvent[],
  windowSeconds: number,
): ScrollFeatures {
  let distance = 0;
  const times: number[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.kind !== "wheel" && e.kind !== "scroll") continue;
    distance += Math.abs(e.dx ?? 0) + Math.abs(e.dy ?? 0);
    times.push(e.t);
  }
  return {
    scroll_speed: distance / windowSeconds,
    scroll_interval_cv: cv(diffs(times)),
  };
}
