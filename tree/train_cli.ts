/**
 * `deno task train [--data data/sessions.csv] [--out data/model.json] [options]`: reads a CSV,
 * cross-validates (grouped by `--group`, default the `session` column when present), picks the
 * score threshold for `--target-fpr`, trains on all rows and writes the model JSON.
 *
 * With no tree flags it trains a forest of {@link DEFAULT_TREES} trees with at least
 * {@link DEFAULT_MIN_SAMPLES_LEAF} rows per leaf (sqrt features per split): one unpruned tree has
 * 0/1 leaves and ranks held-out rows poorly (tree/defaults_test.ts holds the defaults to
 * scikit-learn's depth-8, leaf-5 tree on the noisy, missing-value and imbalanced reference sets).
 *
 * Columns: `--label` (default `label`) is the class; `--drop` lists non-feature columns (default
 * session, window, group, source, kind, those present); every other column must be numeric
 * (empty or NaN = missing).
 *
 * `--contrast CLASS` trains a one-class model instead: the rows of CLASS against as many rows of
 * a reference background (tree/background.ts), so the model scores how unlike CLASS a row is
 * (the guard's humanness model: `--contrast human`).
 *
 * @module
 */
import { cliArgs, type CliIo, consoleIo, runCli } from "../cli.ts";
import { readCsvDataset } from "./csv.ts";
import { contrastDataset } from "./background.ts";
import { chooseCcpAlpha, crossValidate } from "./cv.ts";
import { serializeModel } from "./model_json.ts";
import { formatImportances, formatMetrics } from "./report.ts";
import { resolveOptions, trainTree } from "./train.ts";
import type { TreeOptions } from "./types.ts";

export type { CliIo };

/** Trees of the CLI's default forest (`--trees`); the library's own default stays 1. */
export const DEFAULT_TREES = 50;
/** The CLI's default `--min-samples-leaf` (the library's, like scikit-learn's, stays 1). */
export const DEFAULT_MIN_SAMPLES_LEAF = 5;

function numberArg(
  name: string,
  value: string | undefined,
  integer: boolean,
): number | undefined {
  if (value === undefined) return undefined;
  const v = Number(value);
  if (
    value.trim() === "" || !Number.isFinite(v) ||
    (integer && !Number.isInteger(v))
  ) {
    throw new RangeError(
      `Option --${name}: "${value}" is not ${
        integer ? "an integer" : "a number"
      }`,
    );
  }
  return v;
}

/** Parses the tree options of the command line. */
export function treeOptionsOf(
  v: Record<string, string | boolean | undefined>,
): TreeOptions {
  const s = (k: string) => v[k] as string | undefined;
  const cw = s("class-weight");
  if (cw !== undefined && cw !== "balanced") {
    throw new RangeError(
      `Option --class-weight: only "balanced" is supported, got "${cw}"`,
    );
  }
  const mf = s("max-features");
  const ccp = s("ccp-alpha");
  return resolveOptions({
    criterion: s("criterion") as TreeOptions["criterion"],
    maxDepth: numberArg("max-depth", s("max-depth"), true),
    minSamplesSplit: numberArg(
      "min-samples-split",
      s("min-samples-split"),
      true,
    ),
    minSamplesLeaf:
      numberArg("min-samples-leaf", s("min-samples-leaf"), true) ??
        DEFAULT_MIN_SAMPLES_LEAF,
    minImpurityDecrease: numberArg(
      "min-impurity-decrease",
      s("min-impurity-decrease"),
      false,
    ),
    classWeight: cw as "balanced" | undefined,
    ccpAlpha: ccp === "cv" ? 0 : numberArg("ccp-alpha", ccp, false),
    trees: numberArg("trees", s("trees"), true) ?? DEFAULT_TREES,
    maxFeatures: mf === undefined || ["sqrt", "log2", "all"].includes(mf)
      ? mf as TreeOptions["maxFeatures"]
      : numberArg("max-features", mf, false),
    seed: numberArg("seed", s("seed"), true),
  });
}

const HELP = `Usage: deno task train [options]
Trains a forest (or, with --trees 1, one CART tree) on a labelled CSV: grouped k-fold CV, the
score threshold for --target-fpr on the out-of-fold scores, then the model on all rows.
Options:
  --data FILE                  labelled CSV (default data/sessions.csv)
  --out FILE                   model JSON written (default data/model.json)
  --label COLUMN               class column (default label)
  --drop A,B                   non-feature columns (default session, window, group, source, kind)
  --group COLUMN               CV groups (default session when present; "" for row-wise folds)
  --negative CLASS             the class scored against (default human when present)
  --target-fpr X               false-positive rate the threshold holds (default 0.01)
  --folds N                    CV folds (default 5)
  --contrast CLASS             one-class model: CLASS against a reference background
  --uniform-share X            with --contrast: share of background rows from a widened uniform box
                               over the observed ranges (default 0: independent marginals only)
  --floor X                    with --contrast: lower bound of that box for every column (default none)
Tree options (defaults: a forest of ${DEFAULT_TREES} trees, >= ${DEFAULT_MIN_SAMPLES_LEAF} rows per leaf, sqrt features per
split: with no flags it generalises where one unpruned tree with 0/1 leaves does not):
  --trees N                    trees (default ${DEFAULT_TREES}; 1 = one CART tree on all rows)
  --min-samples-leaf N         rows per leaf at least (default ${DEFAULT_MIN_SAMPLES_LEAF})
  --max-features sqrt|log2|all|N|X   features tried per split (default sqrt; all for one tree)
  --max-depth N                depth limit (default 0 = none)
  --min-samples-split N        rows a node needs to split (default 2)
  --min-impurity-decrease X    smallest weighted impurity decrease kept (default 0)
  --criterion gini|entropy     split criterion (default gini)
  --class-weight balanced      weight classes n / (k * count)
  --ccp-alpha X|cv             cost-complexity pruning; cv picks alpha by grouped CV accuracy
  --seed N                     seed of folds, bootstrap and features (default 0)
  --help                       this text
Example: deno task train --data data/sessions.csv --out .data/model.json --group group`;

