import assert from "node:assert/strict";
import fc from "fast-check";
import { encodeEvents } from "./codec.ts";
import { extractFeatures, type WindowEvent } from "./features.ts";
import { parsePost } from "./post.ts";

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
