import assert from "node:assert/strict";
import {
  chooseThreshold,
  detectionWindow,
  rates,
  type RuleRates,
  ruleRates,
} from "./_rule.ts";
import { summarize } from "./verification_metrics.ts";

/** P(owner) whose score 1 − P has log-odds `l`: logit(1 − P) = l. */
const p = (l: number) => 1 / (1 + Math.exp(l));
const NA = Number.NaN;
/** Threshold 4 after 2 windows, evidence halved each window. */
const RULE = { threshold: 4, minWindows: 2, decay: 0.5 };

Deno.test("detectionWindow() runs the owner check's rule on calibrated window scores", async (t) => {
  const cases: [string, number[], number, number | null][] = [
    // E = 3 (before minWindows), then 1.5 + 3 = 4.5 ≥ 4.
    ["detected at the second window", [p(3), p(3), p(3)], 0.5, 2],
    // One window is never enough with minWindows 2.
    ["one window", [p(3)], 0.5, null],
    // The owner check skips windows without pointer evidence: no step.
    ["NaN skipped", [p(3), NA, p(3)], 0.5, 2],
    // Calibration 1/(1 + e^-1) takes 1 from each window's log-odds: E = 2, 3, 3.5, never 4.
    ["calibrated", [p(3), p(3), p(3)], 1 / (1 + Math.exp(-1)), null],
    // Pure leaves (P(owner) 0) count the clip, 5: E = 5, then 7.5.
    ["pure leaves", [0, 0], 0.5, 2],
    // Owner-like windows pull the evidence down: E = −3, 1.5, 3.75.
    ["owner first", [p(-3), p(3), p(3)], 0.5, null],
  ];
  for (const [name, probabilities, calibration, expected] of cases) {
    await t.step(name, () => {
      assert.equal(
        detectionWindow(probabilities, calibration, RULE),
        expected,
      );
    });
  }
});

const USERS = [
  {
    user: "a",
    calibration: 0.5,
    genuine: [[p(-3), p(-3), p(-3)]],
    impostor: [[p(3), p(3), p(3)], [p(-3), p(-3)]],
  },
  {
    user: "b",
    calibration: 0.5,
    genuine: [[p(3), p(3)]],
    impostor: [[p(3), NA, p(3), p(3)]],
  },
];

Deno.test("ruleRates() counts detected genuine and undetected impostor sessions over users", () => {
  const r = ruleRates(USERS, RULE);
  assert.equal(r.genuine, 2);
  assert.equal(r.falseRejects, 1); // b's own session
  assert.equal(r.impostor, 3);
  assert.equal(r.falseAccepts, 1); // a's owner-like impostor
  assert.deepEqual([r.toDetection.n, r.toDetection.mean], [2, 2]);
  // Scored windows per session: 3, 2 (genuine), 3, 2, 3 (impostors, NaN not counted).
  assert.deepEqual([r.length.n, r.length.median, r.length.max], [5, 3, 3]);
  assert.deepEqual(rates(r), { frr: 1 / 2, far: 1 / 3 });
  // On the first window only nothing can be detected.
  const first = ruleRates(USERS, RULE, 1);
  assert.deepEqual([first.falseRejects, first.falseAccepts], [0, 3]);
  assert.ok(Number.isNaN(first.toDetection.mean));
});

/** A RuleRates of 100 genuine and 100 impostor sessions with these rates. */
function made(frr: number, far: number): RuleRates {
  return {
    genuine: 100,
    falseRejects: Math.round(100 * frr),
    impostor: 100,
    falseAccepts: Math.round(100 * far),
    toDetection: summarize([]),
    length: summarize([]),
  };
}

Deno.test("chooseThreshold() takes the fewest false accepts with false rejects ≤ 2 %", async (t) => {
  await t.step("within the bound", () => {
    const rows = [
      { threshold: 4, rates: made(0.10, 0.05) },
      { threshold: 6, rates: made(0.02, 0.10) },
      { threshold: 8, rates: made(0.01, 0.20) },
    ];
    assert.deepEqual(chooseThreshold(rows), { threshold: 6, met: true });
  });
  await t.step("equal false accepts: fewer false rejects", () => {
    const rows = [
      { threshold: 6, rates: made(0.02, 0.10) },
      { threshold: 8, rates: made(0.01, 0.10) },
    ];
    assert.deepEqual(chooseThreshold(rows), { threshold: 8, met: true });
  });
  await t.step("none within the bound: fewest false rejects", () => {
    const rows = [
      { threshold: 4, rates: made(0.30, 0.05) },
      { threshold: 16, rates: made(0.08, 0.40) },
    ];
    assert.deepEqual(chooseThreshold(rows), { threshold: 16, met: false });
  });
});
