import assert from "node:assert/strict";
import fc from "fast-check";
import { encodeEvents } from "./codec.ts";
import { extractFeatures, type WindowEvent } from "./features.ts";
import {
  isWindowPost,
  MAX_WINDOW_EVENTS,
  MAX_WINDOW_SPAN_MS,
  parsePost,
  POST_SCHEMA,
} from "./post.ts";

const T0 = 1_700_000_000_000;
const EVENTS: WindowEvent[] = [
  { t: T0, kind: "meta", webdriver: false },
  { t: T0 + 1, kind: "move", x: 10, y: 20 },
  { t: T0 + 2, kind: "down", x: 10, y: 20, button: 0 },
  { t: T0 + 3, kind: "up", x: 10, y: 20, button: 0, trusted: false },
  { t: T0 + 4, kind: "wheel", dx: 0, dy: 120 },
  { t: T0 + 5, kind: "scroll", dx: 0, dy: 120 },
  { t: T0 + 6, kind: "keydown", key: "char", id: 0 },
  { t: T0 + 7, kind: "keyup", key: "char", id: 0 },
  { t: T0 + 8, kind: "visibility", visible: false },
];

function validPost(): Record<string, unknown> {
  return {
    v: 2,
    seq: 7,
    page: "p",
    t0: T0,
    t1: T0 + 5000,
    vw: 800,
    vh: 600,
    e: encodeEvents(EVENTS, T0),
  };
}

Deno.test("parsePost() decodes the events and computes the features itself", () => {
  const result = parsePost(validPost(), { windowMs: 5000 });
  assert.ok(result.ok);
  assert.deepEqual(result.events, EVENTS);
  assert.deepEqual(
    result.features,
    extractFeatures(EVENTS, { windowMs: 5000 }),
  );
  assert.equal(result.features.click_count, 1);
  assert.equal(result.features.untrusted_share, 1 / 8);
});

Deno.test("parsePost() names the first bad field", async (t) => {
  const cases: [
    string,
    (p: Record<string, unknown>) => void,
    string,
    string,
  ][] = [
    ["unknown top key", (p) => p.features = {}, "(root)", "unknown key"],
    ["format v1", (p) => p.v = 1, "v", "Invalid input: expected 2"],
    [
      "negative seq",
      (p) => p.seq = -1,
      "seq",
      "Too small: expected number to be >=0",
    ],
    ["t1 before t0", (p) => p.t1 = T0 - 1, "t1", "must be >= t0"],
    [
      "an hour-long window",
      (p) => p.t1 = T0 + 3_600_001,
      "t1",
      "window longer than an hour",
    ],
    [
      "zero viewport",
      (p) => p.vw = 0,
      "vw",
      "Too small: expected number to be >=1",
    ],
    [
      "event after t1",
      (p) => p.t1 = T0 + 6,
      "t1",
      "events after the window's end",
    ],
    [
      "key value smuggled as a code",
      (p) => (p.e as unknown[])[27] = "a",
      "e.27",
      "must be an integer within ±1e8",
    ],
    [
      "too many codes",
      (p) => p.e = new Array(5501).fill(9),
      "e",
      "Too big: expected array to have <=5500 items",
    ],
    [
      "too many events",
      (p) => p.e = [8, 0, 0, ...new Array(1100).fill([9, 0]).flat()],
      "e",
      "too many events",
    ],
  ];
  for (const [name, mutate, field, reason] of cases) {
    await t.step(name, () => {
      const post = validPost();
      mutate(post);
      assert.deepEqual(parsePost(post, { windowMs: 5000 }), {
        ok: false,
        field,
        reason,
      });
    });
  }
});

Deno.test("parsePost() rejects 1,000 posts with one junk field and never throws (property)", () => {
  // `page` is any short string here: whether it is a token of ours is the ingest route's check.
  const keys = ["v", "seq", "t0", "t1", "vw", "vh", "e"];
  const junk = fc.oneof(
    fc.constant(null),
    fc.constant(NaN),
    fc.string({ maxLength: 4 }).map((s) => `~${s}`),
    fc.double({ min: 1e14, max: 1e300 }),
    fc.object({ maxDepth: 1 }),
  );
  fc.assert(
    fc.property(fc.constantFrom(...keys), junk, (key, value) => {
      const post = validPost();
      post[key] = value;
      assert.equal(parsePost(post, { windowMs: 5000 }).ok, false);
    }),
    { numRuns: 1000 },
  );
});

Deno.test("isWindowPost() accepts exactly what POST_SCHEMA accepts (property, 20,000 posts near every bound)", () => {
  // Each field: valid values, its bounds and one step past them, and other types.
  const number = (lo: number, hi: number) =>
    fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: lo, max: Math.min(hi, 2e9) }) },
      {
        weight: 2,
        arbitrary: fc.constantFrom(lo, hi, lo - 1, hi + 1, hi + 0.5, -0, 0.5),
      },
      { weight: 1, arbitrary: fc.double({ min: lo - 2, max: hi + 2 }) },
    );
  const other = fc.oneof(
    fc.constantFrom(null, undefined, NaN, Infinity, -Infinity, true, "2", []),
    fc.string({ maxLength: 3 }),
    fc.object({ maxDepth: 0 }),
  );
  const field = (valid: fc.Arbitrary<unknown>) =>
    fc.oneof({ weight: 30, arbitrary: valid }, { weight: 1, arbitrary: other });
  const time = number(0, 1e13);
  const post = fc.record({
    v: field(fc.constantFrom(2, 2, 2, 2, 2, 1, 2.5)),
    seq: field(number(0, 1e9)),
    page: field(
      fc.oneof(
        fc.string({ minLength: 0, maxLength: 3 }),
        fc.constantFrom("x".repeat(200), "x".repeat(201), "p"),
      ),
    ),
    t0: field(time),
    t1: field(time),
    vw: field(number(1, 100_000)),
    vh: field(number(1, 100_000)),
    e: field(
      fc.oneof(
        { weight: 50, arbitrary: fc.array(fc.integer(), { maxLength: 4 }) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            MAX_WINDOW_EVENTS * 5,
            MAX_WINDOW_EVENTS * 5 + 1,
          ).map((n) => Array(n).fill(0)),
        },
      ),
    ),
  });
  // Windows that are often in order and near the longest span, keys added and missing.
  const shaped = fc.tuple(
    post,
    fc.constantFrom(
      null,
      0,
      1,
      MAX_WINDOW_SPAN_MS,
      MAX_WINDOW_SPAN_MS + 1,
      -1,
    ),
    fc.constantFrom(null, null, null, null, "extra", "__proto__", "toString"),
    fc.constantFrom(null, null, null, null, null, "v", "e", "page"),
  ).map(([p, span, extra, missing]) => {
    const out: Record<string, unknown> = { ...p };
    if (missing !== null) delete out[missing];
    if (span !== null && typeof out.t0 === "number") {
      out.t1 = out.t0 + span;
    }
    if (extra !== null) {
      Object.defineProperty(out, extra, { value: 1, enumerable: true });
    }
    return out;
  });
  let accepted = 0;
  fc.assert(
    fc.property(
      fc.oneof(shaped, shaped.map((p) => JSON.parse(JSON.stringify(p)))),
      (p) => {
        const zod = POST_SCHEMA.safeParse(p).success;
        assert.equal(isWindowPost(p), zod);
        if (zod) accepted++;
      },
    ),
    { numRuns: 20_000, seed: 18 },
  );
  // Both sides of the contract were exercised.
  assert.ok(accepted > 500 && accepted < 19_000, `${accepted} accepted`);
});
