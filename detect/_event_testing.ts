/**
 * Raw-event windows for tests: the committed human fixture split into windows, and keystroke
 * series with given timing (deterministic; jitter from a fixed sequence, not Math.random).
 */
import { type RawEvent, windowEvents } from "../collector/mod.ts";
import type { GuardEvent } from "./events.ts";

const FIXTURE = new URL(
  "../tests/fixtures/human_sapimouse_user100.jsonl",
  import.meta.url,
);

/** The fixture's 5 s windows (≥ 8 events), without the session field, each led by a meta event. */
export async function fixtureWindows(): Promise<GuardEvent[][]> {
  const text = await Deno.readTextFile(FIXTURE);
  const events = text.trim().split("\n").map((l) => JSON.parse(l) as RawEvent);
  return windowEvents(events).map((w) => [
    { t: w[0].t, kind: "meta", webdriver: false },
    ...w.map(({ session: _, ...e }) => e),
  ]);
}

/** A window's events shifted by `dt` ms (a recording "re-timed to now"). */
export function shifted(events: readonly GuardEvent[], dt: number) {
  return events.map((e) => ({ ...e, t: e.t + dt }));
}

/** A deterministic value in [0, 1) for index i (a fixed low-discrepancy sequence). */
export function jitter(i: number): number {
  return (i * 0.6180339887) % 1;
}

/** Options of {@link keystrokes}. */
export interface KeystrokeOptions {
  start: number;
  /** Hold time of press i, ms. */
  dwell: (i: number) => number;
  /** Time from press i's keyup to press i + 1's keydown, ms. */
  flight: (i: number) => number;
  key?: "char" | "backspace" | "other";
}

/** `n` presses as keydown/keyup pairs, in time order, led by a meta event. */
export function keystrokes(n: number, o: KeystrokeOptions): GuardEvent[] {
  const out: GuardEvent[] = [{ t: o.start, kind: "meta", webdriver: false }];
  let t = o.start;
  for (let i = 0; i < n; i++) {
    const up = t + o.dwell(i);
    out.push({ t, kind: "keydown", key: o.key ?? "char", id: i });
    out.push({ t: up, kind: "keyup", key: o.key ?? "char", id: i });
    t = up + o.flight(i);
  }
  return out.sort((a, b) => a.t - b.t);
}
