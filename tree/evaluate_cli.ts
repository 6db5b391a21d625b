/**
 * `deno task evaluate --model data/model.json --data data/sessions.csv [--json]`: scores a labelled
 * CSV with a model at the model's threshold and prints the metrics (a table, or JSON).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { readCsvDataset } from "./csv.ts";
import { rowOf } from "./dataset.ts";
import { metrics } from "./metrics.ts";
import { parseModel } from "./model_load.ts";
import { predictProbaInto } from "./predict.ts";
import { formatMetrics } from "./report.ts";
import type { CliIo } from "./train_cli.ts";
import type { Metrics } from "./types.ts";

const defaultIo: CliIo = {
  out: (l) => console.log(l),
  err: (l) => console.error(l),
};

/** Runs the evaluate command; returns the exit code. */
export async function runEvaluate(
  args: string[],
  io: CliIo = defaultIo,
): Promise<number> {
  try {
    const { values: v } = parseArgs({
      args,
      options: {
        model: { type: "string", default: "data/model.json" },
        data: { type: "string", default: "data/sessions.csv" },
        label: { type: "string", default: "label" },
        json: { type: "boolean", default: false },
      },
      strict: true,
    });
    const model = parseModel(await Deno.readTextFile(v.model), v.model);
    const { dataset } = await readCsvDataset(v.data, {
      label: v.label,
      features: model.features,
      group: "",
    });
    const unknown = dataset.classes.filter((c) => !model.classes.includes(c));
    if (unknown.length > 0) {
      throw new RangeError(
        `Data "${v.data}" has class "${unknown[0]}" unknown to the model`,
      );
    }
    const actual = Int32Array.from(
      dataset.y,
      (c) => model.classes.indexOf(dataset.classes[c]),
    );
    const predicted = new Int32Array(dataset.nRows);
    const scores = new Float64Array(dataset.nRows);
    const proba = new Float64Array(model.classes.length);
    const row = new Float64Array(model.features.length);
    const neg = model.classes.indexOf(model.negative);
    for (let i = 0; i < dataset.nRows; i++) {
      predictProbaInto(model, rowOf(dataset, i, row), proba);
      let best = 0;
      for (let c = 1; c < proba.length; c++) {
        if (proba[c] > proba[best]) best = c;
      }
      predicted[i] = best;
      scores[i] = 1 - proba[neg];
    }
    const m: Metrics = metrics({
      classes: model.classes,
      negative: model.negative,
      actual,
      predicted,
      scores,
      threshold: model.threshold,
    });
    if (v.json) {
      io.out(
        JSON.stringify({
          ...m,
          rocAuc: Number.isNaN(m.rocAuc) ? null : m.rocAuc,
          classes: model.classes,
        }),
      );
    } else io.out(formatMetrics(m, model.classes, model.negative));
    return 0;
  } catch (err) {
    io.err(`evaluate: ${(err as Error).message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await runEvaluate(Deno.args));
