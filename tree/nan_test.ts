import assert from "node:assert/strict";
import { datasetFromRows } from "./dataset.ts";
import { decisionPath, predict } from "./predict.ts";
import { trainTree } from "./train.ts";

const one = (xs: number[]) => xs.map((x) => [x]);

Deno.test("trainTree() learns that missing values go left when that is purer", () => {
  const d = datasetFromRows(["x"], one([1, 2, NaN, NaN, 10, 11]), [
    "b",
    "b",
    "b",
    "b",
    "h",
    "h",
  ]);
  const m = trainTree(d);
  const t = m.trees[0];
  assert.equal(t.nodeCount, 3);
  assert.equal(t.threshold[0], 6);
  assert.equal(t.nanLeft[0], 1);
  assert.deepEqual(Array.from(t.value), [4, 2, 4, 0, 0, 2]);
  assert.equal(predict(m, [NaN]), "b");
  assert.equal(predict(m, [7]), "h");
});

Deno.test("trainTree() learns that missing values go right when that is purer", () => {
  const d = datasetFromRows(["x"], one([1, 2, NaN, NaN, 10, 11]), [
    "b",
    "b",
    "h",
    "h",
    "h",
    "h",
  ]);
  const t = trainTree(d).trees[0];
  assert.equal(t.threshold[0], 6);
  assert.equal(t.nanLeft[0], 0);
});

Deno.test("trainTree() splits present from missing with an infinite threshold", () => {
  const d = datasetFromRows(["x"], one([1, 2, 3, NaN, NaN]), [
    "b",
    "b",
    "b",
    "h",
    "h",
  ]);
  const m = trainTree(d);
  const t = m.trees[0];
  assert.equal(t.threshold[0], Infinity);
  assert.equal(t.nanLeft[0], 0);
  assert.equal(predict(m, [1e30]), "b");
  assert.equal(predict(m, [NaN]), "h");
});

Deno.test("predict() sends NaN to the larger child when training saw no NaN at that node", async (t) => {
  await t.step("larger left", () => {
    const m = trainTree(
      datasetFromRows(["x"], one([1, 2, 3, 10, 11]), ["b", "b", "b", "h", "h"]),
    );
    assert.equal(m.trees[0].nanLeft[0], 1);
    assert.equal(predict(m, [NaN]), "b");
  });
  await t.step("larger right", () => {
    const m = trainTree(
      datasetFromRows(["x"], one([1, 2, 10, 11, 12]), [
        "b",
        "b",
        "h",
        "h",
        "h",
      ]),
    );
    assert.equal(m.trees[0].nanLeft[0], 0);
    assert.equal(predict(m, [NaN]), "h");
  });
  await t.step("equal sizes go right (scikit-learn: n_left > n_right)", () => {
    const m = trainTree(
      datasetFromRows(["x"], one([1, 2, 10, 11]), ["b", "b", "h", "h"]),
    );
    assert.equal(m.trees[0].nanLeft[0], 0);
  });
});

Deno.test("decisionPath() reports the NaN step and its direction", () => {
  const m = trainTree(
    datasetFromRows(["x", "y"], [[1, 0], [2, 0], [NaN, 0], [10, 0]], [
      "b",
      "b",
      "b",
      "h",
    ]),
  );
  const path = decisionPath(m, m.trees[0], [NaN, 0]);
  assert.equal(path.length, 1);
  assert.equal(path[0].feature, "x");
  assert.equal(path[0].threshold, 6);
  assert.ok(Number.isNaN(path[0].value));
  assert.equal(path[0].wentLeft, true);
});

Deno.test("trainTree() treats a feature with one present value and NaNs as constant", () => {
  // scikit-learn 1.3+: max - min of present values <= 1e-7 means constant, even with NaNs.
  const m = trainTree(
    datasetFromRows(["x"], one([5, 5, NaN, NaN]), ["b", "b", "h", "h"]),
  );
  assert.equal(m.trees[0].nodeCount, 1);
});
