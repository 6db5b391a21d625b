/**
 * `deno task export [--since ISO] [--label human|bot|unauthorized] > file.csv`
 *
 * Writes labelled windows to stdout in the training CSV format. Reads DATABASE_URL / PGLITE_DIR
 * through config.ts.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { loadConfig } from "../config.ts";
import { exportCsv } from "./export.ts";
import { openStore } from "./open.ts";
import { type Label, LABELS } from "./store.ts";
import type { ExportOptions } from "./store.ts";

/** Parses the CLI flags; throws a TypeError naming the bad flag. */
export function parseExportArgs(args: string[]): ExportOptions {
  const { values } = parseArgs({
    args,
    options: { since: { type: "string" }, label: { type: "string" } },
    strict: true,
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

async function main(): Promise<number> {
  let options: ExportOptions;
  try {
    options = parseExportArgs(Deno.args);
  } catch (error) {
    console.error(`export: ${(error as Error).message}`);
    return 2;
  }
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

if (import.meta.main) Deno.exit(await main());
