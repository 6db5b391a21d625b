/**
 * `deno task dataset`: builds data/sessions.csv from SapiMouse + Balabit human recordings (read in
 * place), synthetic bot sessions and the committed Chromium bot rows. Deterministic for a seed.
 *
 * Usage: deno task dataset [--seed 1] [--root ../shared/datasets] [--out data/sessions.csv]
 *        [--bots-per-kind 250] [--families-per-kind 150] [--max-windows 40]
 *        [--chromium data/chromium_rows.csv] [--chromium-quiet data/chromium_quiet_rows.csv]
 *        [--browsers data/browser_rows.csv]
 */
import { parse } from "csv-parse/sync";
import { cliArgs, runCli } from "../../cli.ts";
import { DEFAULT_DATASETS_ROOT } from "../../collector/importers/mod.ts";
import { FEATURE_NAMES } from "../../collector/mod.ts";
import {
  botRows,
  CSV_HEADER,
  type DatasetRow,
  evenlySpaced,
  familyRows,
  humanRows,
  listFiles,
  toCsv,
} from "./dataset.ts";

/** Parsed command line of the dataset builder. */
export interface BuildOptions {
  seed: number;
  root: string;
  out: string;
  botsPerKind: number;
  /** Sessions per randomised family (sim/bots/families.ts); default 0. */
  familiesPerKind?: number;
  maxWindows: number;
  chromium: string;
  /**
   * Rows of the second Chromium recording (made on a quieter machine, same session names); read
   * as `<name>/quiet` so each session stays its own group. "" or absent for none.
   */
  chromiumQuiet?: string;
  /** Rows of the real-browser families (sim/browsers/record_browsers.ts); "" for none. */
  browsers?: string;
  /** Where to write the small committed sample ("" for none) and rows per kind in it. */
  sample?: string;
  samplePerKind?: number;
}

/** Every kind's rows thinned evenly to at most `perKind`, in file order (deterministic). */
export function sampleRows(
  rows: readonly DatasetRow[],
  perKind: number,
): DatasetRow[] {
  const byKind = new Map<string, DatasetRow[]>();
  for (const r of rows) byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), r]);
  const keep = new Set<DatasetRow>();
  for (const list of byKind.values()) {
    for (const i of evenlySpaced(list.length, perKind)) keep.add(list[i]);
  }
  return rows.filter((r) => keep.has(r));
}

/** Reads previously derived rows (e.g. Chromium sessions) from a CSV with {@link CSV_HEADER}. */
export async function readRows(path: string): Promise<DatasetRow[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  const records = parse(text, { columns: true }) as Record<string, string>[];
  return records.map((r, i) => {
    for (const name of CSV_HEADER) {
      if (!(name in r)) {
        throw new TypeError(
          `Cannot read "${path}" line ${i + 2}: field "${name}" is missing`,
        );
      }
    }
    return {
      session: r.session,
      window: Number(r.window),
      features: FEATURE_NAMES.map((n) => (r[n] === "" ? NaN : Number(r[n]))),
      label: r.label as "human" | "bot",
      kind: r.kind,
      source: r.source,
      group: r.group,
    };
  });
}

/** Builds every row: humans first (sorted by file), then bots, then Chromium rows. */
export async function buildRows(o: BuildOptions): Promise<DatasetRow[]> {
  const rows: DatasetRow[] = [];
  const opts = { maxWindows: o.maxWindows, minPointerEvents: 1 };
  for (
    const path of await listFiles(
      `${o.root}/sapimouse/raw`,
      /^session_.*\.csv$/,
    )
  ) {
    rows.push(...await humanRows(path, "sapimouse", opts));
  }
  for (
    const path of await listFiles(
      `${o.root}/balabit-mouse-challenge/training_files`,
      /^session_/,
    )
  ) {
    rows.push(...await humanRows(path, "balabit", opts));
  }
  rows.push(...botRows(o.seed, o.botsPerKind, opts));
  rows.push(...familyRows(o.seed, o.familiesPerKind ?? 0, opts));
  rows.push(...await readRows(o.chromium));
  if (o.chromiumQuiet) {
    rows.push(
      ...(await readRows(o.chromiumQuiet)).map((r) => ({
        ...r,
        session: `${r.session}/quiet`,
        group: `${r.group}/quiet`,
      })),
    );
  }
  if (o.browsers) rows.push(...await readRows(o.browsers));
  return rows;
}

