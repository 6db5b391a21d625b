/**
 * `deno task evaluate-data`: measures the detector on data/sessions.csv and writes
 * docs/evaluation.md. Grouped CV (person / bot session), per-kind detection, session rules,
 * leave-one-bot-kind-out, leave-one-dataset-out, per-axis vs invariant features, replay with
 * jitter, and the Aalto typing false-positive rate (Aalto is evaluation-only, never trained on).
 * The hand-written findings (sim/evaluation/evaluation_notes.md) are appended under the measured tables.
 *
 * Usage: deno task evaluate-data [--data data/sessions.csv] [--out docs/evaluation.md]
 *        [--root ../shared/datasets] [--k 5] [--fpr 0.01] [--forest-trees 30] [--chosen 6]
 */
import { cliArgs, runCli, writeMarkdownReport } from "../../cli.ts";
import { DEFAULT_DATASETS_ROOT } from "../../collector/importers/mod.ts";
import { groupFolds } from "./_cv.ts";
import {
  crossValidateConfig,
  holdOut,
  type ModelConfig,
  PER_AXIS,
  SOURCE_ONLY,
  sweepRules,
  TYPING,
} from "./_experiments.ts";
import {
  aaltoRows,
  asGuardSees,
  compositeRows,
  replayRows,
} from "./_adversaries.ts";
import { renderReport } from "./_report.ts";
import { readRows } from "../dataset/build_dataset.ts";
import type { DatasetRow } from "../dataset/dataset.ts";

