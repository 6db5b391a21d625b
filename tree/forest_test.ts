import assert from "node:assert/strict";
import { readCsvDataset } from "./csv.ts";
import { serializeModel } from "./model_json.ts";
import { explain, predictProba } from "./predict.ts";
import { trainForest, trainTree } from "./train.ts";

const NOISY = new URL("./reference/noisy_train.csv", import.meta.url).pathname;

Deno.test("trainForest() is deterministic by seed", async () => {
  const { dataset } = await readCsvDataset(NOISY);
  const a = serializeModel(
    trainForest(dataset, { trees: 5, seed: 1, maxDepth: 6 }),
  );
  const b = serializeModel(
    trainForest(dataset, { trees: 5, seed: 1, maxDepth: 6 }),
  );
  const c = serializeModel(
    trainForest(dataset, { trees: 5, seed: 2, maxDepth: 6 }),
  );
  assert.equal(a, b);
  assert.notEqual(a, c);
  const model = JSON.parse(a);
  assert.equal(model.kind, "forest");
  assert.equal(model.trees.length, 5);
  assert.equal(model.options.maxFeatures, "sqrt");
});

Deno.test("trainTree() is deterministic: same data and options give the same bytes", async () => {
  const { dataset } = await readCsvDataset(NOISY);
  assert.equal(
    serializeModel(trainTree(dataset, { criterion: "entropy" })),
    serializeModel(trainTree(dataset, { criterion: "entropy" })),
  );
});

Deno.test("trainForest() averages tree probabilities and explains with the 3 strongest trees", async () => {
  const { dataset } = await readCsvDataset(NOISY);
  const forest = trainForest(dataset, { trees: 7, seed: 3, maxDepth: 4 });
  const row = Array.from(
    { length: 10 },
    (_, f) => dataset.X[f * dataset.nRows],
  );
  const p = predictProba(forest, row);
  let manual = 0;
  for (const t of forest.trees) {
    let n = 0;
    while (t.feature[n] >= 0) {
      n = Math.fround(row[t.feature[n]]) <= t.threshold[n]
        ? t.left[n]
        : t.right[n];
    }
    manual += t.proba[n * 2];
  }
  assert.ok(Math.abs(p[0] - manual / 7) < 1e-12);
  const why = explain(forest, row);
  assert.equal(why.paths.length, 3);
  for (const path of why.paths) {
    assert.ok(path.length >= 1 && path.length <= 4);
    for (const step of path) {
      assert.equal(step.wentLeft, Math.fround(step.value) <= step.threshold);
    }
  }
  const sum = Array.from(forest.importances).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - 1) < 1e-12);
  assert.ok(why.topFeatures.length >= 1);
  for (let i = 1; i < why.topFeatures.length; i++) {
    assert.ok(
      why.topFeatures[i - 1].importance >= why.topFeatures[i].importance,
    );
  }
});
