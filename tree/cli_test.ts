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
        "--trees",
        "1",
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
    assert.ok(lines.includes("roc auc     1.0000   (over all thresholds)"));
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
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runTrain() and runEvaluate() answer --help and reject unknown options and bad values", async (t) => {
  for (
    const [name, run] of [["train", runTrain], [
      "evaluate",
      runEvaluate,
    ]] as const
  ) {
    await t.step(`${name} --help`, async () => {
      const c = capture();
      assert.equal(await run(["--help"], c.io), 0);
      assert.equal(c.err.length, 0);
      assert.equal(c.out.length, 1);
      assert.match(c.out[0], new RegExp(`^Usage: deno task ${name} `));
      assert.match(c.out[0], new RegExp(`^Example: deno task ${name} `, "m"));
    });
    await t.step(`${name} --bogus`, async () => {
      const c = capture();
      assert.equal(await run(["--bogus"], c.io), 2);
      assert.equal(c.out.length, 0);
      assert.equal(c.err[0], `${name}: Unknown option '--bogus'`);
      assert.match(c.err[1], /^Usage: /);
    });
  }
  const c = capture();
  assert.equal(await runTrain(["--max-depth", "x"], c.io), 2);
  assert.equal(c.err[0], 'train: Option --max-depth: "x" is not an integer');
  const f = capture();
  assert.equal(await runTrain(["--target-fpr", "2"], f.io), 2);
  assert.equal(f.err[0], 'train: Option --target-fpr: "2" is not in [0, 1]');
  const u = capture();
  assert.equal(await runTrain(["--uniform-share", "1.5"], u.io), 2);
  assert.equal(
    u.err[0],
    'train: Option --uniform-share: "1.5" is not in [0, 1]',
  );
  const m = capture();
  assert.equal(await runTrain(["--min-samples-leaf", "0"], m.io), 2);
  assert.equal(
    m.err[0],
    'train: Option "minSamplesLeaf" must be an integer >= 1, got 0',
  );
});

Deno.test("runEvaluate() counts the confusion matrix at the model's threshold, not at P(bot) > 0.5", async () => {
  // Leaves score 0, 0.6 and 1; at the threshold 0.625 the two humans scoring 0.6 are not flagged,
  // so the matrix must not count them as bots next to "fpr 0.00%" (it did: argmax said bot).
  const dir = await Deno.makeTempDir();
  try {
    const data = `${dir}/d.csv`, out = `${dir}/m.json`;
    await Deno.writeTextFile(
      data,
      "x,label\n" + [
        ...Array(4).fill("0,human"),
        ...Array(3).fill("1,bot"),
        ...Array(2).fill("1,human"),
        ...Array(4).fill("2,bot"),
      ].join("\n") + "\n",
    );
    const c = capture();
    const args = ["--data", data, "--out", out, "--group", "", "--folds", "3"];
    const tree = ["--trees", "1", "--min-samples-leaf", "1"];
    assert.equal(await runTrain([...args, ...tree], c.io), 0, c.err.join("\n"));
    const model = JSON.parse(await Deno.readTextFile(out));
    model.threshold = 0.625;
    await Deno.writeTextFile(out, JSON.stringify(model));
    const e = capture();
    assert.equal(await runEvaluate(["--model", out, "--data", data], e.io), 0);
    assert.deepEqual(e.out[0].split("\n"), [
      'at threshold 0.625: positive = not "human", score = 1 - P(human) > 0.625',
      "rows        13",
      "flagged     4",
      "accuracy    76.92%",
      "precision   100.00%",
      "recall      57.14%",
      "f1          72.73%",
      "fpr         0.00%",
      "roc auc     0.9286   (over all thresholds)",
      "confusion at threshold 0.625 (rows: actual, columns: predicted)",
      "                 bot     human",
      "bot                4         3",
      "human              0         6",
    ]);
    const j = capture();
    assert.equal(
      await runEvaluate(["--model", out, "--data", data, "--json"], j.io),
      0,
    );
    const m = JSON.parse(j.out[0]);
    assert.deepEqual(m.confusion, [[4, 3], [0, 6]]);
    assert.equal(m.threshold, 0.625);
    assert.equal(m.flagged, 4);
    assert.equal(m.fpr, 0);
    assert.equal(m.accuracy, 10 / 13);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runTrain() reports a threshold of 1 as flagging no row, not precision 0.00 % next to true positives", async () => {
  // Session "h" is a human who moves like the bots: out of fold it scores 1, so the threshold
  // holding a 1 % FPR on 27 human windows is 1 and no row is flagged. The report used to print
  // "precision 0.00%" beside a matrix (at P(bot) > 0.5) with all 12 bot windows caught.
  const dir = await Deno.makeTempDir();
  try {
    const data = `${dir}/d.csv`, out = `${dir}/m.json`;
    await Deno.writeTextFile(
      data,
      sessionsCsv() +
        "h,0,70,,sim,human\nh,1,71,,sim,human\nh,2,72,,sim,human\n",
    );
    const c = capture();
    assert.equal(
      await runTrain([
        "--data",
        data,
        "--out",
        out,
        "--folds",
        "3",
        "--trees",
        "1",
        "--min-samples-leaf",
        "1",
      ], c.io),
      0,
      c.err.join("\n"),
    );
    assert.deepEqual(c.out.slice(1, 3), [
      "3-fold CV (grouped), threshold for target FPR 0.01: 1",
      [
        'at threshold 1: positive = not "human", score = 1 - P(human) > 1',
        "rows        39",
        "flagged     0 (no row scores above the threshold 1: nothing is classed positive)",
        "accuracy    69.23%",
        "precision   n/a (no row flagged)",
        "recall      0.00%",
        "f1          n/a (no row flagged)",
        "fpr         0.00%",
        "roc auc     0.9444   (over all thresholds)",
        "confusion at threshold 1 (rows: actual, columns: predicted)",
        "                 bot     human",
        "bot                0        12",
        "human              0        27",
      ].join("\n"),
    ]);
    const model = parseModel(await Deno.readTextFile(out), out);
    assert.equal(model.threshold, 1);
    assert.deepEqual(model.metrics?.confusion, [[0, 12], [0, 27]]);
    const e = capture();
    assert.equal(
      await runEvaluate(["--model", out, "--data", data, "--json"], e.io),
      0,
    );
    const m = JSON.parse(e.out[0]);
    assert.equal(m.flagged, 0);
    assert.equal(m.precision, null);
    assert.equal(m.f1, null);
    assert.equal(m.recall, 0);
    assert.deepEqual(m.confusion, [[0, 12], [0, 27]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
