import assert from "node:assert/strict";
import { createDeadlines } from "./deadlines.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("createDeadlines() aborts what is not cleared in time, in order, and leaves no timer", async () => {
  const deadlines = createDeadlines(40);
  const a = new AbortController();
  const b = new AbortController();
  const c = new AbortController();
  deadlines.add(a);
  const clearB = deadlines.add(b);
  await sleep(20);
  deadlines.add(c);
  clearB();
  await sleep(30); // a expired at 40 ms; c expires at 60 ms
  assert.deepEqual(
    [a.signal.aborted, b.signal.aborted, c.signal.aborted],
    [true, false, false],
  );
  await sleep(30);
  assert.equal(c.signal.aborted, true);
  assert.equal(b.signal.aborted, false);
});

Deno.test("createDeadlines() stops its timer once every deadline is cleared", () => {
  const deadlines = createDeadlines(10_000);
  const controller = new AbortController();
  const clear = deadlines.add(controller);
  clear();
  clear(); // twice is harmless
  // The test's timer sanitizer fails if the 10 s timer were still armed here.
  assert.equal(controller.signal.aborted, false);
});
