import assert from "node:assert/strict";
import { FEATURE_NAMES, type FeatureVector } from "../collector/mod.ts";
import {
  datasetFromRows,
  parseModel,
  serializeModel,
  trainTree,
} from "../tree/mod.ts";
import {
  MIN_OWNER_WINDOWS,
  OTHER,
  OWNER,
  ownerProbability,
  sampleOthers,
  sessionOwnerProbability,
  trainVerifier,
  VERIFIER_FEATURES,
} from "./verifier.ts";

/**
 * A window with pointer evidence whose only varying features are speed_mean and, as noise shared
 * by both "users", straightness; every other verifier feature is missing.
 */
function window(speed: number, straightness = 0.5, pointer = true) {
  const v = Object.fromEntries(FEATURE_NAMES.map((n) => [n, Number.NaN]));
  return {
    ...v,
    speed_mean: speed,
    straightness,
    interval_mean: pointer ? 16 : Number.NaN,
    click_count: 0,
    scroll_speed: 0,
  } as FeatureVector;
}

/** User A moves at 100–290 px/s, user B at 1000–1190; straightness is the same noise for both. */
const A = (i: number) => window(100 + 10 * i, (i % 7) / 7);
const B = (i: number) => window(1000 + 10 * i, (i % 5) / 5);
const range = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => from + i);

Deno.test("trainVerifier() tells two users apart by the one feature that differs", () => {
  const model = trainVerifier(range(0, 20).map(A), range(0, 40).map(B), {
    seed: 3,
  });
  assert.deepEqual(model.classes, [OTHER, OWNER]);
  assert.deepEqual(model.features, [...VERIFIER_FEATURES]);
  assert.equal(model.negative, OTHER);
  assert.equal(model.trees.length, 50);
  for (const i of range(0, 19)) {
    const owner = ownerProbability(model, A(i + 0.5));
    const other = ownerProbability(model, B(i + 0.5));
    assert.ok(owner > 0.9, `owner window ${i}: P(owner) ${owner}`);
    assert.ok(other < 0.1, `other window ${i}: P(owner) ${other}`);
  }
});

Deno.test("trainVerifier() is deterministic by seed: same seed, same bytes", () => {
  const owner = range(0, 12).map(A), others = range(0, 60).map(B);
  const o = { trees: 5, maxOthers: 20 };
  const a = serializeModel(trainVerifier(owner, others, { ...o, seed: 7 }));
  const b = serializeModel(trainVerifier(owner, others, { ...o, seed: 7 }));
  const c = serializeModel(trainVerifier(owner, others, { ...o, seed: 8 }));
  assert.equal(a, b);
  assert.notEqual(a, c);
});

Deno.test("trainVerifier() profile survives a JSON round trip with the same probabilities", () => {
  const model = trainVerifier(range(0, 12).map(A), range(0, 30).map(B), {
    trees: 7,
    minSamplesLeaf: 2,
    maxDepth: 4,
  });
  const again = parseModel(serializeModel(model), "profile");
  const reordered = parseModel(
    serializeModel(model),
    "profile",
    [...VERIFIER_FEATURES].reverse(),
  );
  for (const i of [0, 3.5, 11, 40]) {
    const p = ownerProbability(model, A(i));
    assert.equal(ownerProbability(again, A(i)), p);
    assert.equal(ownerProbability(reordered, A(i)), p);
  }
  assert.deepEqual(again.options, {
    criterion: "gini",
    maxDepth: 4,
    minSamplesSplit: 2,
    minSamplesLeaf: 2,
    minImpurityDecrease: 0,
    classWeight: "balanced",
    ccpAlpha: 0,
    trees: 7,
    maxFeatures: "sqrt",
    seed: 1,
  });
});

Deno.test("trainVerifier() names too few owner windows, counting only those with pointer evidence", () => {
  const others = range(0, 10).map(B);
  const five = range(0, 5).map(A);
  assert.throws(() => trainVerifier(five, others), {
    name: "RangeError",
    message:
      "Cannot train verifier: 5 owner windows with pointer evidence, need at least 6",
  });
  const typing = range(0, 10).map((i) => window(100 + i, 0.5, false));
  assert.throws(() => trainVerifier([...five, ...typing], others), {
    name: "RangeError",
    message:
      "Cannot train verifier: 5 owner windows with pointer evidence, need at least 6",
  });
  assert.equal(MIN_OWNER_WINDOWS, 6);
  const six = range(0, 6).map(A);
  assert.equal(trainVerifier(six, others, { trees: 2 }).trees.length, 2);
});

Deno.test("trainVerifier() rejects bad others and options", async (t) => {
  const owner = range(0, 8).map(A);
  const cases: [string, () => unknown, string][] = [
    [
      "no others",
      () => trainVerifier(owner, []),
      "Cannot train verifier: no other people's windows with pointer evidence",
    ],
    [
      "maxOthers 0",
      () => trainVerifier(owner, [B(0)], { maxOthers: 0 }),
      'Option "maxOthers" must be an integer >= 1, got 0',
    ],
    [
      "unknown feature",
      () =>
        trainVerifier(owner, [B(0)], {
          features: ["speed_mean", "shoe_size" as "speed_mean"],
        }),
      'Cannot train verifier: feature "shoe_size" is not in FEATURE_NAMES or OWNER_FEATURE_NAMES',
    ],
    [
      "no features",
      () => trainVerifier(owner, [B(0)], { features: [] }),
      "Cannot train verifier: no features",
    ],
    [
      "trees 0",
      () => trainVerifier(owner, [B(0)], { trees: 0 }),
      'Option "trees" must be an integer >= 1, got 0',
    ],
  ];
  for (const [name, f, message] of cases) {
    await t.step(name, () => {
      assert.throws(f, { name: "RangeError", message });
    });
  }
});

Deno.test("ownerProbability() is NaN without pointer evidence and refuses a non-verifier model", () => {
  const model = trainVerifier(range(0, 8).map(A), range(0, 8).map(B), {
    trees: 3,
  });
  assert.ok(Number.isNaN(ownerProbability(model, window(150, 0.5, false))));
  const bot = trainTree(
    datasetFromRows(["speed_mean"], [[1], [2]], ["human", "bot"]),
  );
  assert.throws(() => ownerProbability(bot, A(0)), {
    name: "TypeError",
    message: 'Cannot verify: the model\'s classes are not "owner" and "other"',
  });
});

Deno.test("sampleOthers() keeps all in order up to max, else a seeded sample in input order", () => {
  const items = range(0, 10);
  assert.deepEqual(sampleOthers(items, 10, 1), items);
  assert.deepEqual(sampleOthers(items, 50, 1), items);
  const a = sampleOthers(items, 4, 1);
  assert.equal(a.length, 4);
  assert.equal(new Set(a).size, 4);
  assert.deepEqual(a, [...a].sort((x, y) => x - y));
  assert.deepEqual(sampleOthers(items, 4, 1), a);
  assert.notDeepEqual(sampleOthers(items, 4, 2), a);
});

Deno.test("sessionOwnerProbability() is the mean of the scored windows", async (t) => {
  const cases: [number[], number][] = [
    [[0.2, Number.NaN, 0.8, 0.5], 0.5],
    [[1], 1],
    [[0.25, 0.75, 0.5, 0], 0.375],
  ];
  for (const [ps, expected] of cases) {
    await t.step(JSON.stringify(ps), () => {
      assert.equal(sessionOwnerProbability(ps), expected);
    });
  }
  assert.ok(Number.isNaN(sessionOwnerProbability([])));
  assert.ok(Number.isNaN(sessionOwnerProbability([Number.NaN])));
});
