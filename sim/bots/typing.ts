/** Keystroke timing of typing bots: constant intervals, or gaussian-jittered ones. */
import type { RawEvent } from "../../collector/mod.ts";
import type { Rng } from "./prng.ts";

/** How a typing bot times keys. */
export interface TypingStyle {
  /** "constant": fixed flight and dwell; "gaussian": both drawn from normals. */
  mode: "constant" | "gaussian";
  /** Mean ms between key presses. */
  intervalMs: number;
  /** Mean ms a key is held. */
  dwellMs: number;
  /** Standard deviation for the gaussian mode, ms. */
  sd: number;
}

/**
 * Key events for typing `chars` characters with `typos` corrections (a wrong char then a
 * backspace), starting at `t0`; `nextId` numbers the presses. Returns the events and end time.
 */
export function typeKeys(
  session: string,
  t0: number,
  counts: { chars: number; typos: number; nextId: number },
  style: TypingStyle,
  rng: Rng,
): { events: RawEvent[]; end: number } {
  const keys: ("char" | "backspace")[] = [];
  const typoAt = new Set(
    Array.from({ length: counts.typos }, () => rng.int(0, counts.chars - 1)),
  );
  for (let i = 0; i < counts.chars; i++) {
    keys.push("char");
    if (typoAt.has(i)) keys.push("char", "backspace");
  }
  const draw = (mean: number) =>
    style.mode === "constant" ? mean : Math.max(5, rng.normal(mean, style.sd));
  const events: RawEvent[] = [];
  let t = t0;
  let id = counts.nextId;
  for (const key of keys) {
    const dwell = Math.round(draw(style.dwellMs));
    events.push({ session, t, kind: "keydown", key, id });
    events.push({ session, t: t + dwell, kind: "keyup", key, id });
    id++;
    t += Math.round(Math.max(draw(style.intervalMs), dwell + 1));
  }
  events.sort((a, b) => a.t - b.t);
  return { events, end: t };
}
