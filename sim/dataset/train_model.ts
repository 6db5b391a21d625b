/**
 * Trains the shipped model with some feature columns blanked (all missing), so the model keeps
 * the full FEATURE_NAMES list the detector expects but can never split on them. Which columns are
 * blanked is decided by docs/evaluation.md (per-axis/count, typing and webdriver features).
 *
 * Usage: deno run -A sim/dataset/train_model.ts [--data data/sessions.csv] [--blank a,b] -- <deno task train options>
 * (runs `deno task train`'s runTrain on a temporary blanked copy; `--help` for the options)
 */
import { parse } from "csv-parse/sync";
import { cliArgs, runCli } from "../../cli.ts";
import { stringify } from "csv-stringify/sync";
import { runTrain } from "../../tree/mod.ts";
import { PER_AXIS, SOURCE_ONLY, TYPING } from "../evaluation/_experiments.ts";

/** Columns blanked by default: per-axis/count, typing, and the Chromium-only webdriver feature. */
export const DEFAULT_BLANK: readonly string[] = [
  ...new Set([...PER_AXIS, ...TYPING, ...SOURCE_ONLY]),
];

/** Returns CSV text with the named columns emptied; throws naming a missing column. */
export function blankColumns(
  text: string,
  columns: readonly string[],
  source: string,
): string {
  const records = parse(text) as string[][];
  const header = records[0] ?? [];
  const idx = columns.map((c) => {
    const i = header.indexOf(c);
    if (i < 0) {
      throw new TypeError(`Cannot blank "${source}": column "${c}" is missing`);
    }
    return i;
  });
  for (const r of records.slice(1)) for (const i of idx) r[i] = "";
  return stringify(records);
}

const HELP =
  `Usage: deno run -A sim/dataset/train_model.ts [options] -- <deno task train options>
Trains on a copy of the dataset with some feature columns blanked (all missing), so the model keeps
the detector's feature list but never splits on them; everything after -- goes to deno task train
(deno run -A sim/dataset/train_model.ts -- --help lists it).
Options:
  --data FILE    the dataset (default data/sessions.csv)
  --blank A,B    columns blanked (default ${DEFAULT_BLANK.join(",")})
  --help         this text
Example: deno run -A sim/dataset/train_model.ts -- --out data/model.json --trees 30 --max-depth 10 --min-samples-leaf 20 --class-weight balanced --max-features sqrt --group group --target-fpr 0.01 --seed 1`;

/** Parsed arguments: the dataset, the columns blanked, and the train CLI's arguments. */
export interface TrainModelArgs {
  data: string;
  blank: string[];
  train: string[];
}

/** Parses the arguments before `--`; those after it are the train CLI's. */
export function parseTrainModelArgs(args: string[]): TrainModelArgs {
  const dash = args.indexOf("--");
  const { values } = cliArgs(dash < 0 ? args : args.slice(0, dash), {
    options: {
      data: { type: "string", default: "data/sessions.csv" },
      blank: { type: "string", default: DEFAULT_BLANK.join(",") },
    },
  });
  return {
    data: values.data,
    blank: values.blank.split(",").map((s) => s.trim()).filter((s) => s !== ""),
    train: dash < 0 ? [] : args.slice(dash + 1),
  };
}

async function trainBlanked(a: TrainModelArgs): Promise<number> {
  const tmp = await Deno.makeTempFile({ suffix: ".csv" });
  try {
    await Deno.writeTextFile(
      tmp,
      blankColumns(await Deno.readTextFile(a.data), a.blank, a.data),
    );
    console.log(`blanked: ${a.blank.join(", ") || "(none)"}`);
    return await runTrain(["--data", tmp, ...a.train]);
  } finally {
    await Deno.remove(tmp);
  }
}

if (import.meta.main) {
  Deno.exit(
    await runCli({
      name: "train_model",
      help: HELP,
      parse: parseTrainModelArgs,
      run: trainBlanked,
    }, Deno.args),
  );
}