const OPTIONS = {
  data: { type: "string", default: "data/sessions.csv" },
  out: { type: "string", default: "data/model.json" },
  label: { type: "string", default: "label" },
  drop: { type: "string" },
  group: { type: "string" },
  negative: { type: "string" },
  "target-fpr": { type: "string", default: "0.01" },
  folds: { type: "string", default: "5" },
  criterion: { type: "string" },
  "max-depth": { type: "string" },
  "min-samples-split": { type: "string" },
  "min-samples-leaf": { type: "string" },
  "min-impurity-decrease": { type: "string" },
  "class-weight": { type: "string" },
  "ccp-alpha": { type: "string" },
  trees: { type: "string" },
  "max-features": { type: "string" },
  seed: { type: "string" },
  contrast: { type: "string" },
  "uniform-share": { type: "string" },
  floor: { type: "string" },
} as const;

/** Parsed arguments of `deno task train`. */
export interface TrainArgs {
  data: string;
  out: string;
  label: string;
  drop?: string[];
  group?: string;
  negative?: string;
  contrast?: string;
  /** `--uniform-share`, `--floor`: the contrast background (tree/background.ts). */
  uniformShare?: number;
  floor?: number;
  targetFpr: number;
  folds: number;
  options: ReturnType<typeof treeOptionsOf>;
  /** `--ccp-alpha cv`: choose alpha by CV. */
  ccpByCv: boolean;
}

function shareArg(text: string | undefined): number | undefined {
  const x = numberArg("uniform-share", text, false);
  if (x !== undefined && !(x >= 0 && x <= 1)) {
    throw new RangeError(`Option --uniform-share: "${text}" is not in [0, 1]`);
  }
  return x;
}

/** Parses `deno task train` arguments; throws naming an unknown option or a bad value. */
export function parseTrainArgs(args: string[]): TrainArgs {
  const { values: v } = cliArgs(args, { options: OPTIONS });
  const targetFpr = numberArg("target-fpr", v["target-fpr"], false)!;
  if (!(targetFpr >= 0 && targetFpr <= 1)) {
    throw new RangeError(
      `Option --target-fpr: "${v["target-fpr"]}" is not in [0, 1]`,
    );
  }
  return {
    data: v.data,
    out: v.out,
    label: v.label,
    drop: v.drop?.split(",").map((x) => x.trim()).filter((x) => x !== ""),
    group: v.group,
    negative: v.negative,
    contrast: v.contrast,
    uniformShare: shareArg(v["uniform-share"]),
    floor: numberArg("floor", v.floor, false),
    targetFpr,
    folds: numberArg("folds", v.folds, true)!,
    options: treeOptionsOf(v),
    ccpByCv: v["ccp-alpha"] === "cv",
  };
}

async function train(a: TrainArgs, io: CliIo): Promise<number> {
  const { options, folds, targetFpr } = a;
  const read = await readCsvDataset(a.data, {
    label: a.label,
    drop: a.drop,
    group: a.group,
    onProgress: (rows, bytes, total) =>
      io.err(`read ${rows} rows (${Math.round(100 * bytes / total)}%)`),
  });
  const { sha256 } = read;
  const { dataset, groups } = a.contrast === undefined
    ? read
    : contrastDataset(read.dataset, a.contrast, {
      seed: options.seed ?? 0,
      groups: read.groups,
      uniformShare: a.uniformShare,
      floor: a.floor,
    });
  io.out(
    `data ${a.data}: ${dataset.nRows} rows, ${dataset.features.length} features, classes ${
      dataset.classes.join(", ")
    }${groups ? `, ${new Set(groups).size} groups` : ""}`,
  );
  const cvOptions = {
    folds,
    seed: options.seed,
    groups,
    targetFpr,
    negative: a.negative ?? a.contrast,
  };
  if (a.ccpByCv) {
    options.ccpAlpha = chooseCcpAlpha(dataset, options, cvOptions).alpha;
    io.out(`ccp alpha chosen by ${folds}-fold CV: ${options.ccpAlpha}`);
  }
  const cv = crossValidate(dataset, options, cvOptions);
  io.out(
    `${cv.folds}-fold CV${
      groups ? " (grouped)" : ""
    }, threshold for target FPR ${targetFpr}: ${cv.threshold}`,
  );
  io.out(formatMetrics(cv.metrics, dataset.classes, cv.negative));
  const model = trainTree(dataset, options);
  Object.assign(model, {
    negative: cv.negative,
    threshold: cv.threshold,
    dataSha256: sha256,
    metrics: cv.metrics,
  });
  io.out("top feature importances");
  io.out(formatImportances(model));
  await Deno.writeTextFile(a.out, serializeModel(model));
  io.out(
    `model written to ${a.out} (${model.kind}, ${
      model.trees.reduce((n, t) => n + t.nodeCount, 0)
    } nodes)`,
  );
  return 0;
}

/** Runs `deno task train`; returns the exit code (0 done or help, 1 failed, 2 bad arguments). */
export function runTrain(
  args: string[],
  io: CliIo = consoleIo,
): Promise<number> {
  return runCli(
    {
      name: "train",
      help: HELP,
      parse: parseTrainArgs,
      run: (a) => train(a, io),
    },
    args,
    io,
  );
}

if (import.meta.main) Deno.exit(await runTrain(Deno.args));
