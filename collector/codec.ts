/**
 * The compact wire encoding of one window's raw events (post format v2, collector/README.md
 * "Post format"): a flat array of integers, delta-coded, so a busy 5 s mouse window of ~300 moves
 * is a few kilobytes of JSON and the server, not the browser, computes the features.
 *
 * Each event is `code, dt, …fields`:
 * - `code` = kind index in {@link EVENT_KINDS} order, plus {@link UNTRUSTED} when the browser said
 *   `isTrusted === false`, plus {@link TOUCH} or {@link PEN} for a pointer that is not a mouse;
 * - `dt` = time since the previous event (the first: since the window's `t0`) in 0.1 ms, ≥ 0, so
 *   timestamps are monotonic by construction;
 * - move: `dx, dy`; down, up: `button, dx, dy` (position deltas from the previous pointer event,
 *   the window starting at 0, 0); wheel, scroll: `dx, dy` px; keydown, keyup: `class, id`
 *   (0 char, 1 backspace, 2 other; the press's pairing id); visibility: `visible` 0/1; meta:
 *   `webdriver` 0/1; focus: nothing.
 *
 * Pure and shared by the browser bundle (encode) and the server (decode). The decoder is total:
 * it never throws and names the first bad index.
 *
 * @module
 */
import { EVENT_KINDS, type KeyClass, type WindowEvent } from "./features.ts";

/** Flag added to an event's code when the browser marked it synthetic. */
export const UNTRUSTED = 16;
/** Flag added to a pointer event's code when the pointer is a touch contact. */
export const TOUCH = 32;
/** Flag added to a pointer event's code when the pointer is a pen. */
export const PEN = 64;

/** Fields after `code, dt`, per kind index. */
const ARITY = [2, 3, 3, 2, 2, 2, 2, 1, 1, 0] as const;
const KEY_CLASSES: readonly KeyClass[] = ["char", "backspace", "other"];
/** Bound on every integer of the array (times in 0.1 ms: a whole hour fits). */
const LIMIT = 1e8;

/**
 * Encodes one window's events (time-ordered; positions and deltas are rounded to whole px, times
 * to 0.1 ms).
 *
 * @param events the window's events, as the browser recorded them
 * @param t0 the window's start (epoch ms), ≤ the first event's time
 */
export function encodeEvents(
  events: readonly WindowEvent[],
  t0: number,
): number[] {
  const out: number[] = [];
  let t = Math.round(t0 * 10), x = 0, y = 0;
  for (const e of events) {
    const kind = EVENT_KINDS.indexOf(e.kind);
    const ts = Math.round(e.t * 10);
    let code = kind + (e.trusted === false ? UNTRUSTED : 0);
    if (e.pointer === "touch") code += TOUCH;
    else if (e.pointer === "pen") code += PEN;
    out.push(code, Math.max(0, ts - t));
    t = Math.max(t, ts);
    switch (e.kind) {
      case "down":
      case "up":
        out.push(e.button ?? 0);
      // falls through: then the position, like a move
      case "move": {
        const px = Math.round(e.x ?? x), py = Math.round(e.y ?? y);
        out.push(px - x, py - y);
        x = px;
        y = py;
        break;
      }
      case "wheel":
      case "scroll":
        out.push(Math.round(e.dx ?? 0), Math.round(e.dy ?? 0));
        break;
      case "keydown":
      case "keyup":
        out.push(KEY_CLASSES.indexOf(e.key ?? "other"), e.id ?? 0);
        break;
      case "visibility":
        out.push(e.visible ? 1 : 0);
        break;
      case "meta":
        out.push(e.webdriver ? 1 : 0);
        break;
    }
  }
  return out;
}

/** Result of {@link decodeEvents}. */
export type DecodeResult =
  | { ok: true; events: WindowEvent[] }
  | { ok: false; field: string; reason: string };

/**
 * Decodes a window's integer array back into events with absolute times (epoch ms at 0.1 ms) and
 * positions. Never throws.
 *
 * @param codes the post's `e` (unvalidated: any JSON value)
 * @param t0 the window's start (epoch ms)
 * @returns the events, or the first bad position as `e.<index>` with a short reason
 */
export function decodeEvents(codes: unknown, t0: number): DecodeResult {
  if (!Array.isArray(codes)) {
    return { ok: false, field: "e", reason: "must be an array" };
  }
  const events: WindowEvent[] = [];
  let t = Math.round(t0 * 10), x = 0, y = 0, i = 0;
  const bad = (at: number, reason: string): DecodeResult => ({
    ok: false,
    field: `e.${at}`,
    reason,
  });
  while (i < codes.length) {
    const start = i;
    const code = codes[i];
    if (!isInt(code) || code < 0) return bad(i, "unknown event code");
    const kindIndex = code & 15, flags = code & ~15;
    const kind = EVENT_KINDS[kindIndex];
    const pointerKind = kindIndex <= 2;
    if (
      kind === undefined || (flags & ~(UNTRUSTED | TOUCH | PEN)) !== 0 ||
      ((flags & (TOUCH | PEN)) !== 0 && !pointerKind) ||
      (flags & TOUCH && flags & PEN)
    ) return bad(i, "unknown event code");
    const arity = ARITY[kindIndex];
    if (i + 2 + arity > codes.length) return bad(i, "truncated event");
    for (let k = i + 1; k < i + 2 + arity; k++) {
      if (!isInt(codes[k])) return bad(k, "must be an integer within ±1e8");
    }
    const dt = codes[i + 1] as number;
    if (dt < 0) return bad(i + 1, "time goes backwards");
    t += dt;
    // Fields read in place (no slice per event: this loop runs ~200 times a post).
    const f0 = codes[i + 2] as number, f1 = codes[i + 3] as number;
    i += 2 + arity;
    const e: WindowEvent = { t: t / 10, kind };
    if (flags & UNTRUSTED) e.trusted = false;
    if (flags & TOUCH) e.pointer = "touch";
    else if (flags & PEN) e.pointer = "pen";
    if (kindIndex === 0) { // move
      x += f0;
      y += f1;
      e.x = x;
      e.y = y;
    } else if (kindIndex <= 2) { // down, up
      if (f0 > 4) return bad(start + 2, "button must be 0..4");
      x += f1;
      y += codes[start + 4] as number;
      e.button = f0;
      e.x = x;
      e.y = y;
    } else if (kindIndex <= 4) { // wheel, scroll
      e.dx = f0;
      e.dy = f1;
    } else if (kindIndex <= 6) { // keydown, keyup
      const key = KEY_CLASSES[f0];
      if (key === undefined) return bad(start + 2, "key class must be 0..2");
      if (f1 < 0) return bad(start + 3, "id must be >= 0");
      e.key = key;
      e.id = f1;
    } else if (kindIndex <= 8) { // visibility, meta
      if (f0 !== 0 && f0 !== 1) return bad(start + 2, "must be 0 or 1");
      if (kindIndex === 7) e.visible = f0 === 1;
      else e.webdriver = f0 === 1;
    }
    events.push(e);
  }
  return { ok: true, events };
}

function isInt(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= -LIMIT &&
    v <= LIMIT;
}
