import assert from "node:assert/strict";
import { isPath, num, pathWords, stepWords } from "./words.ts";

Deno.test("pathWords() reads a decision path as the issue's example does", () => {
  assert.equal(
    pathWords([
      { feature: "speed_std", threshold: 0.11, value: 0.03, wentLeft: true },
      {
        feature: "curvature_mean",
        threshold: 0.5,
        value: 0.8,
        wentLeft: false,
      },
      { feature: "odd_thing", threshold: 2, value: null, wentLeft: false },
    ], 0.987),
    "speed variability 0.03 ≤ 0.11 → mean curvature 0.8 > 0.5 → odd thing missing (sent > 2) → P(bot) 0.987",
  );
});

Deno.test("num() keeps 3 significant digits", async (t) => {
  for (
    const [x, text] of [
      [0.0312345, "0.0312"],
      [12.3456, "12.3"],
      [1234.5, "1,235"],
      [0, "0"],
      [-0.5, "-0.5"],
    ] as const
  ) {
    await t.step(text, () => assert.equal(num(x), text));
  }
});

Deno.test("isPath() accepts stored paths only", () => {
  assert.equal(isPath([]), true);
  assert.equal(
    isPath([{ feature: "a", threshold: 1, value: 2, wentLeft: true }]),
    true,
  );
  assert.equal(isPath([{ feature: "a" }]), false);
  assert.equal(isPath("x"), false);
  assert.equal(
    stepWords({
      feature: "webdriver",
      threshold: 0.5,
      value: 1,
      wentLeft: false,
    }),
    "navigator.webdriver 1 > 0.5",
  );
});
