import assert from "node:assert/strict";
import { readCsvDataset } from "./csv.ts";
import { datasetFromRows } from "./dataset.ts";
import { serializeModel } from "./model_json.ts";
import { loadModel, parseModel } from "./model_load.ts";
import { predictProba } from "./predict.ts";
import { renderTree } from "./render.ts";
import { trainForest, trainTree } from "./train.ts";

const data = datasetFromRows(
  ["speed", "pause"],
  [[1, 0.5], [2, NaN], [3, 0.4], [8, 0], [9, 0.1], [10, NaN], [1.5, 0.9]],
  ["human", "human", "human", "bot", "bot", "bot", "human"],
);

Deno.test("serializeModel() and loadModel() round-trip byte for byte", () => {
  for (
    const model of [trainTree(data), trainForest(data, { trees: 3, seed: 7 })]
  ) {
    model.threshold = 0.25;
    model.dataSha256 = "a".repeat(64);
    model.metrics = {
      n: 7,
      accuracy: 1,
      precision: 1,
      recall: 1,
      f1: 1,
      rocAuc: NaN,
      confusion: [[3, 0], [0, 4]],
      threshold: 0.25,
      fpr: 0,
    };
    const text = serializeModel(model);
    const again = parseModel(text, "m.json");
    assert.equal(serializeModel(again), text);
    assert.ok(Number.isNaN(again.metrics!.rocAuc));
    assert.equal(again.threshold, 0.25);
    assert.deepEqual(
      Array.from(predictProba(again, [9, NaN])),
      Array.from(predictProba(model, [9, NaN])),
    );
  }
});

Deno.test('serializeModel() writes an infinite threshold as "Infinity"', () => {
  const d = datasetFromRows(["x"], [[1], [2], [NaN], [NaN]], [
    "b",
    "b",
    "h",
    "h",
  ]);
  const text = serializeModel(trainTree(d));
  assert.match(text, /"threshold":\["Infinity",-2,-2\]/);
  assert.equal(parseModel(text, "m.json").trees[0].threshold[0], Infinity);
});

Deno.test("loadModel() rejects a feature mismatch with a clear message", async (t) => {
  const json = JSON.parse(serializeModel(trainTree(data)));
  await t.step("missing feature", () => {
    assert.throws(
      () =>
        loadModel(json, "data/model.json", ["speed", "pause", "scroll_speed"]),
      {
        name: "TypeError",
        message:
          'Cannot load model "data/model.json": feature "scroll_speed" is missing',
      },
    );
  });
  await t.step("unexpected feature", () => {
    assert.throws(
      () => loadModel(json, "data/model.json", ["speed"]),
      {
        message:
          'Cannot load model "data/model.json": feature "pause" is not in the expected feature list',
      },
    );
  });
  await t.step("same features in another order are re-indexed", () => {
    const m = loadModel(json, "data/model.json", ["pause", "speed"]);
    assert.deepEqual(m.features, ["pause", "speed"]);
    assert.deepEqual(
      Array.from(predictProba(m, [0, 9])),
      Array.from(predictProba(trainTree(data), [9, 0])),
    );
  });
});

Deno.test("loadModel() rejects malformed files naming the field", async (t) => {
  const good = JSON.parse(serializeModel(trainTree(data)));
  const cases: [string, (j: Record<string, unknown>) => unknown, RegExp][] = [
    ["wrong format", (j) => ({ ...j, format: "guard-tree/9" }), /"format": /],
    ["unknown key", (j) => ({ ...j, extra: 1 }), /the file: Unrecognized key/],
    ["bad child", (j) => {
      const trees = structuredClone(j.trees) as { left: number[] }[];
      trees[0].left[0] = 0;
      return { ...j, trees };
    }, /tree 0: node 0 has bad children/],
    ["short values", (j) => {
      const trees = structuredClone(j.trees) as { value: number[][] }[];
      trees[0].value.pop();
      return { ...j, trees };
    }, /tree 0: "value" has \d+ entries, expected \d+/],
    [
      "negative class",
      (j) => ({ ...j, negative: "robot" }),
      /negative class "robot" is not one of the classes/,
    ],
    ["feature index out of range", (j) => {
      const trees = structuredClone(j.trees) as { feature: number[] }[];
      trees[0].feature[0] = 5;
      return { ...j, trees };
    }, /node 0 tests feature 5 of 2/],
  ];
  for (const [name, mutate, message] of cases) {
    await t.step(name, () => {
      assert.throws(
        () => loadModel(mutate(good), "m.json"),
        (e: Error) => e instanceof TypeError && message.test(e.message),
      );
    });
  }
  await t.step("JSON syntax", () => {
    assert.throws(
      () => parseModel("{", "m.json"),
      (e: Error) =>
        e instanceof SyntaxError &&
        /^Cannot load model "m.json": /.test(e.message),
    );
  });
});

Deno.test("renderTree() draws splits, NaN directions and leaves", () => {
  const d = datasetFromRows(["x"], [[1], [2], [NaN], [10]], [
    "b",
    "b",
    "b",
    "h",
  ]);
  assert.equal(
    renderTree(trainTree(d)),
    [
      "|--- x <= 6 or missing",
      "|   |--- class: b (b=1 h=0; n=3)",
      "|--- x >  6",
      "|   |--- class: h (b=0 h=1; n=1)",
      "",
    ].join("\n"),
  );
});

Deno.test("loadModel() accepts pure-node Gini that rounds below zero (regression: balanced weights)", async () => {
  const { dataset } = await readCsvDataset(
    new URL("./reference/noisy_train.csv", import.meta.url).pathname,
  );
  const model = trainTree(dataset, { classWeight: "balanced" });
  const min = Math.min(...model.trees[0].impurity);
  assert.ok(min < 0 && min > -1e-12, `min impurity ${min}`);
  const text = serializeModel(model);
  assert.equal(serializeModel(parseModel(text, "m.json")), text);
});
