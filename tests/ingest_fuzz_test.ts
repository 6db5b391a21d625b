import assert from "node:assert/strict";
import fc from "fast-check";
import { FEATURE_NAMES } from "../collector/mod.ts";
import { post, startIngest, validPost } from "./ingest_helpers.ts";

const ROOT_KEYS = ["v", "seq", "t0", "t1", "n", "features"] as const;
const notNumber = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.boolean(),
  fc.constant({}),
  fc.array(fc.integer(), { maxLength: 3 }),
);
const hugeNumber = fc.oneof(
  fc.double({ min: 1.0000001e15, max: 1e300, noNaN: true }),
  fc.double({ min: -1e300, max: -1.0000001e15, noNaN: true }),
);
const feature = fc.constantFrom(...FEATURE_NAMES);
const unknownKey = fc.string({ minLength: 1, maxLength: 12 }).filter((k) =>
  !(ROOT_KEYS as readonly string[]).includes(k) && k !== "raw" &&
  !(FEATURE_NAMES as readonly string[]).includes(k) && k !== "__proto__"
);

type Post = ReturnType<typeof validPost> & Record<string, unknown>;
type Mutation = (p: Post) => unknown;

/** Each mutation of a valid post is invalid by construction. */
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(feature, fc.oneof(notNumber, hugeNumber)).map(
    ([f, v]) => (p: Post) => {
      (p.features as Record<string, unknown>)[f] = v;
      return p;
    },
  ),
  feature.map((f) => (p: Post) => {
    delete (p.features as Record<string, unknown>)[f];
    return p;
  }),
  fc.constantFrom(...ROOT_KEYS).map((k) => (p: Post) => {
    delete p[k];
    return p;
  }),
  fc.tuple(unknownKey, fc.jsonValue()).map(([k, v]) => (p: Post) => ({
    ...p,
    [k]: v,
  })),
  fc.tuple(unknownKey, fc.double()).map(([k, v]) => (p: Post) => {
    (p.features as Record<string, unknown>)[k] = v;
    return p;
  }),
  fc.integer().filter((v) => v !== 1).map((v) => (p: Post) => ({ ...p, v })),
  fc.oneof(
    fc.integer({ max: -1 }),
    fc.double({ min: 0.01, max: 0.99 }),
    fc.integer({ min: 1e9 + 1 }),
  )
    .map((seq) => (p: Post) => ({ ...p, seq })),
  fc.integer({ min: 100_001 }).map((n) => (p: Post) => ({ ...p, n })),
  fc.double({ min: 0, max: 4999, noNaN: true }).map((t1) => (p: Post) => ({
    ...p,
    t1,
  })),
  fc.array(fc.jsonValue(), { minLength: 1, maxLength: 3 }).map(
    (raw) => (p: Post) => ({
      ...p,
      raw: [...raw, { t: 1, kind: "keydown", key: "a", id: 1 }],
    }),
  ),
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
          const json = res.json as { error: string; field: string };
          assert.deepEqual(Object.keys(json), ["error", "field"]);
          assert.equal(json.error, "invalid");
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