const HELP = `Usage: deno task dataset [options]
Builds the training CSV from the SapiMouse and Balabit human recordings (read in place),
synthetic and randomised bot sessions, and the committed Chromium and real-browser rows;
deterministic for a seed. Prints sessions and windows per kind.
Options:
  --seed N                 seed of the generated bots (default 1)
  --root DIR               public datasets (default ${DEFAULT_DATASETS_ROOT})
  --out FILE               the dataset (default data/sessions.csv)
  --bots-per-kind N        synthetic sessions per fixed bot kind (default 250)
  --families-per-kind N    sessions per randomised bot family (default 150)
  --max-windows N          windows kept per session at most (default 40)
  --chromium FILE          Chromium bot rows (default data/chromium_rows.csv)
  --chromium-quiet FILE    rows of the second Chromium recording (quieter machine), sessions
                           read as <name>/quiet, "" for none (default data/chromium_quiet_rows.csv)
  --browsers FILE          real-browser family rows, "" for none (default data/browser_rows.csv)
  --sample FILE            the small committed sample, "" for none (default data/sample.csv)
  --sample-per-kind N      rows per kind in the sample (default 50)
  --help                   this text
Example: deno task dataset --seed 1 --out .data/sessions.csv --sample ""`;

/** Parses `deno task dataset` arguments; throws naming an unknown option or a bad value. */
export function parseDatasetArgs(args: string[]): BuildOptions {
  const { values } = cliArgs(args, {
    options: {
      seed: { type: "string", default: "1" },
      root: { type: "string", default: DEFAULT_DATASETS_ROOT },
      out: { type: "string", default: "data/sessions.csv" },
      "bots-per-kind": { type: "string", default: "250" },
      "families-per-kind": { type: "string", default: "150" },
      "max-windows": { type: "string", default: "40" },
      chromium: { type: "string", default: "data/chromium_rows.csv" },
      "chromium-quiet": {
        type: "string",
        default: "data/chromium_quiet_rows.csv",
      },
      browsers: { type: "string", default: "data/browser_rows.csv" },
      sample: { type: "string", default: "data/sample.csv" },
      "sample-per-kind": { type: "string", default: "50" },
    },
  });
  const int = (name: string, v: string) => {
    const n = Number(v);
    if (v.trim() === "" || !Number.isInteger(n) || n < 0) {
      throw new RangeError(
        `Option "--${name}" must be a non-negative integer, got "${v}"`,
      );
    }
    return n;
  };
  return {
    seed: int("seed", values.seed),
    root: values.root,
    out: values.out,
    botsPerKind: int("bots-per-kind", values["bots-per-kind"]),
    familiesPerKind: int("families-per-kind", values["families-per-kind"]),
    maxWindows: int("max-windows", values["max-windows"]),
    chromium: values.chromium,
    chromiumQuiet: values["chromium-quiet"],
    browsers: values.browsers,
    sample: values.sample,
    samplePerKind: int("sample-per-kind", values["sample-per-kind"]),
  };
}

async function buildDataset(options: BuildOptions): Promise<number> {
  const rows = await buildRows(options);
  await Deno.writeTextFile(options.out, toCsv(rows));
  if (options.sample) {
    await Deno.writeTextFile(
      options.sample,
      toCsv(sampleRows(rows, options.samplePerKind ?? 50)),
    );
  }
  const counts = new Map<string, { sessions: Set<string>; windows: number }>();
  for (const r of rows) {
    const c = counts.get(r.kind) ?? { sessions: new Set(), windows: 0 };
    c.sessions.add(r.session);
    c.windows++;
    counts.set(r.kind, c);
  }
  for (const [kind, c] of counts) {
    console.log(`${kind}\tsessions=${c.sessions.size}\twindows=${c.windows}`);
  }
  console.log(`wrote ${rows.length} rows to ${options.out}`);
  return 0;
}

if (import.meta.main) {
  Deno.exit(
    await runCli({
      name: "dataset",
      help: HELP,
      parse: parseDatasetArgs,
      run: buildDataset,
    }, Deno.args),
  );
}
