import assert from "node:assert/strict";
import { parseResults, RESULT_PREFIX } from "./_result.ts";

Deno.test("parseResults keeps only the result lines, in order, with their values", () => {
  const out = [
    "guard   4278 req/s",
    RESULT_PREFIX +
    JSON.stringify({ bench: "proxy", name: "nginx", values: { rps: 12662 } }),
    "ratio guard/nginx req/s: 0.34",
    RESULT_PREFIX +
    JSON.stringify({
      bench: "proxy",
      name: "guard",
      values: { rps: 4278 },
      baseline: "nginx rps",
      ratio: 0.34,
    }),
    "",
  ].join("\n");
  assert.deepEqual(parseResults(out), [
    { bench: "proxy", name: "nginx", values: { rps: 12662 } },
    {
      bench: "proxy",
      name: "guard",
      values: { rps: 4278 },
      baseline: "nginx rps",
      ratio: 0.34,
    },
  ]);
});

Deno.test("parseResults refuses a truncated result line instead of dropping it", () => {
  assert.throws(
    () => parseResults(RESULT_PREFIX + '{"bench":"proxy"'),
    SyntaxError,
  );
});
