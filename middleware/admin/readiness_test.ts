import assert from "node:assert/strict";
import { readiness, wilson } from "./readiness.ts";

const close = (a: number | null, b: number) =>
  assert.ok(a !== null && Math.abs(a - b) < 5e-5, `${a} ≉ ${b}`);

Deno.test("wilson() matches hand-worked 95 % intervals", async (t) => {
  // With k = 0 the bounds are 0 and z²/(n + z²); with k = n, n/(n + z²) and 1.
  await t.step("0 of 10: [0, z²/(10 + z²)]", () => {
    const w = wilson(0, 10);
    assert.equal(w.rate, 0);
    close(w.low, 0);
    close(w.high, 0.277533);
  });
  await t.step("5 of 5: [5/(5 + z²), 1]", () => {
    const w = wilson(5, 5);
    close(w.low, 0.565518);
    close(w.high, 1);
  });
  await t.step("3 of 100 (the formula worked in Python)", () => {
    const w = wilson(3, 100);
    close(w.low, 0.010255);
    close(w.high, 0.084519);
  });
  await t.step("no trials: no estimate", () => {
    assert.deepEqual(wilson(0, 0), {
      k: 0,
      n: 0,
      rate: null,
      low: null,
      high: null,
    });
  });
});

Deno.test("readiness() says how many clean human labels are missing", async (t) => {
  await t.step("0 of 10 flagged: not ready, 371 more clean labels", () => {
    const r = readiness(0, 10);
    assert.equal(r.ready, false);
    assert.equal(r.moreLabels, 371);
    assert.ok(wilson(0, 381).high! < 0.01);
    assert.ok(wilson(0, 380).high! >= 0.01);
  });
  await t.step("0 of 400: ready", () => {
    const r = readiness(0, 400);
    assert.equal(r.ready, true);
    assert.equal(r.moreLabels, 0);
  });
  await t.step("1 of 2 flagged: needs many more", () => {
    const r = readiness(1, 2);
    assert.equal(r.ready, false);
    assert.ok(r.moreLabels! > 400);
  });
});
