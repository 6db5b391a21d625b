import assert from "node:assert/strict";
import { readCsvDataset } from "./csv.ts";
import { runEvaluate } from "./evaluate_cli.ts";
import { parseModel } from "./model_load.ts";
import { runTrain } from "./train_cli.ts";

function capture() {
  const out: string[] = [], err: string[] = [];
  return {
    io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) },
    out,
    err,
  };
}

/** A small separable CSV: 12 sessions x 3 windows, extra non-feature columns. */
function sessionsCsv(): string {
  const lines = ["session,window,speed,pause,source,label"];
  for (let s = 0; s < 12; s++) {
    const bot = s % 3 === 0;
    for (let w = 0; w < 3; w++) {
      const speed = bot ? 50 + s + w : 5 + s * 0.5 + w;
      lines.push(
        `s${s},${w},${speed},${bot ? "" : (0.1 * w).toFixed(1)},sim,${
          bot ? "bot" : "human"
        }`,
      );
    }
  }
  return lines.join("\n") + "\n";
}

Deno.test("readCsvDataset() names file, line and column of a bad cell", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/bad.csv`;
    await Deno.writeTextFile(
      path,
      "session,a,b,label\ns1,1,2,human\ns1,3,abc,bot\n",
    );
    await assert.rejects(() => readCsvDataset(path), {
      name: "SyntaxError",
      message: `${path}:3: column "b" (3): value "abc" is not a number`,
    });
    const c = capture();
    assert.equal(
      await runTrain(["--data", path, "--out", `${dir}/m.json`], c.io),
      1,
    );
    assert.deepEqual(c.err, [
      `train: ${path}:3: column "b" (3): value "abc" is not a number`,
    ]);
    await Deno.writeTextFile(path, "a,label\n1,human\n2\n");
    await assert.rejects(
      () => readCsvDataset(path),
      (e: Error) =>
        e instanceof SyntaxError && e.message.startsWith(`${path}:3: `),
    );
    await Deno.writeTextFile(path, "a,kind\n1,human\n");
    await assert.rejects(() => readCsvDataset(path), {
      message: `Cannot read "${path}": label column "label" is missing`,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readCsvDataset() drops id columns, groups by session and reads NaN", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/d.csv`;
    await Deno.writeTextFile(path, sessionsCsv());
    const { dataset, groups, sha256 } = await readCsvDataset(path);
    assert.deepEqual(dataset.features, ["speed", "pause"]);
    assert.equal(dataset.nRows, 36);
    assert.deepEqual(dataset.classes, ["bot", "human"]);
    assert.equal(groups?.[3], "s1");
    assert.ok(Number.isNaN(dataset.X[36]));
    assert.equal(dataset.X[0], 50);
    assert.match(sha256, /^[0-9a-f]{64}$/);
    const custom = await readCsvDataset(path, {
      drop: ["session", "window", "source"],
      group: "",
    });
    assert.equal(custom.groups, undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runTrain() cross-validates by session, writes a model, and runEvaluate() scores it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const data = `${dir}/d.csv`, out = `${dir}/m.json`;
    await Deno.writeTextFile(data, sessionsCsv());
    const c = capture();
    assert.equal(
      await runTrain([
        "--data",
        data,
        "--out",
        out,
        "--folds",
        "3",
        "--max-depth",
        "3",
      ], c.io),
      0,
      c.err.join("\n"),
    );
    assert.equal(
      c.out[0],
      `data ${data}: 36 rows, 2 features, classes bot, human, 12 groups`,
    );
    assert.equal(
      c.out[1],
      "3-fold CV (grouped), threshold for target FPR 0.01: 0",
    );
    const lines = c.out.join("\n").split("\n");
    assert.ok(lines.includes("accuracy    100.00%"));
    assert.ok(lines.includes("roc auc     1.0000"));
    assert.equal(lines.at(-1), `model written to ${out} (tree, 3 nodes)`);
    const model = parseModel(await Deno.readTextFile(out), out, [
      "speed",
      "pause",
    ]);
    assert.equal(model.negative, "human");
    assert.equal(model.threshold, 0);
    assert.equal(model.metrics?.accuracy, 1);
    assert.deepEqual(model.metrics?.confusion, [[12, 0], [0, 24]]);
    assert.match(model.dataSha256, /^[0-9a-f]{64}$/);
    const e = capture();
    assert.equal(
      await runEvaluate(["--model", out, "--data", data, "--json"], e.io),
      0,
      e.err.join("\n"),
    );
    const m = JSON.parse(e.out[0]);
    assert.equal(m.accuracy, 1);
    assert.equal(m.recall, 1);
    assert.deepEqual(m.confusion, [[12, 0], [0, 24]]);
    const bad = capture();
    assert.equal(
      await runTrain(
        ["--data", data, "--out", out, "--max-depth", "x"],
        bad.io,
      ),
      1,
    );
    assert.deepEqual(bad.err, [
      'train: Option --max-depth: "x" is not an integer',
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
