import assert from "node:assert/strict";
import {
  errorRates,
  levelScores,
  perUser,
  ratesAtOwnThresholds,
  sessionScore,
  sessionScores,
  summarize,
  summedLogOdds,
  verificationAuc,
  windowScores,
} from "./verification_metrics.ts";

const NA = Number.NaN;
const GENUINE = [0.9, 0.8, 0.4];
const IMPOSTOR = [0.1, 0.5, 0.3];
const near = (a: number, b: number) =>
  assert.ok(Math.abs(a - b) < 1e-12, `${a} is not ${b}`);

Deno.test("verificationAuc() counts genuine-above-impostor pairs, ties half", () => {
  // 0.9 and 0.8 beat all three impostors, 0.4 beats 0.1 and 0.3: 8 of 9 pairs.
  near(verificationAuc(GENUINE, IMPOSTOR), 8 / 9);
  assert.equal(verificationAuc([0.5], [0.5]), 0.5);
  assert.equal(verificationAuc([0.2], [0.1, 0.3]), 0.5);
  assert.ok(Number.isNaN(verificationAuc([], IMPOSTOR)));
});

Deno.test("errorRates() accepts a score at or above the threshold", () => {
  // At 0.5: genuine 0.4 is rejected, impostor 0.5 accepted.
  assert.deepEqual(errorRates(GENUINE, IMPOSTOR, 0.5), {
    frr: 1 / 3,
    far: 1 / 3,
  });
  assert.deepEqual(errorRates(GENUINE, IMPOSTOR, 0.95), { frr: 1, far: 0 });
  assert.deepEqual(errorRates(GENUINE, IMPOSTOR, 0), { frr: 0, far: 1 });
});

Deno.test("sessionScore() takes the first k scored windows", () => {
  const s = [0.2, NA, 0.8, 0.5, 0.1];
  assert.equal(sessionScore(s, 3, "mean"), 0.5);
  assert.equal(sessionScore(s, 1, "mean"), 0.2);
  near(sessionScore(s, 3, "logOdds")!, Math.log(0.25) + Math.log(4) + 0);
  assert.equal(sessionScore(s, 5, "mean"), undefined);
  // Pure leaves (0 and 1) count ±5.
  assert.equal(summedLogOdds([1, 0, 1]), 5);
  assert.deepEqual(sessionScores([s, [0.3], [0.5, 0.75]], 2, "mean"), [
    0.5,
    0.625,
  ]);
});

Deno.test("windowScores() keeps at most perSession scored windows, evenly spaced", () => {
  assert.deepEqual(windowScores([[0.1, NA, 0.3, 0.4, 0.5], [0.9]], 2), [
    0.1,
    0.4,
    0.9,
  ]);
});

Deno.test("summarize() gives mean, sample sd and interpolated quartiles of non-NaN values", () => {
  const s = summarize([4, 1, NA, 3, 2]);
  assert.equal(s.n, 4);
  assert.equal(s.mean, 2.5);
  near(s.sd, Math.sqrt(5 / 3));
  assert.deepEqual([s.min, s.q25, s.median, s.q75, s.max], [
    1,
    1.75,
    2.5,
    3.25,
    4,
  ]);
  assert.equal(summarize([7]).sd, 0);
  assert.ok(Number.isNaN(summarize([NA]).mean));
});

Deno.test("perUser() summarises each user's AUC; levelScores() pools users", () => {
  const users = [
    { genuine: [[0.875, 0.625]], impostor: [[0.125, 0.375], [0.75, 0.25]] },
    { genuine: [[0.25, 0.75]], impostor: [[0.5, 0.5]] },
  ];
  const first2 = { k: 2, aggregate: "mean" as const };
  // User 1: genuine 0.75 vs impostors 0.25 and 0.5 → AUC 1; user 2: 0.5 vs 0.5 → AUC 0.5.
  const r = perUser(users, first2);
  assert.equal(r.auc.mean, 0.75);
  assert.deepEqual([r.auc.min, r.auc.max], [0.5, 1]);
  assert.deepEqual(levelScores(users, first2), {
    genuine: [0.75, 0.5],
    impostor: [0.25, 0.5, 0.5],
  });
  const w = levelScores(users, { window: true, perSession: 1 });
  assert.deepEqual(w, {
    genuine: [0.875, 0.25],
    impostor: [0.125, 0.75, 0.5],
  });
});

Deno.test("ratesAtOwnThresholds() sums each user's rejects and accepts at their own threshold", () => {
  const users = [
    // Threshold 0.6: genuine 0.5 rejected, 0.75 accepted; impostor 0.625 accepted, 0.25 not.
    { genuine: [[0.5], [0.75]], impostor: [[0.625], [0.25]], threshold: 0.6 },
    // Threshold 0.2: genuine 0.25 accepted; impostors 0.125 and 0.5: one accepted.
    { genuine: [[0.25]], impostor: [[0.125], [0.5]], threshold: 0.2 },
  ];
  assert.deepEqual(
    ratesAtOwnThresholds(users, { k: 1, aggregate: "mean" }),
    { frr: 1 / 3, far: 2 / 4, genuine: 3, impostor: 4 },
  );
  // No threshold: everything is rejected.
  assert.deepEqual(
    ratesAtOwnThresholds([{ genuine: [[0.9]], impostor: [[0.1]] }], {
      k: 1,
      aggregate: "mean",
    }),
    { frr: 1, far: 0, genuine: 1, impostor: 1 },
  );
});
