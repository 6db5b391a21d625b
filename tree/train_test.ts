import assert from "node:assert/strict";
import { datasetFromRows } from "./dataset.ts";
import { impurity } from "./_split.ts";
import { predict, predictProba } from "./predict.ts";
import { pruneTree, pruningPath } from "./prune.ts";
import { classWeights, trainTree } from "./train.ts";

const one = (xs: number[]) => xs.map((x) => [x]);

Deno.test("impurity() matches hand-worked Gini and entropy values", async (t) => {
  const cases: [number[], boolean, number][] = [
    [[3, 1], false, 1 - (9 + 1) / 16], // 0.375
    [[2, 2], false, 0.5],
    [[4, 0], false, 0],
    [[1, 1, 1], false, 1 - 3 / 9],
    [[2, 2], true, 1],
    [[3, 1], true, -(0.75 * Math.log2(0.75) + 0.25 * Math.log2(0.25))],
    [[4, 0], true, 0],
  ];
  for (const [counts, entropy, expected] of cases) {
    await t.step(`${entropy ? "entropy" : "gini"} of ${counts}`, () => {
      const total = counts.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(impurity(counts, total, entropy) - expected) < 1e-15);
    });
  }
  assert.equal(impurity([3, 1], 4, true), 0.8112781244591328);
});

Deno.test("trainTree() splits a separable fixture at the midpoint into pure leaves", () => {
  const d = datasetFromRows(["x"], one([1, 2, 3, 4, 5, 6]), [
    "human",
    "human",
    "human",
    "bot",
    "bot",
    "bot",
  ]);
  const m = trainTree(d);
  const t = m.trees[0];
  assert.equal(t.nodeCount, 3);
  assert.deepEqual(Array.from(t.feature), [0, -1, -1]);
  assert.equal(t.threshold[0], 3.5);
  assert.deepEqual(Array.from(t.value), [3, 3, 0, 3, 3, 0]);
  assert.deepEqual(Array.from(t.impurity), [0.5, 0, 0]);
  assert.deepEqual(Array.from(m.importances), [1]);
  assert.equal(predict(m, [3.5]), "human");
  assert.equal(predict(m, [3.6]), "bot");
});

Deno.test("trainTree() picks the split with the lowest weighted child impurity", () => {
  // x0 interleaves the classes; x1 separates them (a above 4).
  const rows = [[1, 5], [3, 6], [2, 1], [4, 2], [5, 3], [6, 0]];
  const d = datasetFromRows(["x0", "x1"], rows, ["a", "a", "b", "b", "b", "b"]);
  const m = trainTree(d);
  assert.equal(m.trees[0].feature[0], 1);
  assert.equal(m.trees[0].threshold[0], 4);
  assert.deepEqual(Array.from(m.importances), [0, 1]);
});

Deno.test("trainTree() honours maxDepth, minSamplesLeaf, minSamplesSplit and minImpurityDecrease", async (t) => {
  const xs = [1, 2, 3, 4, 5, 6, 7, 8];
  const labels = ["a", "b", "a", "b", "a", "b", "a", "b"];
  const d = datasetFromRows(["x"], one(xs), labels);
  await t.step(
    "unlimited grows to purity",
    () => assert.equal(trainTree(d).trees[0].nodeCount, 15),
  );
  await t.step(
    "maxDepth 1 gives one split",
    () => assert.equal(trainTree(d, { maxDepth: 1 }).trees[0].nodeCount, 3),
  );
  await t.step("minSamplesLeaf 4 allows only the middle split", () => {
    const tree = trainTree(d, { minSamplesLeaf: 4 }).trees[0];
    assert.equal(tree.nodeCount, 3);
    assert.equal(tree.threshold[0], 4.5);
  });
  await t.step(
    "minSamplesSplit 9 keeps the root a leaf",
    () =>
      assert.equal(trainTree(d, { minSamplesSplit: 9 }).trees[0].nodeCount, 1),
  );
  await t.step("minImpurityDecrease 0.2 stops weak splits", () => {
    assert.equal(
      trainTree(d, { minImpurityDecrease: 0.2 }).trees[0].nodeCount,
      1,
    );
  });
});

Deno.test("trainTree() applies class weights to node totals", async (t) => {
  const xs = new Array(10).fill(1);
  const labels = ["bot", "bot", ...new Array(8).fill("human")];
  const d = datasetFromRows(["x"], one(xs), labels);
  await t.step("balanced: n / (k * count)", () => {
    assert.deepEqual(Array.from(classWeights(d, "balanced")), [2.5, 0.625]);
    assert.deepEqual(
      Array.from(trainTree(d, { classWeight: "balanced" }).trees[0].value),
      [5, 5],
    );
  });
  await t.step("explicit weight flips the majority", () => {
    assert.equal(predict(trainTree(d), [1]), "human");
    const m = trainTree(d, { classWeight: { bot: 5 } });
    assert.deepEqual(Array.from(m.trees[0].value), [10, 8]);
    assert.equal(predict(m, [1]), "bot");
  });
  await t.step("unknown class is an error", () => {
    assert.throws(
      () => trainTree(d, { classWeight: { robot: 2 } }),
      /class "robot" is not in the data/,
    );
  });
});

Deno.test("pruneTree() cuts weakest links in order and keeps pre-order numbering", () => {
  const xs = [1, 2, 3, 4, 5, 6, 7, 8];
  const labels = ["a", "a", "a", "b", "a", "b", "b", "b"];
  const d = datasetFromRows(["x"], one(xs), labels);
  const full = trainTree(d).trees[0];
  const path = pruningPath(full);
  assert.ok(path.length >= 2);
  assert.deepEqual(path, [...path].sort((a, b) => a - b));
  // Pruning at the largest alpha leaves only the root; at 0, nothing.
  assert.equal(pruneTree(full, path[path.length - 1], 2).nodeCount, 1);
  assert.equal(pruneTree(full, 0, 2), full);
  // Just below the last alpha the root split survives with two leaves.
  const two = pruneTree(full, path[path.length - 1] * 0.999, 2);
  assert.equal(two.nodeCount, 3);
  assert.equal(two.threshold[0], 3.5);
  assert.deepEqual(Array.from(two.left), [1, -1, -1]);
  assert.deepEqual(
    Array.from(
      trainTree(d, { ccpAlpha: path[path.length - 1] * 0.999 }).trees[0]
        .threshold,
    ),
    Array.from(two.threshold),
  );
});

Deno.test("trainTree() rejects bad options with the option's name", () => {
  const d = datasetFromRows(["x"], one([1, 2]), ["a", "b"]);
  assert.throws(
    () => trainTree(d, { maxDepth: -1 }),
    /Option "maxDepth" must be an integer >= 0, got -1/,
  );
  assert.throws(
    () => trainTree(d, { minSamplesLeaf: 0 }),
    /Option "minSamplesLeaf"/,
  );
  assert.throws(() => trainTree(d, { ccpAlpha: NaN }), /Option "ccpAlpha"/);
  assert.throws(
    () => trainTree(d, { criterion: "log_loss" as "gini" }),
    /Option "criterion"/,
  );
});

Deno.test("predictProba() rounds values to float32 like the training data", () => {
  const d = datasetFromRows(["x"], one([0.1, 0.2]), ["a", "b"]);
  const m = trainTree(d);
  // The threshold is the midpoint of the float32 values; a double just above float32(0.1) is still 0.1.
  assert.deepEqual(Array.from(predictProba(m, [0.1 + 1e-12])), [1, 0]);
});