const log = (msg: string) =>
  console.error(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

/** The configurations compared; the per-axis/count and typing drops are what transfer decides. */
export function modelConfigs(forest: number): ModelConfig[] {
  const invariant = [...PER_AXIS];
  const noTyping = [...new Set([...PER_AXIS, ...TYPING])];
  return [
    { name: "tree, all features", trees: 1, drop: [] },
    { name: "tree, invariant (no per-axis/count)", trees: 1, drop: invariant },
    { name: "tree, invariant, no typing", trees: 1, drop: noTyping },
    { name: `forest ${forest}, all features`, trees: forest, drop: [] },
    {
      name: `forest ${forest}, invariant (no per-axis/count)`,
      trees: forest,
      drop: invariant,
    },
    {
      name: `forest ${forest}, invariant, no typing`,
      trees: forest,
      drop: noTyping,
    },
    {
      name: `forest ${forest}, invariant, no typing, no webdriver`,
      trees: forest,
      drop: [...noTyping, ...SOURCE_ONLY],
    },
  ];
}

function leaveOneDatasetOut(
  rows: readonly DatasetRow[],
  folds: number[],
  config: ModelConfig,
  threshold: number,
) {
  return ["sapimouse", "balabit"].map((held) => {
    log(`lodo ${held} ${config.name}`);
    const train = rows.filter((r, i) => r.kind !== held && folds[i] !== 0);
    const test = rows.filter((r, i) =>
      r.kind === held || (r.label === "bot" && folds[i] === 0)
    );
    return {
      held,
      config: config.name,
      ...holdOut(train, test, config, threshold),
    };
  });
}

function leaveOneKindOut(
  rows: readonly DatasetRow[],
  folds: number[],
  config: ModelConfig,
  threshold: number,
) {
  const kinds = [
    ...new Set(rows.filter((r) => r.label === "bot").map((r) => r.kind)),
  ];
  return kinds.map((kind) => {
    log(`loko ${kind}`);
    const train = rows.filter((r, i) => r.kind !== kind && folds[i] !== 0);
    const test = rows.filter((r, i) =>
      r.kind === kind || (r.label === "human" && folds[i] === 0)
    );
    return { kind, ...holdOut(train, test, config, threshold) };
  });
}

const HELP = `Usage: deno task evaluate-data [options]
Measures the detector on the dataset (grouped CV, per-kind detection, session rules, leave-one-
kind-out and leave-one-dataset-out, replay, composites, webdriver, Aalto typing) and writes the
report with the hand-written notes appended.
Options:
  --data FILE            the dataset (default data/sessions.csv)
  --out FILE             the report (default docs/evaluation.md)
  --notes FILE           findings appended under the tables (default sim/evaluation/evaluation_notes.md)
  --root DIR             public datasets (default ${DEFAULT_DATASETS_ROOT})
  --k N                  CV folds (default 5)
  --fpr X                target human-window false-positive rate (default 0.01)
  --forest-trees N       trees of the forest configurations (default 30)
  --aalto-people N       Aalto typists measured (default 100)
  --chosen I             index of the configuration the later sections use, 0-6 (default 6)
  --help                 this text
Example: deno task evaluate-data --out .data/evaluation.md --forest-trees 10`;

/** Parsed arguments of `deno task evaluate-data`. */
export interface EvaluateDataArgs {
  data: string;
  out: string;
  notes: string;
  root: string;
  k: number;
  fpr: number;
  forestTrees: number;
  aaltoPeople: number;
  chosen: number;
}

/** Parses `deno task evaluate-data` arguments; throws naming an unknown option or a bad value. */
export function parseEvaluateDataArgs(args: string[]): EvaluateDataArgs {
  const { values } = cliArgs(args, {
    options: {
      data: { type: "string", default: "data/sessions.csv" },
      out: { type: "string", default: "docs/evaluation.md" },
      notes: { type: "string", default: "sim/evaluation/evaluation_notes.md" },
      root: { type: "string", default: DEFAULT_DATASETS_ROOT },
      k: { type: "string", default: "5" },
      fpr: { type: "string", default: "0.01" },
      "forest-trees": { type: "string", default: "30" },
      "aalto-people": { type: "string", default: "100" },
      chosen: { type: "string", default: "6" },
    },
  });
  const num = (name: keyof typeof values, lo: number, hi: number) => {
    const text = values[name], v = Number(text);
    if (text.trim() === "" || !(v >= lo && v <= hi)) {
      throw new RangeError(
        `Option --${name} must be in [${lo}, ${hi}], got "${text}"`,
      );
    }
    return v;
  };
  const int = (name: keyof typeof values, lo: number, hi: number) => {
    const v = num(name, lo, hi);
    if (!Number.isInteger(v)) {
      throw new RangeError(
        `Option --${name} must be an integer, got "${values[name]}"`,
      );
    }
    return v;
  };
  return {
    data: values.data,
    out: values.out,
    notes: values.notes,
    root: values.root,
    k: int("k", 2, 100),
    fpr: num("fpr", 0, 1),
    forestTrees: int("forest-trees", 1, 1000),
    aaltoPeople: int("aalto-people", 1, 100_000),
    chosen: int("chosen", 0, modelConfigs(1).length - 1),
  };
}

async function main(values: EvaluateDataArgs): Promise<number> {
  const { k, fpr } = values, seed = 1;
  const rows = await readRows(values.data);
  log(`rows=${rows.length}`);
  const configs = modelConfigs(values.forestTrees);
  const cv = configs.map((
    c,
  ) => (log(`cv ${c.name}`), crossValidateConfig(rows, c, { k, seed, fpr })));
  const folds = groupFolds(rows, k, seed);
  const lodo = configs.map((c, i) =>
    leaveOneDatasetOut(rows, folds, c, cv[i].threshold)
  );
  const ci = values.chosen;
  const chosen = configs[ci];
  const rules = sweepRules(rows, cv[ci].scores, cv[ci].threshold);
  const loko = leaveOneKindOut(rows, folds, chosen, cv[ci].threshold);
  log("replay");
  const people = new Set(
    rows.filter((r, i) => r.kind === "sapimouse" && folds[i] === 0).map((r) =>
      r.group
    ),
  );
  const replaySet = await replayRows(values.root, people, seed);
  const replay = holdOut(
    rows.filter((_, i) => folds[i] !== 0),
    replaySet,
    chosen,
    cv[ci].threshold,
  );
  log("composite");
  const compositeSet = await compositeRows(values.root, people);
  const plain = rows.filter((r, i) => r.kind === "sapimouse" && folds[i] === 0);
  const compositeTrain = rows.filter((_, j) => folds[j] !== 0);
  const compositeTest = [...plain, ...compositeSet];
  const composite = configs.map((config, i) => ({
    config: config.name,
    ...holdOut(compositeTrain, compositeTest, config, cv[i].threshold),
  }));
  composite.push({
    config: `${chosen.name}, pointer gate on`,
    ...holdOut(compositeTrain, compositeTest, chosen, cv[ci].threshold, true),
  });
  log("webdriver");
  const seenHumans = asGuardSees(
    rows.filter((r, i) => r.label === "human" && folds[i] === 0),
  );
  const seen = configs.map((config, i) => ({
    config: config.name,
    ...holdOut(compositeTrain, seenHumans, config, cv[i].threshold),
  }));
  log("aalto");
  const aaltoSet = await aaltoRows(values.root, values.aaltoPeople);
  const aalto = configs.flatMap((config, i) => [
    {
      config: config.name,
      gate: false,
      ...holdOut(rows, aaltoSet, config, cv[i].threshold),
    },
    {
      config: config.name,
      gate: true,
      ...holdOut(rows, aaltoSet, config, cv[i].threshold, true),
    },
  ]);
  const notes = await Deno.readTextFile(values.notes).catch(() => undefined);
  const report = {
    rows,
    configs,
    cv,
    lodo,
    chosen,
    loko,
    replay,
    composite,
    seen,
    rules,
    aalto,
    k,
    fpr,
    seed,
    notes,
  };
  await writeMarkdownReport(values.out, renderReport(report));
  log(`wrote ${values.out}`);
  return 0;
}

if (import.meta.main) {
  Deno.exit(
    await runCli({
      name: "evaluate-data",
      help: HELP,
      parse: parseEvaluateDataArgs,
      run: main,
    }, Deno.args),
  );
}
