import assert from "node:assert/strict";
import { chooseCcpAlpha, crossValidate, foldsOf } from "./cv.ts";
import { readCsvDataset } from "./csv.ts";
import { datasetFromRows } from "./dataset.ts";
import { metrics, rocAuc, thresholdForFpr } from "./metrics.ts";

Deno.test("rocAuc() counts ties as half", () => {
  assert.equal(rocAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true]), 0.75);
  assert.equal(rocAuc([0.5, 0.5], [false, true]), 0.5);
  assert.ok(Number.isNaN(rocAuc([0.1, 0.2], [true, true])));
});

Deno.test("thresholdForFpr() keeps false positives within the target", async (t) => {
  const scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0, 0.95];
  const pos = [
    false,
    false,
    false,
    false,
    false,
    false,
    false,
    false,
    false,
    false,
    true,
  ];
  await t.step(
    "10% of 10 negatives: one may score above",
    () => assert.equal(thresholdForFpr(scores, pos, 0.1), 0.8),
  );
  await t.step(
    "0%: above every negative",
    () => assert.equal(thresholdForFpr(scores, pos, 0), 0.9),
  );
  await t.step(
    "out of range",
    () => assert.throws(() => thresholdForFpr(scores, pos, 2), RangeError),
  );
});

Deno.test("metrics() computes precision, recall, F1 and the confusion matrix", () => {
  const m = metrics({
    classes: ["bot", "human"],
    negative: "human",
    actual: [0, 0, 0, 1, 1, 1, 1],
    positiveClass: [0, 0, 0, 0, 0, 0, 0],
    scores: [0.9, 0.8, 0.2, 0.1, 0.3, 0.7, 0],
    threshold: 0.5,
  });
  assert.deepEqual(m.confusion, [[2, 1], [1, 3]]);
  assert.equal(m.accuracy, 5 / 7);
  assert.equal(m.precision, 2 / 3);
  assert.equal(m.recall, 2 / 3);
  assert.equal(m.f1, 2 / 3);
  assert.equal(m.fpr, 1 / 4);
  assert.equal(m.rocAuc, 10 / 12);
});

Deno.test("foldsOf() never splits a group across folds", () => {
  const groups = Array.from({ length: 100 }, (_, i) => `g${i % 13}`);
  const { folds, foldOf } = foldsOf(100, 5, 42, groups);
  assert.equal(folds, 5);
  const foldOfGroup = new Map<string, number>();
  groups.forEach((g, i) => {
    if (foldOfGroup.has(g)) assert.equal(foldOf[i], foldOfGroup.get(g));
    foldOfGroup.set(g, foldOf[i]);
  });
  const sizes = [0, 1, 2, 3, 4].map((f) =>
    foldOf.filter((x) => x === f).length
  );
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 8, `sizes ${sizes}`);
  assert.deepEqual(foldsOf(100, 5, 42, groups).foldOf, foldOf);
  assert.equal(foldsOf(3, 5, 0, ["a", "a", "b"]).folds, 2);
  assert.throws(
    () => foldsOf(3, 5, 0, ["a", "a", "a"]),
    /need at least 2 groups, got 1/,
  );
});

Deno.test("crossValidate() keeps leaked sessions out: grouped CV is honest on duplicated rows", () => {
  // Each session repeats one random point with a random label: row-wise CV memorises the copies,
  // grouped CV cannot.
  const rows: number[][] = [], labels: string[] = [], groups: string[] = [];
  let seed = 1;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let s = 0; s < 40; s++) {
    const x = rand(), label = rand() < 0.5 ? "bot" : "human";
    for (let w = 0; w < 5; w++) {
      rows.push([x]);
      labels.push(label);
      groups.push(`s${s}`);
    }
  }
  const d = datasetFromRows(["x"], rows, labels);
  const leaky = crossValidate(d, {}, { folds: 5 });
  const grouped = crossValidate(d, {}, { folds: 5, groups });
  assert.equal(leaky.metrics.accuracy, 1);
  assert.ok(
    grouped.metrics.accuracy < 0.75,
    `grouped accuracy ${grouped.metrics.accuracy}`,
  );
});

Deno.test("chooseCcpAlpha() picks the pruning level with the best CV accuracy", async () => {
  const { dataset } = await readCsvDataset(
    new URL("./reference/noisy_train.csv", import.meta.url).pathname,
  );
  const { alpha, candidates } = chooseCcpAlpha(dataset, {}, {
    folds: 5,
    seed: 0,
  });
  assert.equal(candidates[0].alpha, 0);
  const best = Math.max(...candidates.map((c) => c.accuracy));
  assert.equal(candidates.find((c) => c.alpha === alpha)!.accuracy, best);
  // Noisy labels: a fully grown tree overfits, so some pruning wins.
  assert.ok(alpha > 0);
  assert.ok(best > candidates[0].accuracy);
  // Larger alpha on ties: no candidate above the chosen one reaches the best accuracy.
  for (const c of candidates) if (c.alpha > alpha) assert.ok(c.accuracy < best);
});
