/**
 * `deno task train` with its defaults must make a model that generalises: on each held-out
 * reference set it comes within 0.01 ROC AUC of scikit-learn's DecisionTreeClassifier(max_depth=8,
 * min_samples_leaf=5) (reference/default_aucs.json, written by reference/make_reference.py).
 */
import assert from "node:assert/strict";
import { runEvaluate } from "./evaluate_cli.ts";
import { runTrain } from "./train_cli.ts";

const DIR = new URL("./reference/", import.meta.url).pathname;
const REF = JSON.parse(
  Deno.readTextFileSync(`${DIR}default_aucs.json`),
) as { aucs: Record<string, number>; params: Record<string, number> };

function capture() {
  const out: string[] = [], err: string[] = [];
  return {
    io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) },
    out,
    err,
  };
}

Deno.test("runTrain() with no tree flags comes within 0.01 ROC AUC of scikit-learn's depth-8, leaf-5 tree", async (t) => {
  assert.deepEqual(Object.keys(REF.aucs), ["noisy", "missing", "imbalanced"]);
  const dir = await Deno.makeTempDir();
  try {
    for (const [name, reference] of Object.entries(REF.aucs)) {
      await t.step(name, async () => {
        const out = `${dir}/${name}.json`;
        const train = capture();
        assert.equal(
          await runTrain(
            ["--data", `${DIR}${name}_train.csv`, "--out", out],
            train.io,
          ),
          0,
          train.err.join("\n"),
        );
        assert.match(train.out.at(-1)!, / \(forest, \d+ nodes\)$/);
        const e = capture();
        assert.equal(
          await runEvaluate(
            ["--model", out, "--data", `${DIR}${name}_test.csv`, "--json"],
            e.io,
          ),
          0,
          e.err.join("\n"),
        );
        const auc: number = JSON.parse(e.out[0]).rocAuc;
        assert.ok(
          auc >= reference - 0.01,
          `${name}: ROC AUC ${auc} with the defaults < scikit-learn's ${reference} - 0.01`,
        );
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
