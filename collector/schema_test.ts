import assert from "node:assert/strict";
import fc from "fast-check";
import { extractFeatures, FEATURE_NAMES, type RawEvent } from "./features.ts";
import { parsePost, RAW_EVENT_SCHEMA } from "./schema.ts";

const RAW = [
  { t: 1000, kind: "meta", webdriver: false },
  { t: 1001, kind: "move", x: 10, y: 20 },
  { t: 1002, kind: "down", x: 10, y: 20, button: 0 },
  { t: 1003, kind: "up", x: 10, y: 20, button: 0, trusted: false },
  { t: 1004, kind: "wheel", dx: 0, dy: 120 },
  { t: 1005, kind: "scroll", dx: 0, dy: 120 },
  { t: 1006, kind: "keydown", key: "char", id: 0 },
  { t: 1007, kind: "keyup", key: "char", id: 0 },
  { t: 1008, kind: "visibility", visible: false },
];

/** A valid post, as the browser would send it (NaN becomes null through JSON). */
function validPost(): Record<string, unknown> {
  const features = extractFeatures(
    RAW.map((e) => ({ session: "s", ...e }) as RawEvent),
  );
  return JSON.parse(JSON.stringify({
    v: 1,
    seq: 7,
    t0: 1000,
    t1: 6000,
    n: RAW.length,
    features,
    raw: RAW,
  }));
}

Deno.test("parsePost() accepts a browser-shaped post and maps null to NaN", () => {
  const result = parsePost(validPost());
  assert.ok(result.ok);
  assert.equal(result.value.seq, 7);
  assert.equal(result.features.click_count, 1);
  assert.ok(Number.isNaN(result.features.speed_mean));
  assert.equal(result.features.untrusted_share, 1 / 8);
  assert.equal(result.value.raw?.length, RAW.length);
});

Deno.test("parsePost() names the first bad field", async (t) => {
  const cases: [
    string,
    (p: Record<string, unknown>) => void,
    string,
    string?,
  ][] = [
    ["unknown top key", (p) => p.extra = 1, "(root)", "unknown key"],
    [
      "missing feature",
      (p) => delete (p.features as Record<string, unknown>).jerk_mean,
      "features.jerk_mean",
    ],
    [
      "extra feature",
      (p) => (p.features as Record<string, unknown>).mouse_x = 1,
      "features",
      "unknown key",
    ],
    [
      "string feature",
      (p) => (p.features as Record<string, unknown>).speed_mean = "1",
      "features.speed_mean",
    ],
    [
      "huge feature",
      (p) => (p.features as Record<string, unknown>).accel_std = 1e16,
      "features.accel_std",
    ],
    ["negative seq", (p) => p.seq = -1, "seq"],
    ["fractional seq", (p) => p.seq = 1.5, "seq"],
    ["wrong version", (p) => p.v = 2, "v"],
    ["t1 before t0", (p) => p.t1 = 999, "t1", "must be >= t0"],
    [
      "key value smuggled",
      (p) => (p.raw as Record<string, unknown>[])[6].value = "a",
      "raw.6",
      "unknown key",
    ],
    [
      "key class not in enum",
      (p) => (p.raw as Record<string, unknown>[])[6].key = "a",
      "raw.6.key",
    ],
    [
      "move without y",
      (p) => delete (p.raw as Record<string, unknown>[])[1].y,
      "raw.1.y",
    ],
    [
      "unknown kind",
      (p) => (p.raw as Record<string, unknown>[])[1].kind = "click",
      "raw.1.kind",
    ],
    [
      "too many raw",
      (p) => p.raw = Array.from({ length: 2001 }, () => RAW[1]),
      "raw",
    ],
  ];
  for (const [name, mutate, field, reason] of cases) {
    await t.step(name, () => {
      const post = validPost();
      mutate(post);
      const result = parsePost(post);
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.field, field);
      if (reason) assert.equal(result.reason, reason);
    });
  }
  assert.deepEqual(parsePost(null), {
    ok: false,
    field: "(root)",
    reason: "Invalid input: expected object, received null",
  });
});

const junk = fc.oneof(
  fc.constant(NaN),
  fc.constant(Infinity),
  fc.constant(-Infinity),
  fc.constant(undefined),
  fc.constant(null),
  // "~" keeps a string from ever being a valid kind or key class.
  fc.string({ maxLength: 5 }).map((s) => `~${s}`),
  fc.double({ min: 1e16, max: 1e300, noNaN: true }),
  fc.double({ min: -1e300, max: -1e16, noNaN: true }),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.object({ maxDepth: 1 }),
);
const TOP = ["v", "seq", "t0", "t1", "n", "features", "raw"];
const RAW_KEYS = [
  "t",
  "kind",
  "x",
  "y",
  "button",
  "dx",
  "dy",
  "key",
  "id",
  "visible",
  "webdriver",
];

