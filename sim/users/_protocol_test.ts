import assert from "node:assert/strict";
import { FEATURE_NAMES, type FeatureVector } from "../../collector/mod.ts";
import { trainProfile } from "../../middleware/detect/mod.ts";
import { ownerModelProbability } from "../../detect/mod.ts";
import {
  isDevUser,
  runProtocol,
  scoreUser,
  storeOrder,
  type UserData,
  type UserSession,
} from "./_protocol.ts";

/** A session of `n` windows at speeds base, base + 1, …; pointer evidence from a move interval. */
function session(id: string, base: number, n: number): UserSession {
  const windows = Array.from({ length: n }, (_, i) => {
    const v = Object.fromEntries(FEATURE_NAMES.map((f) => [f, Number.NaN]));
    return {
      ...v,
      speed_mean: base + i,
      interval_mean: 16,
      click_count: 0,
      scroll_speed: 0,
    } as FeatureVector;
  });
  return { id, windows };
}

/** Three people who move at clearly different speeds: 100, 500 and 900 px/s. */
const USERS: UserData[] = [100, 500, 900].map((base, i) => ({
  user: `user${i + 1}`,
  train: [session(`user${i + 1}/3min`, base, 8)],
  test: [session(`user${i + 1}/1min`, base + 0.5, 3)],
}));
const VERIFIER = { trees: 5, minSamplesLeaf: 1, seed: 1 };

Deno.test("scoreUser() scores the owner's test sessions as genuine and everyone else's as impostors", () => {
  const r = scoreUser(USERS, 0, { verifier: VERIFIER, trainPerSession: 40 });
  assert.equal(r.user, "user1");
  assert.deepEqual(r.genuine.map((s) => s.length), [3]);
  assert.deepEqual(r.impostor.map((s) => s.length), [3, 3]);
  assert.ok(r.genuine.flat().every((p) => p > 0.5));
  assert.ok(r.impostor.flat().every((p) => p < 0.5));
  const only3 = scoreUser(USERS, 0, {
    verifier: VERIFIER,
    trainPerSession: 40,
    impostors: (u) => u === "user3",
  });
  assert.deepEqual(only3.impostor, [r.impostor[1]]);
});

Deno.test("scoreUser() applies the owner cap, the per-session thinning and the others filter", () => {
  const base = { verifier: VERIFIER, trainPerSession: 40 };
  const tooFew =
    "Cannot train verifier: 5 owner windows with pointer evidence, need at least 6";
  assert.throws(() => scoreUser(USERS, 1, { ...base, ownerCap: 5 }), {
    name: "RangeError",
    message: tooFew,
  });
  assert.throws(() => scoreUser(USERS, 1, { ...base, trainPerSession: 5 }), {
    name: "RangeError",
    message: tooFew,
  });
  // Calibration holds out the newest 3 of 8 owner windows.
  assert.throws(() => scoreUser(USERS, 1, { ...base, calibrate: true }), {
    name: "RangeError",
    message: tooFew,
  });
  assert.throws(() => scoreUser(USERS, 1, { ...base, others: () => false }), {
    name: "RangeError",
    message:
      "Cannot train verifier: no other people's windows with pointer evidence",
  });
});

Deno.test("runProtocol() scores only the users `evaluate` keeps, in order", () => {
  const r = runProtocol(USERS, {
    name: "test",
    verifier: VERIFIER,
    trainPerSession: 40,
    evaluate: (u) => u !== "user2",
  }, () => {});
  assert.deepEqual(r.map((s) => s.user), ["user1", "user3"]);
});

Deno.test("isDevUser() is SapiMouse users 1–72", () => {
  assert.deepEqual(
    ["user1", "user72", "user73", "user120"].map(isDevUser),
    [true, true, false, false],
  );
});

Deno.test("scoreUser() with calibrate trains and calibrates the profile as trainProfile does", () => {
  const users = [100, 500].map((base, i) => ({
    user: `user${i + 1}`,
    train: [session(`user${i + 1}/3min`, base, 12)],
    test: [session(`user${i + 1}/1min`, base, 2)],
  }));
  const base = { verifier: VERIFIER, trainPerSession: 40 };
  const plain = scoreUser(users, 0, base);
  assert.equal(plain.threshold, undefined);
  assert.equal(plain.calibration, undefined);
  const r = scoreUser(users, 0, { ...base, calibrate: true });
  // The same profile from trainProfile: owner newest first, others in the store's order.
  const profile = trainProfile(
    [...users[0].train[0].windows].reverse(),
    storeOrder(users[1].train[0].windows, VERIFIER.seed),
    VERIFIER,
  );
  assert.equal(r.calibration, profile.calibration);
  assert.equal(r.threshold, 1 - profile.calibration);
  assert.deepEqual(
    r.genuine,
    users[0].test.map((s) =>
      s.windows.map((w) => ownerModelProbability(profile.model, w))
    ),
  );
  assert.equal(r.spread, profile.spread);
  // Held out: owner speeds 109–111 and two of the others'; separable, so the calibration (the
  // midpoint of the held-out means of 1 − P(owner)) lies between every owner and other score.
  assert.ok(r.calibration! > 0 && r.calibration! < 1, `${r.calibration}`);
  assert.ok(r.genuine.flat().every((p) => p >= r.threshold!));
  assert.ok(r.impostor.flat().every((p) => p < r.threshold!));
});

Deno.test("runProtocol() with calibrate leaves out users below minOwnerWindows", () => {
  const r = runProtocol(USERS, {
    name: "test",
    verifier: VERIFIER,
    trainPerSession: 40,
    calibrate: true,
    minOwnerWindows: 9,
  }, () => {});
  assert.deepEqual(r, []); // 8 owner windows each: no profile
});

Deno.test("storeOrder() is a seeded permutation", () => {
  const items = Array.from({ length: 50 }, (_, i) => i);
  const a = storeOrder(items, 1);
  assert.deepEqual(a, storeOrder(items, 1));
  assert.notDeepEqual(a, items);
  assert.notDeepEqual(a, storeOrder(items, 2));
  assert.deepEqual([...a].sort((x, y) => x - y), items);
});
