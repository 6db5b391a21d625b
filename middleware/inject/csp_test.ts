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
    "default-src 'self'; script-src https://cdn.example 'self'",
    null,
  ],
  [
    "default-src 'none' gets copies, not a wider default",
    "default-src 'none'",
    "default-src 'none'; script-src 'self'; connect-src 'self'",
    null,
  ],
  [
    "script-src-elem governs elements",
    "script-src 'none'; script-src-elem https://a.example; connect-src 'self'",
    "script-src 'none'; script-src-elem https://a.example 'self'; connect-src 'self'",
    null,
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
  [
    "nonce without strict-dynamic: self is enough",
    "script-src 'nonce-abc'; connect-src 'self'",
    "script-src 'nonce-abc' 'self'; connect-src 'self'",
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
