/**
 * `deno task train [--data data/sessions.csv] [--out data/model.json] [options]`: reads a CSV,
 * cross-validates (grouped by `--group`, default the `session` column when present), picks the
 * score threshold for `--target-fpr`, trains on all rows and writes the model JSON.
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
import { parseArgs } from "node:util";
import { readCsvDataset } from "./csv.ts";
import { contrastDataset } from "./background.ts";
import { chooseCcpAlpha, crossValidate } from "./cv.ts";
import { serializeModel } from "./model_json.ts";
import { formatImportances, formatMetrics } from "./report.ts";
import { resolveOptions, trainTree } from "./train.ts";
import type { TreeOptions } from "./types.ts";

/** Where CLI output goes (stdout, stderr), so tests can capture it. */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const defaultIo: CliIo = {
  out: (l) => console.log(l),
  err: (l) => console.error(l),
};

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
    minSamplesLeaf: numberArg("min-samples-leaf", s("min-samples-leaf"), true),
    minImpurityDecrease: numberArg(
      "min-impurity-decrease",
      s("min-impurity-decrease"),
      false,
    ),
    classWeight: cw as "balanced" | undefined,
    ccpAlpha: ccp === "cv" ? 0 : numberArg("ccp-alpha", ccp, false),
    trees: numberArg("trees", s("trees"), true),
    maxFeatures: mf === undefined || ["sqrt", "log2", "all"].includes(mf)
      ? mf as TreeOptions["maxFeatures"]
      : numberArg("max-features", mf, false),
    seed: numberArg("seed", s("seed"), true),
  });
}

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
} as const;

/** Runs the train command; returns the exit code. */
export async function runTrain(
  args: string[],
  io: CliIo = defaultIo,
): Promise<number> {
  try {
    const { values: v } = parseArgs({
      args,
      options: OPTIONS,
      strict: true,
      allowPositionals: false,
    });
    const options = treeOptionsOf(v);
    const folds = numberArg("folds", v.folds, true)!;
    const targetFpr = numberArg("target-fpr", v["target-fpr"], false)!;
    const read = await readCsvDataset(v.data, {
      label: v.label,
      drop: v.drop?.split(",").map((x) => x.trim()).filter((x) => x !== ""),
      group: v.group,
      onProgress: (rows, bytes, total) =>
        io.err(`read ${rows} rows (${Math.round(100 * bytes / total)}%)`),
    });
    const { sha256 } = read;
    const { dataset, groups } = v.contrast === undefined
      ? read
      : contrastDataset(read.dataset, v.contrast, {
        seed: options.seed ?? 0,
        groups: read.groups,
      });
    io.out(
      `data ${v.data}: ${dataset.nRows} rows, ${dataset.features.length} features, classes ${
        dataset.classes.join(", ")
      }${groups ? `, ${new Set(groups).size} groups` : ""}`,
    );
    const cvOptions = {
      folds,
      seed: options.seed,
      groups,
      targetFpr,
      negative: v.negative ?? v.contrast,
    };
    if (v["ccp-alpha"] === "cv") {
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
    await Deno.writeTextFile(v.out, serializeModel(model));
    io.out(
      `model written to ${v.out} (${model.kind}, ${
        model.trees.reduce((a, t) => a + t.nodeCount, 0)
      } nodes)`,
    );
    return 0;
  } catch (err) {
    io.err(`train: ${(err as Error).message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await runTrain(Deno.args));
