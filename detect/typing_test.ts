import assert from "node:assert/strict";
import { judgeTyping, MACHINE_SCORE, NEUTRAL_SCORE } from "./typing.ts";
import { jitter, keystrokes } from "./_event_testing.ts";
import type { GuardEvent } from "./events.ts";

const EPOCH = 1_700_000_000_000;

Deno.test("judgeTyping() is too_fast for page.type without delay (keys a CDP round trip apart)", () => {
  const j = judgeTyping(keystrokes(12, {
    start: EPOCH,
    dwell: (i) => 0.2 + jitter(i),
    flight: (i) => 0.3 + jitter(i + 5),
  }));
  assert.equal(j?.reason, "too_fast");
  assert.equal(j?.score, MACHINE_SCORE);
  assert.equal(j?.keys, 12);
});

Deno.test("judgeTyping() is machine_cadence for page.type with { delay: 100 } (held 100 ms, next at once)", () => {
  const j = judgeTyping(keystrokes(10, {
    start: EPOCH,
    dwell: (i) => 100.4 + 1.2 * jitter(i),
    flight: (i) => 0.3 + 0.5 * jitter(i + 7),
  }));
  assert.equal(j?.reason, "machine_cadence");
  assert.equal(j?.score, MACHINE_SCORE);
  assert.ok(j!.intervalStd < 1, `std ${j?.intervalStd}`);
});

Deno.test("judgeTyping() is machine_cadence for a constant flight with zero dwell", () => {
  const j = judgeTyping(keystrokes(8, {
    start: EPOCH,
    dwell: () => 0,
    flight: () => 150,
  }));
  assert.deepEqual(j, {
    score: MACHINE_SCORE,
    reason: "machine_cadence",
    keys: 8,
    intervalMedian: 150,
    intervalStd: 0,
  });
});

Deno.test("judgeTyping() calls people's typing varied", async (t) => {
  // The most regular Aalto window (participant 102 tapping Backspace: intervals 171, 159, 163,
  // 164, 161 ms; std 4.1 ms) must stay human.
  const downs = [0, 171, 330, 493, 657, 818];
  const dwells = [74, 67, 74, 56, 51, 71];
  const backspaces: GuardEvent[] = downs.flatMap((d, id) => [
    { t: EPOCH + d, kind: "keydown", key: "backspace", id },
    { t: EPOCH + d + dwells[id], kind: "keyup", key: "backspace", id },
  ]);
  backspaces.sort((a, b) => a.t - b.t);
  const cases: [string, GuardEvent[]][] = [
    ["tapping Backspace (Aalto's most regular window)", backspaces],
    [
      "varied typing",
      keystrokes(20, {
        start: EPOCH,
        dwell: (i) => 60 + 80 * jitter(i),
        flight: (i) => 40 + 200 * jitter(i + 11),
      }),
    ],
    [
      "Tab navigation",
      keystrokes(8, {
        start: EPOCH,
        key: "other",
        dwell: (i) => 80 + 40 * jitter(i),
        flight: (i) => 200 + 500 * jitter(i + 2),
      }),
    ],
    [
      "Android keyboard (dwell 0, human rhythm)",
      keystrokes(12, {
        start: EPOCH,
        dwell: () => 0,
        flight: (i) => 120 + 180 * jitter(i),
      }),
    ],
  ];
  for (const [name, events] of cases) {
    await t.step(name, () => {
      const j = judgeTyping(events);
      assert.equal(j?.reason, "varied");
      assert.equal(j?.score, NEUTRAL_SCORE);
    });
  }
});

Deno.test("judgeTyping() does not judge a window with fewer than 6 keydowns", () => {
  const five = keystrokes(5, { start: 0, dwell: () => 0, flight: () => 0 });
  assert.equal(judgeTyping(five), null);
  assert.equal(judgeTyping(five, { minKeys: 5 })?.reason, "too_fast");
});
