/**
 * Trains the shipped model with some feature columns blanked (all missing), so the model keeps
 * the full FEATURE_NAMES list the detector expects but can never split on them. Which columns are
 * blanked is decided by docs/evaluation.md (per-axis/count, typing and webdriver features).
 *
 * Usage: deno run -A sim/train_model.ts [--data data/sessions.csv] [--blank a,b] -- <deno task train options>
 * (runs `deno task train`'s runTrain on a temporary blanked copy)
 */
import { parseArgs } from "node:util";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { runTrain } from "../tree/mod.ts";
import { PER_AXIS, SOURCE_ONLY, TYPING } from "./_experiments.ts";

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

if (import.meta.main) {
  const dash = Deno.args.indexOf("--");
  const own = dash < 0 ? Deno.args : Deno.args.slice(0, dash);
  const rest = dash < 0 ? [] : Deno.args.slice(dash + 1);
  const { values } = parseArgs({
    args: own,
    options: {
      data: { type: "string", default: "data/sessions.csv" },
      blank: { type: "string", default: DEFAULT_BLANK.join(",") },
    },
  });
  const blank = values.blank.split(",").map((s) => s.trim()).filter((s) =>
    s !== ""
  );
  const tmp = await Deno.makeTempFile({ suffix: ".csv" });
  try {
    await Deno.writeTextFile(
      tmp,
      blankColumns(await Deno.readTextFile(values.data), blank, values.data),
    );
    console.log(`blanked: ${blank.join(", ") || "(none)"}`);
    Deno.exitCode = await runTrain(["--data", tmp, ...rest]);
  } finally {
    await Deno.remove(tmp);
  }
}
