import assert from "node:assert/strict";
import { ACTION_FEATURE_NAMES } from "../collector/mod.ts";
import { serializeModel } from "../tree/mod.ts";
import {
  MIN_OWNER_ACTIONS,
  ownerModelProbability,
  parseOwnerModel,
  serializeOwnerModel,
  trainOwnerModel,
} from "./owner_model.ts";
import { ownerProbability, VERIFIER_FEATURES } from "./verifier.ts";
import { ownerTestWindow, range } from "./_owner_testing.ts";

const window = ownerTestWindow;
/** The owner: slow (100–290 px/s), short actions (0.2 s); others fast, long actions (0.9 s). */
const OWNER_WINDOWS = range(20).map((i) => window(100 + 10 * i, 0.2, 3));
const OTHER_WINDOWS = range(40).map((i) => window(1000 + 10 * i, 0.9, 3));

Deno.test("trainOwnerModel() trains the action forest beside the window forest; a window scores their mean", () => {
  const m = trainOwnerModel(OWNER_WINDOWS, OTHER_WINDOWS, {
    trees: 5,
    seed: 2,
  });
  assert.ok(m.actions !== null);
  assert.deepEqual(m.actions.features, [...ACTION_FEATURE_NAMES]);
  // The windows have no owner features: the window forest keeps the movement features only.
  assert.deepEqual(m.window.features, [...VERIFIER_FEATURES]);
  // Owner-like speed but another person's actions: the mean of the two forests.
  const mixed = window(150, 0.9, 2);
  const p = ownerModelProbability(m, mixed);
  const alone = ownerProbability(m.window, mixed);
  const actionsOnly = ownerModelProbability(m, {
    ...window(Number.NaN, 0.9, 2),
    interval_mean: 16,
  });
  assert.ok(alone > 0.9 && actionsOnly < 0.1, `${alone} ${actionsOnly}`);
  assert.equal(p, (alone + actionsOnly) / 2);
  // No actions: the window forest alone.
  assert.equal(ownerModelProbability(m, window(150, 0.9, 0)), alone);
});

Deno.test("trainOwnerModel() keeps the window forest alone with too few owner actions or actions off", () => {
  const few = range(20).map((i) =>
    window(100 + 10 * i, 0.2, i < MIN_OWNER_ACTIONS - 1 ? 1 : 0)
  );
  assert.equal(trainOwnerModel(few, OTHER_WINDOWS, { trees: 3 }).actions, null);
  assert.equal(
    trainOwnerModel(OWNER_WINDOWS, OTHER_WINDOWS, { trees: 3, actions: false })
      .actions,
    null,
  );
});

Deno.test("serializeOwnerModel() round-trips both forests; a plain forest parses as a window-only model", () => {
  const m = trainOwnerModel(OWNER_WINDOWS, OTHER_WINDOWS, { trees: 3 });
  const text = serializeOwnerModel(m);
  assert.equal(JSON.parse(text).format, "guard-owner/1");
  const back = parseOwnerModel(text, "profile");
  assert.equal(serializeOwnerModel(back), text);
  const w = window(150, 0.9, 2);
  assert.equal(ownerModelProbability(back, w), ownerModelProbability(m, w));
  const plain = parseOwnerModel(serializeModel(m.window), "old profile");
  assert.equal(plain.actions, null);
  assert.equal(serializeOwnerModel(plain), serializeModel(m.window));
  assert.throws(
    () => parseOwnerModel('{"format":"guard-owner/1","window":{}}', "bad"),
    /bad \(window\)/,
  );
});
