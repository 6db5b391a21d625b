import assert from "node:assert/strict";
import { FEATURE_NAMES } from "../collector/mod.ts";
import { loadModel, score } from "../tree/mod.ts";
import { readRows } from "../sim/dataset/build_dataset.ts";

const MODEL = new URL("../data/model.json", import.meta.url);
const SAMPLE = new URL("../data/sample.csv", import.meta.url);

/**
 * Floors recorded when the model was shipped (measured with the current model at its threshold
 * 0.749, set for 1 % human-window FPR in grouped CV: accuracy 0.944, human FPR 0.00, bot recall
 * 0.938 on 900 rows, with both Chromium recordings; with the first only: 0.938, 0.00 and 0.930 at
 * 0.756; before the humanised and jump families: 0.940, 0.01 and 0.933 on
 * 800 rows at 0.731; before interval_mode_share joined the features: 0.894, 0.01 and 0.88 at
 * 0.783; see data/README.md). The sample's rows were part of the training data, so this is a
 * regression guard on the committed artefacts, not a measure of generalisation (that is
 * docs/evaluation_open.md).
 */
const FLOOR = { accuracy: 0.92, humanFpr: 0.03, botRecall: 0.91 };

Deno.test("data/model.json loads with the full feature list and beats the floor on data/sample.csv", async () => {
  const model = loadModel(
    JSON.parse(await Deno.readTextFile(MODEL)),
    "data/model.json",
    FEATURE_NAMES,
  );
  assert.deepEqual(model.classes, ["bot", "human"]);
  assert.equal(model.negative, "human");
  const rows = await readRows(SAMPLE.pathname);
  assert.ok(rows.length >= 300, `sample has ${rows.length} rows`);
  let correct = 0, humans = 0, fp = 0, bots = 0, tp = 0;
  for (const r of rows) {
    const isBot = score(model, r.features) > model.threshold;
    if (r.label === "human") (humans++, fp += isBot ? 1 : 0);
    else (bots++, tp += isBot ? 1 : 0);
    if (isBot === (r.label === "bot")) correct++;
  }
  const measured = {
    accuracy: correct / rows.length,
    humanFpr: fp / humans,
    botRecall: tp / bots,
  };
  assert.ok(
    measured.accuracy >= FLOOR.accuracy,
    `accuracy ${measured.accuracy}`,
  );
  assert.ok(
    measured.humanFpr <= FLOOR.humanFpr,
    `human FPR ${measured.humanFpr}`,
  );
  assert.ok(
    measured.botRecall >= FLOOR.botRecall,
    `bot recall ${measured.botRecall}`,
  );
});

Deno.test("data/sample.csv covers every training kind", async () => {
  const rows = await readRows(SAMPLE.pathname);
  const kinds = [...new Set(rows.map((r) => r.kind))].sort();
  assert.deepEqual(kinds, [
    "balabit",
    "bezier",
    "chromium_ghost",
    "chromium_linear",
    "curved",
    "eased",
    "ghost",
    "humanised",
    "jump",
    "linear",
    "piecewise",
    "playwright",
    "puppeteer",
    "sapimouse",
    "selenium",
    "slow",
    "straight",
    "teleport",
  ]);
});
