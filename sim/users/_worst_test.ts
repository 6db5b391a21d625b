import assert from "node:assert/strict";
import type { OwnerWindow } from "../../detect/mod.ts";
import type { UserData, UserScores } from "./_protocol.ts";
import { worstSection, worstUsers } from "./_worst.ts";

const w = (interval: number, speed: number) =>
  ({ interval_mean: interval, speed_mean: speed }) as unknown as OwnerWindow;

/** A user whose enrolment windows are (20 ms, 1000 px/s) and test windows as given. */
function user(name: string, interval: number, speed: number): UserData {
  return {
    user: name,
    train: [{
      id: `${name}/3min`,
      windows: [w(20, 1000), w(20, 1000), w(NaN, 1000)],
    }],
    test: [{ id: `${name}/1min`, windows: [w(interval, speed)] }],
  };
}

// One genuine session of 6 windows (two 15-s chunks) against two impostor sessions.
const scores = (name: string, genuine: number[]): UserScores => ({
  user: name,
  genuine: [genuine],
  impostor: [[0.5, 0.5, 0.5, 0.5, 0.5, 0.5], [0.2, 0.2, 0.2, 0.2, 0.2, 0.2]],
});

Deno.test("worstUsers() ranks users by first-15-s AUC with their sessions' medians", () => {
  const users = [user("a", 20, 1000), user("b", 30, 1000)];
  const { worst, all } = worstUsers([
    scores("a", [0.9, 0.9, 0.9, 0.9, 0.9, 0.9]),
    // First 15 s 0.3: below one impostor; the second 15 s 0.6 is above both.
    scores("b", [0.3, 0.3, 0.3, 0.6, 0.6, 0.6]),
  ], users);
  assert.equal(all.length, 2);
  assert.deepEqual(worst.map((r) => r.user), ["b", "a"]);
  assert.deepEqual(worst[0], {
    user: "b",
    first15: 0.5,
    every15: 0.75,
    ownerWindows: 3,
    interval: [20, 30],
    speed: [1000, 1000],
  });
  assert.equal(worst[1].first15, 1);
});

Deno.test("worstSection() counts users whose test session changed by over 20 %", () => {
  const users = [user("a", 20, 1000), user("b", 30, 1000)];
  const text = worstSection([
    scores("a", [0.9, 0.9, 0.9]),
    scores("b", [0.3, 0.3, 0.3]),
  ], users).join("\n");
  assert.match(
    text,
    /In 1 of these 2 one of the two changed by more than 20 %, against 1 of all 2 users\./,
  );
  assert.match(
    text,
    /Those 1 users' mean AUC of the first 15 s is 0\.500, the other users' 1\.000/,
  );
  assert.match(
    text,
    /\| b +\| 0\.500 +\| 0\.500 +\| 3 +\| 20 → 30 +\| 1000 → 1000 \|/,
  );
});
