/**
 * `deno task evaluate --model data/model.json --data data/sessions.csv [--json]`: scores a labelled
 * CSV with a model and prints the metrics (a table, or JSON), every one of them at the model's
 * threshold.
 *
 * @module
 */
import { cliArgs, type CliIo, consoleIo, runCli } from "../cli.ts";
import { readCsvDataset } from "./csv.ts";
import { rowOf } from "./dataset.ts";
import { bestPositiveClass, metrics } from "./metrics.ts";
import { parseModel } from "./model_load.ts";
import { predictProbaInto } from "./predict.ts";
import { flaggedRows, formatMetrics } from "./report.ts";
import type { Metrics } from "./types.ts";

const HELP = `Usage: deno task evaluate [options]
Scores a labelled CSV with a saved model; every figure but ROC AUC is at the model's threshold.
Options:
  --model FILE     model JSON (default data/model.json)
  --data FILE      labelled CSV with the model's feature columns (default data/sessions.csv)
  --label COLUMN   class column (default label)
  --json           one JSON object instead of the table
  --help           this text
Example: deno task evaluate --model data/model.json --data data/sample.csv`;

/** Parsed arguments of `deno task evaluate`. */
export interface EvaluateArgs {
  model: string;
  data: string;
  label: string;
  json: boolean;
}

/** Parses `deno task evaluate` arguments; throws naming an unknown option. */
export function parseEvaluateArgs(args: string[]): EvaluateArgs {
  const { values } = cliArgs(args, {
    options: {
      model: { type: "string", default: "data/model.json" },
      data: { type: "string", default: "data/sessions.csv" },
      label: { type: "string", default: "label" },
      json: { type: "boolean", default: false },
    },
  });
  return values;
}

async function evaluate(a: EvaluateArgs, io: CliIo): Promise<number> {
  const model = parseModel(await Deno.readTextFile(a.model), a.model);
  const { dataset } = await readCsvDataset(a.data, {
    label: a.label,
    features: model.features,
    group: "",
  });
  const unknown = dataset.classes.filter((c) => !model.classes.includes(c));
  if (unknown.length > 0) {
    throw new RangeError(
      `Data "${a.data}" has class "${unknown[0]}" unknown to the model`,
    );
  }
  const actual = Int32Array.from(
    dataset.y,
    (c) => model.classes.indexOf(dataset.classes[c]),
  );
  const positiveClass = new Int32Array(dataset.nRows);
  const scores = new Float64Array(dataset.nRows);
  const proba = new Float64Array(model.classes.length);
  const row = new Float64Array(model.features.length);
  const neg = model.classes.indexOf(model.negative);
  for (let i = 0; i < dataset.nRows; i++) {
    predictProbaInto(model, rowOf(dataset, i, row), proba);
    positiveClass[i] = bestPositiveClass(proba, neg);
    scores[i] = 1 - proba[neg];
  }
  const m: Metrics = metrics({
    classes: model.classes,
    negative: model.negative,
    actual,
    positiveClass,
    scores,
    threshold: model.threshold,
  });
  if (a.json) {
    const flagged = flaggedRows(m, model.classes, model.negative);
    io.out(JSON.stringify({
      ...m,
      // JSON has no -Infinity (a threshold that flags every row) nor NaN.
      threshold: Number.isFinite(m.threshold)
        ? m.threshold
        : String(m.threshold),
      flagged,
      precision: flagged === 0 ? null : m.precision,
      f1: flagged === 0 ? null : m.f1,
      rocAuc: Number.isNaN(m.rocAuc) ? null : m.rocAuc,
      classes: model.classes,
    }));
  } else io.out(formatMetrics(m, model.classes, model.negative));
  return 0;
}

/** Runs `deno task evaluate`; returns the exit code (0 done or help, 1 failed, 2 bad arguments). */
export function runEvaluate(
  args: string[],
  io: CliIo = consoleIo,
): Promise<number> {
  return runCli(
    {
      name: "evaluate",
      help: HELP,
      parse: parseEvaluateArgs,
      run: (a) => evaluate(a, io),
    },
    args,
    io,
  );
}

if (import.meta.main) Deno.exit(await runEvaluate(Deno.args));
