/**
 * One ingest post (format v2): a window's raw events in the compact encoding of codec.ts, bound to
 * the page that the guard served (`page`, a signed page token) and to the viewport the page
 * reported. The server decodes the events and computes the features itself with
 * {@link extractFeatures}: a client cannot choose its feature vector, its event count or its
 * modalities, only its events, and those must be structurally possible.
 *
 * Checks here are the ones that need no server state (the page token, the clock and the replay
 * index are the ingest route's and the detector's):
 * - strict schema: unknown keys rejected, numbers finite and bounded;
 * - every integer of `e` valid (codec.ts), times monotonic (deltas ≥ 0);
 * - every event inside the window: `t0 ≤ t ≤ t1` (1 ms slack for rounding);
 * - at most {@link MAX_WINDOW_EVENTS} events;
 * - a pointer that is not held down lies inside the viewport (±2 px): outside the page, a browser
 *   reports a mouse only while a button is held (a drag), and never a touch (see buttonsFree). `vw`/`vh` are the
 *   largest `innerWidth`/`innerHeight` the page had during the window, so a resize does not
 *   turn earlier positions into violations.
 *
 * @module
 */
import { z } from "zod";
import { decodeEvents } from "./codec.ts";
import {
  extractFeatures,
  type FeatureVector,
  type WindowEvent,
} from "./features.ts";
import { firstIssue } from "./schema.ts";

/** Most events in one window: the collector's cap (1000) plus the meta and a few in flight. */
export const MAX_WINDOW_EVENTS = 1100;
/** Longest window span accepted (ms): a hidden tab's timers may be throttled to minutes. */
export const MAX_WINDOW_SPAN_MS = 3_600_000;
const time = z.number().min(0).max(1e13);
const side = z.int().min(1).max(100_000);

/** One ingest post, as JSON. `e` is checked by the decoder (faster than a zod schema per item). */
export const POST_SCHEMA = z.strictObject({
  v: z.literal(2),
  seq: z.int().min(0).max(1e9),
  page: z.string().min(1).max(200),
  t0: time,
  t1: time,
  vw: side,
  vh: side,
  e: z.array(z.unknown()).max(MAX_WINDOW_EVENTS * 5),
}).refine((p) => p.t1 >= p.t0, { path: ["t1"], message: "must be >= t0" })
  .refine((p) => p.t1 - p.t0 <= MAX_WINDOW_SPAN_MS, {
    path: ["t1"],
    message: "window longer than an hour",
  });

/** A validated ingest post (its `e` not yet decoded). */
export type WindowPost = z.infer<typeof POST_SCHEMA>;

const POST_KEYS = ["v", "seq", "page", "t0", "t1", "vw", "vh", "e"];

function isTime(v: unknown): v is number {
  return typeof v === "number" && v >= 0 && v <= 1e13;
}

function isSide(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) >= 1 &&
    (v as number) <= 100_000;
}

/**
 * Whether `json` passes {@link POST_SCHEMA}, checked by hand: the same bounds without zod's walk
 * over every item of `e` (`z.unknown()` per integer was most of zod's cost on a real post). The
 * schema stays the contract: a post this refuses is parsed by zod for its error, and a
 * property test (post_test.ts) checks that this never accepts what zod refuses.
 */
export function isWindowPost(json: unknown): json is WindowPost {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return false;
  }
  const keys = Object.keys(json);
  if (keys.length !== POST_KEYS.length) return false;
  for (const key of keys) if (!POST_KEYS.includes(key)) return false;
  const p = json as Record<string, unknown>;
  return p.v === 2 && Number.isInteger(p.seq) && (p.seq as number) >= 0 &&
    (p.seq as number) <= 1e9 && typeof p.page === "string" &&
    p.page.length >= 1 && p.page.length <= 200 && isTime(p.t0) &&
    isTime(p.t1) && isSide(p.vw) && isSide(p.vh) && Array.isArray(p.e) &&
    p.e.length <= MAX_WINDOW_EVENTS * 5 && p.t1 >= p.t0 &&
    p.t1 - p.t0 <= MAX_WINDOW_SPAN_MS;
}

/** Options of {@link parsePost}. */
export interface ParsePostOptions {
  /** WINDOW_MS: the window length that rates are computed over. */
  windowMs: number;
}

/** Result of {@link parsePost}. */
export type ParsePostResult =
  | {
    ok: true;
    value: WindowPost;
    /** The decoded events, time-ordered, absolute epoch ms. */
    events: WindowEvent[];
    /** Computed here, from `events`: never taken from the client. */
    features: FeatureVector;
  }
  | { ok: false; field: string; reason: string };

/**
 * Validates and decodes one post (already JSON-parsed) and computes its features. Never throws.
 *
 * @returns the post, its events and features, or the dotted path of the first problem (`"seq"`,
 * `"e.17"`, `"(root)"`) with a short reason that never quotes the input
 */
export function parsePost(
  json: unknown,
  options: ParsePostOptions,
): ParsePostResult {
  let post: WindowPost;
  if (isWindowPost(json)) post = json;
  else {
    const parsed = POST_SCHEMA.safeParse(json);
    if (!parsed.success) return firstIssue(parsed.error);
    post = parsed.data;
  }
  const decoded = decodeEvents(post.e, post.t0);
  if (!decoded.ok) return decoded;
  const events = decoded.events;
  if (events.length > MAX_WINDOW_EVENTS) {
    return { ok: false, field: "e", reason: "too many events" };
  }
  const problem = implausible(events, post);
  if (problem !== null) return { ok: false, ...problem };
  const features = extractFeatures(events, { windowMs: options.windowMs });
  return { ok: true, value: post, events, features };
}

/** The first structural impossibility of a decoded window, or null. */
function implausible(
  events: readonly WindowEvent[],
  post: WindowPost,
): { field: string; reason: string } | null {
  const last = events.at(-1);
  if (last !== undefined && last.t > post.t1 + 1) {
    return { field: "t1", reason: "events after the window's end" };
  }
  const free = buttonsFree(events);
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.kind !== "move" && e.kind !== "down") continue;
    const inside = e.x! >= -2 && e.x! <= post.vw + 2 && e.y! >= -2 &&
      e.y! <= post.vh + 2;
    if (!inside && (e.kind === "down" || free[i])) {
      return { field: "e", reason: "pointer outside the viewport" };
    }
  }
  return null;
}

/**
 * Whether no button is held at each event: after an `up`, or before the window's first button
 * event unless that is an `up` (a drag that began in an earlier window ends here). A drag that
 * spans a whole window outside the page with no button event in it is refused as if free: one
 * lost window, rarer than the free-floating pointer it stops.
 */
function buttonsFree(events: readonly WindowEvent[]): boolean[] {
  const free = new Array<boolean>(events.length).fill(false);
  let next: "down" | "up" | null = null;
  for (let i = events.length - 1; i >= 0; i--) {
    const kind = events[i].kind;
    if (kind === "down" || kind === "up") next = kind;
    else free[i] = next !== "up";
  }
  let state: "held" | "free" | "unknown" = "unknown";
  for (let i = 0; i < events.length; i++) {
    const kind = events[i].kind;
    if (kind === "down") state = "held";
    else if (kind === "up") state = "free";
    else if (state !== "unknown") free[i] = state === "free";
  }
  return free;
}
