import assert from "node:assert/strict";
import { assessWindow, hasIntegritySignal } from "./integrity.ts";
import type { GuardEvent } from "./events.ts";
import { fixtureWindows, jitter, keystrokes } from "./_event_testing.ts";

const EPOCH = 1_700_000_000_000.3;

/** Moves at the given times along a line. */
function moves(times: readonly number[], pointer?: "touch" | "pen") {
  return times.map((t, i): GuardEvent => ({
    t,
    kind: "move",
    x: 100 + i,
    y: 200 + (i % 7),
    ...(pointer ? { pointer } : {}),
  }));
}

const range = (n: number, f: (i: number) => number) =>
  Array.from({ length: n }, (_, i) => f(i));

Deno.test("assessWindow() gives the human windows of the fixture no signal", async () => {
  const windows = await fixtureWindows();
  assert.equal(windows.length, 12);
  for (const w of windows) assert.deepEqual(assessWindow(w), {});
});

Deno.test("assessWindow() gives humans on 60–540 Hz displays, touch, pen and keyboard no signal", async (t) => {
  const cases: [string, GuardEvent[]][] = [
    [
      "60 Hz mouse, 0.1 ms clock",
      moves(range(300, (i) => EPOCH + i * 16.7 + jitter(i) * 0.6)),
    ],
    [
      "240 Hz mouse",
      moves(range(1200, (i) => EPOCH + i * 4.17 + jitter(i) * 0.4)),
    ],
    [
      "540 Hz mouse",
      moves(range(2700, (i) => EPOCH + i * 1.85 + jitter(i) * 0.3)),
    ],
    [
      "120 Hz touch",
      moves(range(600, (i) => EPOCH + i * 8.33 + jitter(i)), "touch"),
    ],
    [
      "240 Hz pen",
      moves(range(1200, (i) => EPOCH + i * 4.17 + jitter(i)), "pen"),
    ],
    [
      "1 ms clock, alternating 16/17 ms",
      moves(range(300, (i) => i * 16 + (i >> 1))),
    ],
    [
      "100 ms clamp at 540 Hz",
      moves(range(540, (i) => Math.floor(i / 54) * 100)),
    ],
    [
      "Tab navigation",
      keystrokes(20, {
        start: EPOCH,
        key: "other",
        dwell: (i) => 70 + 60 * jitter(i),
        flight: (i) => 150 + 400 * jitter(i + 3),
      }),
    ],
  ];
  for (const [name, events] of cases) {
    await t.step(name, () => assert.deepEqual(assessWindow(events), {}));
  }
});

Deno.test("assessWindow() counts untrusted events", () => {
  const events: GuardEvent[] = [
    { t: 0, kind: "meta", webdriver: false },
    ...moves(range(10, (i) => 16.7 * i)),
  ];
  for (const i of [2, 5, 9]) events[i] = { ...events[i], trusted: false };
  const signals = assessWindow(events);
  assert.deepEqual(signals, { untrusted: 3 });
  assert.equal(hasIntegritySignal(signals), true);
});

Deno.test("assessWindow() counts moves beyond 1000/s (move_rate) and a setInterval cadence", () => {
  // 300 moves 0.5 ms apart: move j sees j + 1 moves in its 200 ms span, so j ≥ 200 break the
  // limit (100 moves); the 299 equal intervals are one constant run (all 300 moves).
  const signals = assessWindow(moves(range(300, (i) => EPOCH + i * 0.5)));
  assert.deepEqual(signals, { move_rate: 100, constant_interval: 300 });
});

Deno.test("assessWindow() counts a batch of moves at one timestamp (move_same_time)", () => {
  const events = moves([...range(10, (i) => i * 17), ...range(70, () => 500)]);
  assert.deepEqual(assessWindow(events), { move_same_time: 70 });
  // 64 at one time is a 100 ms clamp at 540 Hz with margin: no signal.
  assert.deepEqual(assessWindow(moves(range(64, () => 500))), {});
});

Deno.test("assessWindow() counts keydowns beyond 25/s (key_rate)", () => {
  // page.type without delay: 30 presses within 30 ms; keydowns 26..30 break the limit.
  const events = keystrokes(30, {
    start: EPOCH,
    dwell: () => 0.4,
    flight: () => 0.6,
  });
  assert.deepEqual(assessWindow(events), { key_rate: 5 });
  const limit = keystrokes(25, { start: 0, dwell: () => 1, flight: () => 1 });
  assert.deepEqual(assessWindow(limit), {});
});

Deno.test("assessWindow() counts runs of 100 equal move intervals (constant_interval)", () => {
  const run = (n: number) => moves(range(n, (i) => EPOCH + i * 16.7));
  assert.deepEqual(assessWindow(run(101)), { constant_interval: 101 });
  assert.deepEqual(assessWindow(run(100)), {});
  // A run broken once is two runs, each too short.
  const broken = run(150).map((
    e,
    i,
  ) => (i === 70 ? { ...e, t: e.t + 0.3 } : e));
  assert.deepEqual(assessWindow(broken), {});
});
