/**
 * `deno task features <file-or-dir…> [--window-ms 5000] [--min-events 8] [--label L]`
 * (`--help` for the options)
 *
 * Writes one CSV row per kept window to stdout: `session,window,<FEATURE_NAMES…>[,label]`, NaN as
 * an empty cell. Reads JSON Lines raw event logs (`.jsonl`, validated line by line) and, through
 * collector/importers, the public human datasets (SapiMouse, Balabit, Aalto), whose rows are
 * labelled `human` unless `--label` says otherwise. A bad line stops the run with its file, line
 * and field, exit code 1.
 *
 * @module
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { stringify } from "csv-stringify/sync";
import {
  extractFeatures,
  FEATURE_NAMES,
  featureRow,
  type RawEvent,
  windowEvents,
} from "./features.ts";
import { RAW_EVENT_SCHEMA } from "./schema.ts";
import { detectFormat, importRecording } from "./importers/mod.ts";
import { cliArgs, runCli } from "../cli.ts";

const HELP = `Usage: deno task features <file-or-dir…> [options] > windows.csv
Writes one CSV row per kept window: session, window, the features[, label]. Reads raw event logs
(.jsonl) and the public human datasets (SapiMouse, Balabit, Aalto; directories recursively).
Options:
  --window-ms MS     window length (default 5000)
  --min-events N     events a window needs to be kept (default 8)
  --label L          label column value (default: human for the public datasets, none for .jsonl)
  --help             this text
Example: deno task features data/chromium_sample.jsonl --label bot > chromium.csv`;

/** Parsed command line of the features CLI. */
export interface FeaturesCliOptions {
  paths: string[];
  windowMs: number;
  minEvents: number;
  label?: string;
}

/** Parses the arguments, throwing a RangeError that names the bad option. */
export function parseCliArgs(args: string[]): FeaturesCliOptions {
  const { values, positionals } = cliArgs(args, {
    allowPositionals: true,
    options: {
      "window-ms": { type: "string", default: "5000" },
      "min-events": { type: "string", default: "8" },
      label: { type: "string" },
    },
  });
  const windowMs = Number(values["window-ms"]);
  const minEvents = Number(values["min-events"]);
  if (!(Number.isFinite(windowMs) && windowMs > 0)) {
    throw new RangeError(
      `Option --window-ms must be a positive number, got "${
        values["window-ms"]
      }"`,
    );
  }
  if (!(Number.isInteger(minEvents) && minEvents >= 0)) {
    throw new RangeError(
      `Option --min-events must be an integer >= 0, got "${
        values["min-events"]
      }"`,
    );
  }
  if (positionals.length === 0) {
    throw new RangeError("Give at least one file or directory");
  }
  return { paths: positionals, windowMs, minEvents, label: values.label };
}

/** Reads a JSON Lines raw event log, validating every line; errors name file, line and field. */
export async function readJsonl(path: string): Promise<RawEvent[]> {
  const events: RawEvent[] = [];
  const lines = createInterface({
    input: createReadStream(path),
    crlfDelay: Infinity,
  });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === "") continue;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new SyntaxError(
        `Cannot read "${path}" line ${line}: not valid JSON`,
      );
    }
    const parsed = RAW_EVENT_SCHEMA.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const unknown = issue.code === "unrecognized_keys";
      // A local file, not hostile input: naming the unknown key helps the operator.
      const keys = [...issue.path, ...(unknown ? issue.keys.slice(0, 1) : [])];
      const field = keys.map(String).join(".") || "(root)";
      const reason = unknown ? "unknown key" : issue.message;
      throw new TypeError(
        `Cannot read "${path}" line ${line}: field "${field}": ${reason}`,
      );
    }
    events.push(parsed.data as RawEvent);
  }
  return events;
}

interface Input {
  path: string;
  /** Undefined for a JSON Lines log; the importer format otherwise. */
  format?: string;
}

/** Expands directories (recursively, sorted) and detects each file's format. */
async function listInputs(paths: string[]): Promise<Input[]> {
  const inputs: Input[] = [];
  const visit = async (path: string, explicit: boolean) => {
    const info = await Deno.stat(path);
    if (info.isDirectory) {
      const names: string[] = [];
      for await (const entry of Deno.readDir(path)) names.push(entry.name);
      for (const name of names.sort()) await visit(`${path}/${name}`, false);
    } else if (path.endsWith(".jsonl")) {
      inputs.push({ path });
    } else {
      const format = await detectFormat(path).catch((error) => {
        if (explicit) throw error;
        return undefined; // READMEs and other files inside a dataset folder
      });
      if (format) inputs.push({ path, format });
    }
  };
  for (const path of paths) await visit(path, true);
  return inputs;
}

async function readInput(input: Input): Promise<RawEvent[]> {
  if (input.format === undefined) return await readJsonl(input.path);
  const events: RawEvent[] = [];
  for await (const event of importRecording(input.path)) events.push(event);
  return events;
}

function groupBySession(events: readonly RawEvent[]): Map<string, RawEvent[]> {
  const sessions = new Map<string, RawEvent[]>();
  for (const e of events) {
    const list = sessions.get(e.session);
    if (list) list.push(e);
    else sessions.set(e.session, [e]);
  }
  return sessions;
}

/**
 * Runs the CLI, writing CSV text through `write`.
 *
 * @returns the number of rows written
 */
export async function runFeaturesCli(
  options: FeaturesCliOptions,
  write: (text: string) => void,
): Promise<number> {
  const inputs = await listInputs(options.paths);
  const labelled = options.label !== undefined ||
    inputs.some((i) => i.format !== undefined);
  const header = [
    "session",
    "window",
    ...FEATURE_NAMES,
    ...(labelled ? ["label"] : []),
  ];
  write(stringify([header]));
  let rows = 0;
  for (const input of inputs) {
    const label = options.label ?? (input.format ? "human" : "");
    const out: (string | number)[][] = [];
    for (const [session, events] of groupBySession(await readInput(input))) {
      const windows = windowEvents(events, options);
      windows.forEach((window, index) => {
        const values = featureRow(extractFeatures(window, options)).map((v) =>
          Number.isNaN(v) ? "" : v
        );
        out.push([session, index, ...values, ...(labelled ? [label] : [])]);
      });
    }
    if (out.length > 0) write(stringify(out));
    rows += out.length;
  }
  return rows;
}

function writeStdout(text: string): void {
  const bytes = new TextEncoder().encode(text);
  for (let off = 0; off < bytes.length;) {
    off += Deno.stdout.writeSync(bytes.subarray(off));
  }
}

if (import.meta.main) {
  Deno.exit(
    await runCli({
      name: "features",
      help: HELP,
      parse: parseCliArgs,
      run: async (options) => (await runFeaturesCli(options, writeStdout), 0),
    }, Deno.args),
  );
}
