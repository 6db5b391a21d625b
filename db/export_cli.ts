/**
 * `deno task export [--since ISO] [--label human|bot|unauthorized] > file.csv`
 *
 * Writes labelled windows to stdout in the training CSV format. Reads DATABASE_URL / PGLITE_DIR
 * through config.ts. Exit code 2 on bad arguments or configuration.
 *
 * @module
 */
import { cliArgs, runCli } from "../cli.ts";
import { loadConfig } from "../config.ts";
import { exportCsv } from "./export.ts";
import { openStore } from "./open.ts";
import { type Label, LABELS } from "./store.ts";
import type { ExportOptions } from "./store.ts";

const HELP = `Usage: deno task export [options] > windows.csv
Writes the stored labelled windows as the training CSV (deno task train reads it), from the store
named by DATABASE_URL or PGLITE_DIR.
Options:
  --since ISO     only windows received at or after this time
  --label LABEL   only windows labelled LABEL: ${LABELS.join(", ")}
  --help          this text
Example: deno task export --since 2026-01-01 --label human > .data/humans.csv`;

/** Parses the CLI flags; throws a TypeError naming the bad flag. */
export function parseExportArgs(args: string[]): ExportOptions {
  const { values } = cliArgs(args, {
    options: { since: { type: "string" }, label: { type: "string" } },
  });
  const options: ExportOptions = {};
  if (values.since !== undefined) {
    const since = new Date(values.since);
    if (Number.isNaN(since.getTime())) {
      throw new TypeError(
        `Invalid --since "${values.since}": expected an ISO date`,
      );
    }
    options.since = since;
  }
  if (values.label !== undefined) {
    if (!LABELS.includes(values.label as Label)) {
      throw new TypeError(
        `Invalid --label "${values.label}": expected one of ${
          LABELS.join(", ")
        }`,
      );
    }
    options.label = values.label as Label;
  }
  return options;
}

async function exportWindows(options: ExportOptions): Promise<number> {
  const result = loadConfig(Deno.env.toObject());
  if (!result.ok) {
    for (const line of result.errors) console.error(`export: ${line}`);
    return 2;
  }
  const store = await openStore({
    databaseUrl: result.config.DATABASE_URL,
    pgliteDir: result.config.PGLITE_DIR,
    applicationName: "guard-export",
  });
  try {
    const n = await exportCsv(store, Deno.stdout.writable, options);
    console.error(`export: ${n} windows`);
    return 0;
  } finally {
    await store.close();
  }
}

if (import.meta.main) {
  Deno.exit(
    await runCli({
      name: "export",
      help: HELP,
      parse: parseExportArgs,
      run: exportWindows,
    }, Deno.args),
  );
}
