import assert from "node:assert/strict";
import { backgroundRows, contrastDataset } from "./background.ts";
import { datasetFromRows, rowOf } from "./dataset.ts";
import { predictProba } from "./predict.ts";
import { trainForest } from "./train.ts";

const ROWS = [
  [1, 10, Number.NaN],
  [2, 20, Number.NaN],
  [3, 30, 5],
  [4, 40, 6],
];

Deno.test("backgroundRows() keeps missing-value patterns and draws inside the widened box", () => {
  const bg = backgroundRows(ROWS, {
    n: 400,
    seed: 7,
    widen: 0.5,
    uniformShare: 0.5,
  });
  assert.equal(bg.length, 400);
  for (const [i, row] of bg.entries()) {
    assert.ok(
      row[0] >= 1 - 1.5 && row[0] <= 4 + 1.5,
      `row ${i} col 0: ${row[0]}`,
    );
    assert.ok(
      row[1] >= 10 - 15 && row[1] <= 40 + 15,
      `row ${i} col 1: ${row[1]}`,
    );
    if (!Number.isNaN(row[2])) assert.ok(row[2] >= 4.5 && row[2] <= 6.5);
  }
  // About half the rows are the uniform box, some of them outside the observed range; the
  // rest are independent marginals: observed values only.
  const observed = bg.filter((r) =>
    [1, 2, 3, 4].includes(r[0]) && [10, 20, 30, 40].includes(r[1])
  );
  assert.ok(
    observed.length > 160 && observed.length < 240,
    `${observed.length}`,
  );
  assert.ok(bg.some((r) => r[0] < 1 || r[0] > 4));
  const marginal = backgroundRows(ROWS, { n: 100, seed: 7 });
  assert.ok(marginal.every((r) => [1, 2, 3, 4].includes(r[0])));
  // Column 2 is missing in half the observed rows, so about half the background misses it too.
  const missing = bg.filter((r) => Number.isNaN(r[2])).length;
  assert.ok(missing > 140 && missing < 260, `missing ${missing}`);
  assert.deepEqual(
    backgroundRows(ROWS, { n: 400, seed: 7, uniformShare: 0.5 }),
    bg,
  );
});

Deno.test("backgroundRows() respects floors and refuses no rows", () => {
  const bg = backgroundRows([[0], [1]], {
    n: 200,
    seed: 1,
    floor: [0],
    uniformShare: 1,
  });
  assert.ok(bg.every((r) => r[0] >= 0));
  assert.throws(
    () => backgroundRows([], { n: 1, seed: 1 }),
    /Cannot draw a background for no rows/,
  );
});

Deno.test("contrastDataset() makes a one-class model that scores far-away rows as unlike", () => {
  const rows: number[][] = [], labels: string[] = [];
  for (let i = 0; i < 300; i++) {
    rows.push([50 + (i % 10), 100 + 2 * (i % 10)]); // dependent columns
    labels.push(i % 3 === 0 ? "bot" : "human");
  }
  const data = datasetFromRows(["a", "b"], rows, labels);
  const groups = rows.map((_, i) => `g${i % 30}`);
  const { dataset, groups: g } = contrastDataset(data, "human", {
    seed: 3,
    groups,
  });
  assert.deepEqual(dataset.classes, ["background", "human"]);
  assert.equal(dataset.nRows, 400);
  assert.equal(g!.length, 400);
  assert.equal(g![0], "g1");
  assert.equal(g![399], "background/199");
  const model = trainForest(dataset, { trees: 10, seed: 1, minSamplesLeaf: 5 });
  const human = model.classes.indexOf("human");
  assert.ok(predictProba(model, [54, 108])[human] > 0.7);
  assert.ok(predictProba(model, [51, 118])[human] < 0.2); // inside it, unlike any row
  assert.throws(
    () => contrastDataset(data, "person", { seed: 1 }),
    /Cannot contrast class "person": the data has classes bot, human/,
  );
});

Deno.test("contrastDataset() with a uniform share scores a row past every observed value as unlike", () => {
  const rows: number[][] = [];
  for (let i = 0; i < 300; i++) rows.push([50 + (i % 10), 100 + 2 * (i % 10)]);
  const data = datasetFromRows(["a", "b"], rows, rows.map(() => "human"));
  const far = [500, 1000]; // ten times every observed value
  const pHuman = (uniformShare: number) => {
    const { dataset } = contrastDataset(data, "human", {
      seed: 3,
      uniformShare,
      floor: 0,
    });
    assert.ok(dataset.y.every((_, r) => rowOf(dataset, r)[0] >= 0));
    const model = trainForest(dataset, {
      trees: 10,
      seed: 1,
      minSamplesLeaf: 5,
    });
    return predictProba(model, far)[model.classes.indexOf("human")];
  };
  // Marginals never leave the observed ranges: the far row shares the leaf of the largest values.
  assert.ok(pHuman(0) > 0.5, `marginals: ${pHuman(0)}`);
  assert.ok(pHuman(0.2) < 0.2, `a fifth uniform: ${pHuman(0.2)}`);
});
