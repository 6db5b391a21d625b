/**
 * Replay as evidence: fingerprints of a window's raw events, and a bounded in-memory index of the
 * fingerprints seen lately, across sessions and pages. A person never produces the same window
 * twice; a client re-posting a recorded window (as is, or re-timed to now) does.
 *
 * Two fingerprints per window (measured on SapiMouse and the committed fixture; see the tests):
 * - exact (`x:`): every non-meta event's kind, its time since the previous event in
 *   {@link DT_BUCKET_MS} buckets, its position change from the previous positioned event, and its
 *   button, key class, wheel delta or visibility. Only differences, never absolute times or
 *   positions, so a copy shifted to now (or moved on screen) matches; the 4 ms buckets absorb
 *   re-encoding a recording at another clock resolution.
 * - shape (`s:`): the order of strokes (moves between pauses > 100 ms or clicks), each as its chord
 *   direction in 8 sectors and length as a power of two, with clicks, wheel directions and key
 *   classes between them. It has no time at all, so a copy replayed with new timing or small jitter
 *   still matches. Short paths are common to everyone, so a window is shape-fingerprinted only
 *   with at least {@link MIN_SHAPE_STROKES} strokes of {@link MIN_STROKE_PX} or more.
 *
 * @module
 */
import type { GuardEvent } from "./events.ts";

/** Windows with fewer non-meta events are not fingerprinted (MIN_EVENTS). */
export const MIN_EVENTS = 8;
/** Width of the time buckets of the exact fingerprint, ms. */
export const DT_BUCKET_MS = 4;
/** Strokes a window needs for a shape fingerprint. */
export const MIN_SHAPE_STROKES = 6;
/** Strokes shorter than this (px) are hand tremor, not shape: left out of the shape fingerprint. */
export const MIN_STROKE_PX = 16;
/** A gap between moves longer than this splits strokes (as the features do). */
const PAUSE_MS = 100;

/** Options of {@link windowFingerprints}. */
export interface FingerprintOptions {
  /** Default {@link MIN_EVENTS}. */
  minEvents?: number;
}

/**
 * The fingerprints of one window: `[]` with fewer than `minEvents` non-meta events, else the
 * exact one and, for a window with enough strokes, the shape one.
 */
export function windowFingerprints(
  events: readonly GuardEvent[],
  options: FingerprintOptions = {},
): string[] {
  const real = events.filter((e) => e.kind !== "meta");
  if (real.length < (options.minEvents ?? MIN_EVENTS)) return [];
  const out = [`x:${hash(exactTokens(real))}`];
  const shape = shapeTokens(real);
  if (shape.strokes >= MIN_SHAPE_STROKES) out.push(`s:${hash(shape.tokens)}`);
  return out;
}

function exactTokens(events: readonly GuardEvent[]): string {
  const parts: string[] = [];
  let lastT = events[0].t, lastX: number | undefined, lastY = 0;
  for (const e of events) {
    const dt = Math.round((e.t - lastT) / DT_BUCKET_MS);
    lastT = e.t;
    let pos = "";
    if (e.x !== undefined && e.y !== undefined) {
      if (lastX !== undefined) {
        pos = `${Math.round(e.x - lastX)},${Math.round(e.y - lastY)}`;
      }
      lastX = e.x;
      lastY = e.y;
    }
    const extra = e.button ?? e.key ?? e.visible ??
      (e.dx !== undefined
        ? `${Math.round(e.dx)},${Math.round(e.dy ?? 0)}`
        : "");
    parts.push(`${e.kind}${e.pointer ?? ""}/${dt}/${pos}/${extra}`);
  }
  return parts.join(";");
}

function shapeTokens(events: readonly GuardEvent[]) {
  const parts: string[] = [];
  let strokes = 0, start: GuardEvent | undefined, last: GuardEvent | undefined;
  const close = () => {
    if (start && last && start !== last) {
      const dx = last.x! - start.x!, dy = last.y! - start.y!;
      const len = Math.hypot(dx, dy);
      if (len >= MIN_STROKE_PX) {
        const sector = Math.round(Math.atan2(dy, dx) / (Math.PI / 4)) & 7;
        parts.push(`m${sector}.${Math.floor(Math.log2(len))}`);
        strokes++;
      }
    }
    start = last = undefined;
  };
  for (const e of events) {
    if (e.kind === "move" && e.x !== undefined && e.y !== undefined) {
      if (last && e.t - last.t > PAUSE_MS) close();
      start ??= e;
      last = e;
    } else if (
      e.kind === "down" || e.kind === "keydown" || e.kind === "wheel"
    ) {
      close();
      parts.push(
        e.kind === "wheel"
          ? `w${Math.sign(e.dy ?? 0)}`
          : `${e.kind}${e.button ?? e.key ?? ""}`,
      );
    }
  }
  close();
  return { tokens: parts.join(";"), strokes };
}

/** 64-bit FNV-1a of a string's UTF-16 units, as 16 hex digits (two 32-bit lanes, distinct seeds). */
function hash(text: string): string {
  let a = 0x811c9dc5, b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, "0") +
    (b >>> 0).toString(16).padStart(8, "0");
}

/** Options of {@link createReplayIndex}. */
export interface ReplayIndexOptions {
  /** Fingerprints kept; the least recently seen is dropped beyond this. */
  maxEntries: number;
  /** How long a fingerprint is remembered after it was last seen, ms. */
  ttlMs: number;
}

/** A bounded memory of fingerprints seen lately. */
export interface ReplayIndex {
  /**
   * Records a window's fingerprints and returns those seen before (within the TTL), so the
   * second sighting of a window, from any session, is the first one reported.
   */
  check(fingerprints: readonly string[], now: number): string[];
  /** Fingerprints held now (expired ones are dropped as they are met). */
  readonly size: number;
}

/** Builds an empty {@link ReplayIndex}. */
export function createReplayIndex(options: ReplayIndexOptions): ReplayIndex {
  // A Map iterates in insertion order: re-inserting on sight keeps the least recently seen first.
  const seen = new Map<string, number>();
  return {
    check(fingerprints, now) {
      const repeated: string[] = [];
      for (const fp of fingerprints) {
        const expires = seen.get(fp);
        if (expires !== undefined && expires > now) repeated.push(fp);
        seen.delete(fp);
        seen.set(fp, now + options.ttlMs);
      }
      for (const [fp, expires] of seen) {
        if (seen.size <= options.maxEntries && expires > now) break;
        seen.delete(fp);
      }
      return repeated;
    },
    get size() {
      return seen.size;
    },
  };
}
