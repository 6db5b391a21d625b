import assert from "node:assert/strict";
import fc from "fast-check";
import { post, startIngest, validPost } from "./ingest_helpers.ts";

const ROOT_KEYS = ["v", "seq", "page", "t0", "t1", "vw", "vh", "e"] as const;
const notInteger = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.boolean(),
  fc.constant({}),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.double({ min: 0.01, max: 0.99 }),
  fc.double({ min: 1.0000001e8, max: 1e300, noNaN: true }),
);
const unknownKey = fc.string({ minLength: 1, maxLength: 12 }).filter((k) =>
  !(ROOT_KEYS as readonly string[]).includes(k) && k !== "__proto__"
);

type Post = ReturnType<typeof validPost> & Record<string, unknown>;
type Mutation = (p: Post) => unknown;

/** Each mutation of a valid post (format v2) is invalid by construction. */
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // Any integer of the event array replaced by junk.
  fc.tuple(fc.nat(46), notInteger).map(([i, v]) => (p: Post) => {
    (p.e as unknown[])[i] = v;
    return p;
  }),
  // A dt (second integer of an event: the meta's, or a move's) made negative.
  fc.tuple(fc.nat(11), fc.integer({ min: -1e6, max: -1 })).map(
    ([k, dt]) => (p: Post) => {
      (p.e as number[])[k === 0 ? 1 : 3 + 4 * (k - 1) + 1] = dt;
      return p;
    },
  ),
  // Truncated: the last move loses 1 to 3 of its integers.
  fc.integer({ min: 1, max: 3 }).map((n) => (p: Post) => ({
    ...p,
    e: p.e.slice(0, -n),
  })),
  fc.constantFrom(...ROOT_KEYS).map((k) => (p: Post) => {
    delete p[k];
    return p;
  }),
  fc.tuple(unknownKey, fc.jsonValue()).map(([k, v]) => (p: Post) => ({
    ...p,
    [k]: v,
  })),
  fc.integer().filter((v) => v !== 2).map((v) => (p: Post) => ({ ...p, v })),
  fc.oneof(
    fc.integer({ max: -1 }),
    fc.double({ min: 0.01, max: 0.99 }),
    fc.integer({ min: 1e9 + 1 }),
  )
    .map((seq) => (p: Post) => ({ ...p, seq })),
  fc.tuple(fc.constantFrom("vw", "vh"), fc.integer({ max: 0 })).map(
    ([k, v]) => (p: Post) => ({ ...p, [k]: v }),
  ),
  fc.double({ min: 0, max: 4999, noNaN: true }).map((t1) => (p: Post) => ({
    ...p,
    t1,
  })),
  fc.jsonValue().filter((v) =>
    typeof v !== "object" || v === null || Array.isArray(v)
  )
    .map((v) => () => v),
);

Deno.test("createIngestRoute() rejects 1,200 fuzzed bad posts over HTTP and stores nothing", async () => {
  const rig = await startIngest("pglite");
  const statuses = new Map<number, number>();
  try {
    await fc.assert(
      fc.asyncProperty(
        mutation,
        fc.integer({ min: 1, max: 1000 }),
        async (mutate, seq) => {
          const body = mutate(validPost(seq) as Post);
          const res = await post(rig.url, "sess-fuzz-000000000000", body);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          assert.equal(res.status, 400);
          const json = res.json as {
            error: string;
            field: string;
            reason: string;
          };
          assert.deepEqual(Object.keys(json), ["error", "field", "reason"]);
          assert.equal(json.error, "invalid");
          // The reason is the guard's own short text, never the input.
          assert.ok(json.reason.length > 0 && json.reason.length < 80);
          assert.match(
            json.field,
            /^(\(root\)|body|[a-z0-9_]+(\.[a-z0-9_]+)*)$/,
          );
        },
      ),
      { numRuns: 1200, seed: 4242 },
    );
    // Raw bytes that are not JSON at all.
    for (const raw of ["", "\u0000", "{", "[1,", "\uFFFF{}", "nul"]) {
      const res = await post(rig.url, "sess-fuzz-000000000000", null, { raw });
      assert.deepEqual([res.status, res.json], [400, {
        error: "invalid",
        field: "body",
      }]);
    }
    await rig.buffer.flush();
    assert.deepEqual([...statuses.keys()], [400]);
    assert.equal(rig.buffer.stats().written, 0);
    assert.equal(await rig.count("feature_windows"), 0);
    assert.equal(await rig.count("raw_events"), 0);
  } finally {
    await rig.close();
  }
});