/** One guaranteed-invalid change to a valid post. */
const badPost = fc.oneof(
  fc.record({
    name: fc.constantFrom(...FEATURE_NAMES, "seq", "t0", "n"),
    value: fc.boolean(),
  })
    .map(({ name, value }) => {
      const p = validPost();
      if (name in p) p[name] = value;
      else (p.features as Record<string, unknown>)[name] = value;
      return p;
    }),
  fc.record({ key: fc.constantFrom(...TOP), value: junk }).map(
    ({ key, value }) => {
      const p = validPost();
      p[key] = key === "raw" && Array.isArray(value) ? [value] : value;
      return key === "raw" && value === undefined ? { ...p, seq: -1 } : p;
    },
  ),
  fc.record({ name: fc.constantFrom(...FEATURE_NAMES), value: junk }).map(
    ({ name, value }) => {
      const p = validPost();
      const f = p.features as Record<string, unknown>;
      if (value === null) delete f[name];
      else f[name] = value;
      return p;
    },
  ),
  fc.record({
    i: fc.nat(RAW.length - 1),
    key: fc.constantFrom(...RAW_KEYS),
    value: junk,
  })
    .map(({ i, key, value }) => {
      const p = validPost();
      const e = (p.raw as Record<string, unknown>[])[i];
      e[key] = value === undefined ? "x" : value;
      return p;
    }),
  fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !TOP.includes(k)).map(
    (k) => ({
      ...validPost(),
      [k]: 1,
    }),
  ),
  fc.oneof(junk, fc.array(junk)),
);

Deno.test("parsePost() rejects 1,500 fuzzed bad posts (property)", () => {
  let rejected = 0;
  fc.assert(
    fc.property(badPost, (post) => {
      const result = parsePost(post);
      assert.equal(result.ok, false, JSON.stringify(post)?.slice(0, 300));
      rejected++;
    }),
    { numRuns: 1500 },
  );
  assert.equal(rejected, 1500);
});

Deno.test("RAW_EVENT_SCHEMA requires a session and rejects key values", () => {
  assert.ok(RAW_EVENT_SCHEMA.safeParse({ session: "a", ...RAW[1] }).success);
  assert.equal(
    RAW_EVENT_SCHEMA.safeParse(RAW[1]).error?.issues[0].path.join("."),
    "session",
  );
  const keyed = { session: "a", ...RAW[6], code: "KeyA" };
  assert.equal(
    RAW_EVENT_SCHEMA.safeParse(keyed).error?.issues[0].code,
    "unrecognized_keys",
  );
});

const arbRawLite = fc.oneof(
  fc.record({
    t: fc.double({ min: 0, max: 1e13, noNaN: true }),
    kind: fc.constant("move"),
    x: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    y: fc.integer({ min: -1e6, max: 1e6 }),
  }),
  fc.record({
    t: fc.integer({ min: 0, max: 1e5 }),
    kind: fc.constantFrom("down", "up"),
    x: fc.integer({ min: 0, max: 4000 }),
    y: fc.integer({ min: 0, max: 4000 }),
    button: fc.integer({ min: 0, max: 4 }),
  }),
  fc.record({
    t: fc.integer({ min: 0, max: 1e5 }),
    kind: fc.constantFrom("wheel", "scroll"),
    dx: fc.double({ min: -1e7, max: 1e7, noNaN: true }),
    dy: fc.double({ min: -1e7, max: 1e7, noNaN: true }),
  }),
  fc.record({
    t: fc.integer({ min: 0, max: 1e5 }),
    kind: fc.constantFrom("keydown", "keyup"),
    key: fc.constantFrom("char", "backspace", "other"),
    id: fc.integer({ min: 0, max: 5 }),
    trusted: fc.boolean(),
  }),
  fc.record({
    t: fc.integer({ min: 0, max: 1e5 }),
    kind: fc.constant("meta"),
    webdriver: fc.boolean(),
  }),
);

Deno.test("parsePost() accepts the post of any valid raw events, as the browser builds it (property)", () => {
  fc.assert(
    fc.property(fc.array(arbRawLite, { maxLength: 80 }), (raw) => {
      const features = extractFeatures(raw as Omit<RawEvent, "session">[], {
        windowMs: 5000,
      });
      const body = JSON.stringify({
        v: 1,
        seq: 0,
        t0: 0,
        t1: 1e13,
        n: raw.length,
        features,
        raw,
      });
      const result = parsePost(JSON.parse(body));
      assert.ok(
        result.ok,
        result.ok ? "" : `${result.field}: ${result.reason}`,
      );
      assert.deepEqual(
        result.features,
        extractFeatures(raw as Omit<RawEvent, "session">[], { windowMs: 5000 }),
      );
    }),
    { numRuns: 300 },
  );
});
