import { strict as assert } from "node:assert";
import { widenCsp } from "./csp.ts";

const CASES: Array<[string, string, string, string | null]> = [
  ["already allows self", "default-src 'self'", "default-src 'self'", null],
  [
    "wildcard allows",
    "script-src *; connect-src *",
    "script-src *; connect-src *",
    null,
  ],
  ["no script or default directive", "img-src 'none'", "img-src 'none'", null],
  [
    "script-src without self, connect via default",
    "default-src 'self'; script-src https://cdn.example",
    "default-src 'self'; script-src https://cdn.example 'nonce-N1'",
    "N1",
  ],
  [
    "default-src 'none' gets copies, not a wider default",
    "default-src 'none'",
    "default-src 'none'; script-src 'nonce-N1'; connect-src 'self'",
    "N1",
  ],
  [
    "script-src-elem governs elements",
    "script-src 'none'; script-src-elem https://a.example; connect-src 'self'",
    "script-src 'none'; script-src-elem https://a.example 'nonce-N1'; connect-src 'self'",
    "N1",
  ],
  [
    "connect-src widened",
    "script-src 'self'; connect-src https://api.example",
    "script-src 'self'; connect-src https://api.example 'self'",
    null,
  ],
  [
    "strict-dynamic gets a nonce",
    "script-src 'strict-dynamic' 'nonce-abc'; connect-src 'self'",
    "script-src 'strict-dynamic' 'nonce-abc' 'nonce-N1'; connect-src 'self'",
    "N1",
  ],
  // Formerly 'self' was added here, and the site's nonce-only policy then ran any same-origin
  // script, an uploaded /upload/evil.js included (issue 15 item 2).
  [
    "nonce-only: a nonce, never 'self'",
    "script-src 'nonce-abc'; connect-src 'self'",
    "script-src 'nonce-abc' 'nonce-N1'; connect-src 'self'",
    "N1",
  ],
  [
    "hash-only: a nonce, never 'self'",
    "script-src 'sha256-AAAA'; connect-src 'none'",
    "script-src 'sha256-AAAA' 'nonce-N1'; connect-src 'self'",
    "N1",
  ],
  [
    "strict-dynamic with self: self is ignored by browsers, so a nonce",
    "script-src 'strict-dynamic' 'self' 'sha256-AAAA'",
    "script-src 'strict-dynamic' 'self' 'sha256-AAAA' 'nonce-N1'",
    "N1",
  ],
  [
    "unsafe-inline without nonce or hash: a nonce would disable it, so self",
    "script-src 'unsafe-inline' https://cdn.example",
    "script-src 'unsafe-inline' https://cdn.example 'self'",
    null,
  ],
  [
    "nonce and self: self already lets the collector run",
    "script-src 'nonce-abc' 'self'",
    "script-src 'nonce-abc' 'self'",
    null,
  ],
  [
    "two policies, one nonce",
    "script-src 'strict-dynamic', default-src 'strict-dynamic'",
    "script-src 'strict-dynamic' 'nonce-N1', default-src 'strict-dynamic'; script-src 'strict-dynamic' 'nonce-N1'; connect-src 'strict-dynamic' 'self'",
    "N1",
  ],
  [
    "upper-case directive names and keywords",
    "Script-Src 'SELF'; CONNECT-SRC 'NONE'",
    "script-src 'SELF'; connect-src 'self'",
    null,
  ],
];

Deno.test("widenCsp() adds only what the collector needs", async (t) => {
  for (const [name, input, value, nonce] of CASES) {
    await t.step(name, () => {
      let calls = 0;
      const result = widenCsp(input, () => `N${++calls}`);
      assert.deepEqual(result, { value, nonce });
      assert.ok(calls <= 1);
    });
  }
});

Deno.test("widenCsp() adds the exact collector and ingest URLs when the public origin is known", () => {
  const targets = {
    script: "https://site.example/__guard/c.h.js",
    ingest: "https://site.example/__guard/ingest",
  };
  assert.deepEqual(
    widenCsp(
      "script-src 'unsafe-inline'; connect-src https://api.example",
      () => "N1",
      targets,
    ),
    {
      value:
        "script-src 'unsafe-inline' https://site.example/__guard/c.h.js; connect-src https://api.example https://site.example/__guard/ingest",
      nonce: null,
    },
  );
  assert.deepEqual(
    widenCsp("default-src 'none'", () => "N1", targets),
    {
      value:
        "default-src 'none'; script-src 'nonce-N1'; connect-src https://site.example/__guard/ingest",
      nonce: "N1",
    },
  );
});
