import { strict as assert } from "node:assert";
import fc from "fast-check";
import {
  canonicalPath,
  createExcluded,
  isAmbiguousPrefix,
  keyUnder,
} from "./path.ts";

Deno.test("canonicalPath() forwards what a URL parser sends and keys the lenient reading", async (t) => {
  const cases: Array<[string, string, string]> = [
    ["/a/b?x=1", "/a/b?x=1", "/a/b"],
    ["/A/B", "/A/B", "/a/b"],
    ["/./__guard/healthz", "/__guard/healthz", "/__guard/healthz"],
    ["/x/../__guard/healthz", "/__guard/healthz", "/__guard/healthz"],
    ["/%2e/%2E%2e/a", "/a", "/a"],
    ["//static/page", "//static/page", "/static/page"],
    ["/static%2fpage", "/static%2fpage", "/static/page"],
    ["/static%252Fpage", "/static%252Fpage", "/static/page"],
    ["/a\\b", "/a/b", "/a/b"],
    ["/__guard;x=1/c", "/__guard;x=1/c", "/__guard/c"],
    ["/__guard./c", "/__guard./c", "/__guard/c"],
    ["/%5F%5Fguard/c", "/%5F%5Fguard/c", "/__guard/c"],
    ["/é?q=ü", "/%C3%A9?q=%C3%BC", "/é"],
    ["/a/..;/b", "/a/..;/b", "/b"],
    ["/", "/", "/"],
    ["/.well-known/x", "/.well-known/x", "/.well-known/x"],
  ];
  for (const [target, forward, key] of cases) {
    await t.step(target, () => {
      const path = canonicalPath(target);
      assert.deepEqual([path.forward, path.key], [forward, key]);
    });
  }
});

Deno.test("isAmbiguousPrefix() refuses every spelling of the prefix but the exact one", async (t) => {
  const cases: Array<[string, boolean]> = [
    ["/__guard/healthz", false],
    ["/__guard", false],
    ["/__guard/c.abc.js?v=1", false],
    ["/__guardian/x", false],
    ["/other/__guard/x", false],
    ["/./__guard/healthz", true],
    ["/x/../__guard/healthz", true],
    ["//__guard/healthz", true],
    ["/__guard//healthz", true],
    ["/__GUARD/healthz", true],
    ["/%2F__guard/healthz", true],
    ["/%5f_guard/healthz", true],
    ["/__guard;/healthz", true],
    ["/__guard;a=b", true],
    ["/__guard/../x", true],
    ["/__guard/./healthz", true],
    ["/__guard\\healthz", true],
    ["/__guard./healthz", true],
  ];
  for (const [target, ambiguous] of cases) {
    await t.step(target, () => {
      assert.equal(
        isAmbiguousPrefix(canonicalPath(target), "/__guard"),
        ambiguous,
      );
    });
  }
});

Deno.test("createExcluded() matches every spelling of an excluded prefix", () => {
  const excluded = createExcluded(["/static", "/API/"]);
  const yes = [
    "/static",
    "/static/a",
    "/STATIC/a",
    "//static/a",
    "/static%2fa",
    "/x/../static/a",
    "/static;v=1/a",
    "/api/x",
    "/Api",
  ];
  const no = ["/staticky", "/", "/a/static", "/apix"];
  assert.deepEqual(
    yes.map((p) => excluded(canonicalPath(p))),
    yes.map(() => true),
  );
  assert.deepEqual(
    no.map((p) => excluded(canonicalPath(p))),
    no.map(() => false),
  );
});

/** Segments an attacker would try: prefix spellings, dots, encodings, parameters, separators. */
const SEGMENTS = [
  "__guard",
  "__GUARD",
  "__Guard",
  "%5F%5Fguard",
  "__guar%64",
  "__guard;",
  "__guard;x=1",
  "__guard.",
  "static",
  "STATIC",
  "stat%69c",
  ".",
  "..",
  "%2e",
  "%2E%2e",
  ".%2e",
  "",
  "a",
  "b%2F__guard",
  "%2F",
  "%252F",
  "\\",
  "x;y",
  "é",
  "%00",
  "c.test.js",
  "healthz",
];

const target = fc.array(fc.constantFrom(...SEGMENTS), {
  minLength: 1,
  maxLength: 7,
})
  .chain((parts) =>
    fc.constantFrom("", "\\", "/").map((sep) =>
      "/" + parts.join("/") + (sep === "/" ? "/" : sep === "\\" ? "\\x" : "")
    )
  );

Deno.test("canonicalPath() property: nothing that is not refused reaches the upstream as the prefix", () => {
  fc.assert(
    fc.property(target, (raw) => {
      const path = canonicalPath(raw);
      if (isAmbiguousPrefix(path, "/__guard")) return;
      const guardRoute = raw === "/__guard" || raw.startsWith("/__guard/");
      if (guardRoute) return;
      // Forwarded: no reading of what the upstream gets may name the prefix.
      const again = canonicalPath(path.forward);
      assert.equal(keyUnder(again.key, "/__guard"), false, raw);
      assert.equal(keyUnder(path.key, "/__guard"), false, raw);
      assert.equal(again.key, path.key, raw);
    }),
    { numRuns: 5000 },
  );
});

Deno.test("canonicalPath() property: the key of what is forwarded is the key decided on", () => {
  fc.assert(
    fc.property(target, fc.constantFrom("", "?a=1", "?x=%2F&y=é"), (raw, q) => {
      const path = canonicalPath(raw + q);
      assert.equal(canonicalPath(path.forward).key, path.key);
      assert.equal(canonicalPath(path.forward).forward, path.forward);
    }),
    { numRuns: 5000 },
  );
});
