import assert from "node:assert/strict";
import { createReplayIndex, windowFingerprints } from "./replay_index.ts";
import { fixtureWindows, shifted } from "./_event_testing.ts";
import type { GuardEvent } from "./events.ts";

const NOW = 1_700_000_000_000.3;
const DAY = 24 * 3600_000;

Deno.test("replay: the same raw window posted every 5 s is flagged at the second window", async () => {
  const [window] = await fixtureWindows();
  const index = createReplayIndex({ maxEntries: 1000, ttlMs: DAY });
  const fps = windowFingerprints(window);
  assert.deepEqual(index.check(fps, NOW), []);
  assert.deepEqual(index.check(windowFingerprints(window), NOW + 5000), fps);
  assert.deepEqual(index.check(windowFingerprints(window), NOW + 10000), fps);
});

Deno.test("replay: a recorded human window re-timed to now is flagged when seen again in another session", async () => {
  const windows = await fixtureWindows();
  const index = createReplayIndex({ maxEntries: 1000, ttlMs: DAY });
  // The recording as its human posted it (times from 0) ...
  for (const w of windows) {
    assert.deepEqual(index.check(windowFingerprints(w), NOW), []);
  }
  // ... and as a bot posts it an hour later: epoch times at 0.1 ms, moved 40 px on screen.
  for (const w of windows) {
    const copy = shifted(w, NOW + 3600_000).map((e) =>
      e.x === undefined ? e : { ...e, x: e.x + 40, y: e.y! - 40 }
    );
    assert.equal(
      index.check(windowFingerprints(copy), NOW + 3600_000).length,
      windowFingerprints(w).length,
    );
  }
});

Deno.test("replay: a recorded window replayed with new timing still matches by shape", async () => {
  const windows = await fixtureWindows();
  const w = windows[1];
  // Every event 0–3 ms late: the exact fingerprint changes, the shape one does not.
  const retimed = w.map((e, i) => ({ ...e, t: e.t + (i % 4) }));
  const [exact, shape] = windowFingerprints(w);
  const again = windowFingerprints(retimed);
  assert.ok(shape.startsWith("s:"));
  assert.notEqual(again[0], exact);
  assert.equal(again[1], shape);
});

Deno.test("replay: distinct human windows of the fixture do not collide", async () => {
  const windows = await fixtureWindows();
  const fps = windows.flatMap((w) => windowFingerprints(w));
  // 12 exact fingerprints, and a shape one for the 11 windows with ≥ 6 strokes.
  assert.equal(fps.length, 23);
  assert.equal(new Set(fps).size, 23);
  const index = createReplayIndex({ maxEntries: 1000, ttlMs: DAY });
  for (const w of windows) {
    assert.deepEqual(index.check(windowFingerprints(w), NOW), []);
  }
});

Deno.test("windowFingerprints() skips windows under MIN_EVENTS non-meta events", () => {
  const seven: GuardEvent[] = [
    { t: 0, kind: "meta", webdriver: false },
    ...Array.from(
      { length: 7 },
      (_, i): GuardEvent => ({ t: i * 17, kind: "move", x: i, y: i }),
    ),
  ];
  assert.deepEqual(windowFingerprints(seven), []);
  assert.equal(windowFingerprints(seven, { minEvents: 7 }).length, 1);
});

Deno.test("createReplayIndex() forgets after ttlMs and holds at most maxEntries", () => {
  const index = createReplayIndex({ maxEntries: 3, ttlMs: 1000 });
  assert.deepEqual(index.check(["a", "b"], 0), []);
  assert.deepEqual(index.check(["a"], 999), ["a"]); // seen again: remembered until 1999
  assert.deepEqual(index.check(["b"], 1000), []); // expired
  assert.deepEqual(index.check(["c", "d", "e"], 1001), []);
  assert.equal(index.size, 3);
  assert.deepEqual(index.check(["a"], 1002), []); // dropped as least recently seen
});
