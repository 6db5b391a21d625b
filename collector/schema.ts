/**
 * The raw event contract, as a strict zod schema: one line of a JSON Lines recording (the ingest
 * post is in post.ts). Unknown keys are rejected and every number is finite and bounded. Server
 * and CLI side only: the browser bundle never imports zod.
 *
 * Bounds (generous, but they stop absurd values before storage):
 * - times `t`: 0..1e13 ms (epoch ms up to the year 2286, or session-relative ms);
 * - coordinates `x`, `y`: ±1e6 CSS px; wheel/scroll deltas `dx`, `dy`: ±1e7 px;
 * - `button` 0..4; key pairing `id`: integer 0..1e9; `session`: 1..128 characters.
 *
 * @module
 */
import { z } from "zod";

const time = z.number().min(0).max(1e13);
const coord = z.number().min(-1e6).max(1e6);
const delta = z.number().min(-1e7).max(1e7);
const base = { t: time, trusted: z.boolean().optional() };
const pointerType = { pointer: z.enum(["touch", "pen"]).optional() };
const pointer = (kind: "down" | "up") =>
  z.strictObject({
    ...base,
    ...pointerType,
    kind: z.literal(kind),
    x: coord.optional(),
    y: coord.optional(),
    button: z.int().min(0).max(4),
  });
const scrolling = (kind: "wheel" | "scroll") =>
  z.strictObject({ ...base, kind: z.literal(kind), dx: delta, dy: delta });
// A key event carries its coarse class and a pairing id: there is deliberately no field for the key.
const key = (kind: "keydown" | "keyup") =>
  z.strictObject({
    ...base,
    kind: z.literal(kind),
    key: z.enum(["char", "backspace", "other"]),
    id: z.int().min(0).max(1e9),
  });

const RAW_VARIANTS = [
  z.strictObject({
    ...base,
    ...pointerType,
    kind: z.literal("move"),
    x: coord,
    y: coord,
  }),
  pointer("down"),
  pointer("up"),
  scrolling("wheel"),
  scrolling("scroll"),
  key("keydown"),
  key("keyup"),
  z.strictObject({
    ...base,
    kind: z.literal("visibility"),
    visible: z.boolean(),
  }),
  z.strictObject({ ...base, kind: z.literal("meta"), webdriver: z.boolean() }),
  z.strictObject({ ...base, kind: z.literal("focus") }),
] as const;

/** One raw event without `session` (a stored window's events, a recording's line minus session). */
export const RAW_LITE_SCHEMA = z.discriminatedUnion("kind", [...RAW_VARIANTS]);

/** One raw event as one JSON Lines line (see collector/README.md, "Raw event format"). */
export const RAW_EVENT_SCHEMA = z.discriminatedUnion(
  "kind",
  RAW_VARIANTS.map((v) =>
    v.extend({ session: z.string().min(1).max(128) })
  ) as unknown as [
    typeof RAW_VARIANTS[number],
    ...typeof RAW_VARIANTS[number][],
  ],
);

/** A validated raw event without session. */
export type RawLiteEvent = z.infer<typeof RAW_LITE_SCHEMA>;

/** The dotted path and message of a zod error's first issue. */
export function firstIssue(
  error: z.ZodError,
): { ok: false; field: string; reason: string } {
  const issue = error.issues[0];
  const field = issue.path.map(String).join(".") || "(root)";
  // zod quotes unknown key names in its message: that would echo hostile input back.
  const reason = issue.code === "unrecognized_keys"
    ? "unknown key"
    : issue.message;
  return { ok: false, field, reason };
}
