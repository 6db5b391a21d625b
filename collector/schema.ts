/**
 * The wire contracts, as strict zod schemas: one ingest post (one feature window) and one raw event
 * (one line of a JSON Lines recording). Unknown keys are rejected and every number is finite and
 * bounded. Server and CLI side only: the browser bundle never imports zod.
 *
 * Bounds (generous, but they stop absurd values before storage):
 * - times `t`, `t0`, `t1`: 0..1e13 ms (epoch ms up to the year 2286, or session-relative ms);
 * - coordinates `x`, `y`: ±1e6 CSS px; wheel/scroll deltas `dx`, `dy`: ±1e7 px;
 * - `button` 0..4; key pairing `id` and `seq`: integers 0..1e9; `n` (events in the window) 0..1e5;
 * - each feature: ±FEATURE_LIMIT (1e15) or null (= NaN, a missing modality);
 * - `raw`: at most 2000 events; `session`: 1..128 characters.
 *
 * @module
 */
import { z } from "zod";
import {
  FEATURE_LIMIT,
  FEATURE_NAMES,
  type FeatureName,
  type FeatureVector,
} from "./features.ts";

const time = z.number().min(0).max(1e13);
const coord = z.number().min(-1e6).max(1e6);
const delta = z.number().min(-1e7).max(1e7);
const base = { t: time, trusted: z.boolean().optional() };
const pointer = (kind: "down" | "up") =>
  z.strictObject({
    ...base,
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
  z.strictObject({ ...base, kind: z.literal("move"), x: coord, y: coord }),
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
] as const;

/** One raw event inside a post: a RawEvent without `session` (the server knows the session). */
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

const featureShape = Object.fromEntries(
  FEATURE_NAMES.map((name) => [
    name,
    z.number().min(-FEATURE_LIMIT).max(FEATURE_LIMIT).nullable(),
  ]),
) as Record<FeatureName, z.ZodNullable<z.ZodNumber>>;

/** One ingest post: the features of one window, optionally with its raw events. */
export const POST_SCHEMA = z.strictObject({
  v: z.literal(1),
  seq: z.int().min(0).max(1e9),
  t0: time,
  t1: time,
  n: z.int().min(0).max(100_000),
  features: z.strictObject(featureShape),
  raw: z.array(RAW_LITE_SCHEMA).max(2000).optional(),
}).refine((p) => p.t1 >= p.t0, { path: ["t1"], message: "must be >= t0" });

/** A validated ingest post. */
export type WindowPost = z.infer<typeof POST_SCHEMA>;

/** A validated raw event without session, as carried in {@link WindowPost}.raw. */
export type RawLiteEvent = z.infer<typeof RAW_LITE_SCHEMA>;

/** Result of {@link parsePost}: the post and its features (null → NaN), or the first bad field. */
export type ParsePostResult =
  | { ok: true; value: WindowPost; features: FeatureVector }
  | { ok: false; field: string; reason: string };

/**
 * Validates one ingest post (already JSON-parsed). Never throws.
 *
 * @returns the post with its features as a {@link FeatureVector}, or the dotted path of the first
 * problem (`"features.speed_mean"`, `"raw.3.x"`, `"(root)"`) with zod's short reason
 */
export function parsePost(json: unknown): ParsePostResult {
  const parsed = POST_SCHEMA.safeParse(json);
  if (!parsed.success) return firstIssue(parsed.error);
  const features = {} as FeatureVector;
  for (const name of FEATURE_NAMES) {
    features[name] = parsed.data.features[name] ?? NaN;
  }
  return { ok: true, value: parsed.data, features };
}

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
