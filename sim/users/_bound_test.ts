import assert from "node:assert/strict";
import { normalisedSessions, thresholdBound } from "./_bound.ts";

Deno.test("thresholdBound() allows 2 % of owners flagged and 10 % of impostors missed", () => {
  // 50 owners: one far off (the 2 % allowed), 49 at −1; impostors spread from −2 to 7.
  const genuine = [5, ...Array(49).fill(-1)];
  const impostor = [-2, -1, 0, 1, 2, 3, 4, 5, 6, 7];
  // Flag z > −1: the impostors at −2 and −1 are missed. Flag z ≥ −1 (one impostor missed):
  // every owner is flagged.
  assert.deepEqual(thresholdBound(genuine, impostor), {
    farAtTarget: 0.2,
    frrAtTarget: 1,
  });
  assert.deepEqual(thresholdBound([-1], [0, 1]), {
    farAtTarget: 0,
    frrAtTarget: 0,
  });
});

Deno.test("normalisedSessions() is (mean s − calibration) / spread per user, NaN sessions left out", () => {
  const s = normalisedSessions([{
    user: "u",
    calibration: 0.5,
    spread: 0.25,
    genuine: [[0.75, 0.75, NaN]],
    impostor: [[0.25], [NaN]],
  }]);
  assert.deepEqual(s, { genuine: [-1], impostor: [1] });
});
