/**
 * Real browser automation recorded through the full guard as bot families (issue 13 item 2):
 * puppeteer-core, playwright-core and selenium-webdriver, each driving Debian's Chromium against
 * main.ts (sim/browsers/guard.ts) with the settings its users write, drawn per session
 * (sim/browsers/<tool>.ts). The raw events the guard stored are written in the public raw event
 * format, one file per family, so the evaluation can replay them through the live path
 * (`deno task replay data/browser_raw/<family>.jsonl`); the feature rows are derived from them.
 *
 * @module
 */
import { cliArgs, runCli } from "../../cli.ts";
import { type RawEvent, readJsonl } from "../../collector/mod.ts";
import {
  type BrowserPlan,
  FAMILIES,
  type Family,
  type FamilyDriver,
  planFamily,
} from "./common.ts";
import { recordThroughGuard } from "./guard.ts";
import { createPlaywrightDriver } from "./playwright.ts";
import { createPuppeteerDriver } from "./puppeteer.ts";
import { createSeleniumDriver } from "./selenium.ts";
import {
  type DatasetRow,
  listFiles,
  sessionRows,
  toCsv,
} from "../dataset/dataset.ts";
import { createRng, deriveSeed } from "../bots/prng.ts";

export { FAMILIES, type Family };

const DRIVERS: Record<Family, () => FamilyDriver> = {
  puppeteer: createPuppeteerDriver,
  playwright: createPlaywrightDriver,
  selenium: createSeleniumDriver,
};

/** Options of {@link recordBrowserSessions}. */
export interface RecordBrowsersOptions {
  families: readonly Family[];
  /** Sessions per family; odd indices hide `navigator.webdriver`. */
  sessions: number;
  /** Driving time per session, seconds: uniform in [seconds, maxSeconds] (default: seconds). */
  seconds: number;
  maxSeconds?: number;
  seed: number;
  /** Sessions driven at once (default 2; this machine has 2 cores). */
  parallel?: number;
  /** Called after each session has been driven, e.g. for progress. */
  onSession?: (done: number, total: number, session: DrivenSession) => void;
}

/** One driven session, before the guard's store is read. */
export interface DrivenSession extends BrowserPlan {
  /** The tool and version. */
  tool: string;
  guardSession: string;
  /** Milliseconds of driving, from the collector being ready to leaving the page. */
  drivenMs: number;
  params: Record<string, unknown>;
}

/** One recorded session with what the guard stored for it. */
export interface BrowserSession extends DrivenSession {
  /** Raw events in time order, `session` renamed to the plan's name. */
  events: RawEvent[];
  /** Feature windows the guard stored. */
  windows: number;
}

/** Drives one family's plans, `parallel` at a time; a failed session is tried once more. */
async function driveFamily(
  plans: readonly BrowserPlan[],
  guard: { url: string; verify(c: string | undefined): Promise<string | null> },
  o: RecordBrowsersOptions,
  done: DrivenSession[],
  total: number,
): Promise<void> {
  const driver = DRIVERS[plans[0].family]();
  const one = async (plan: BrowserPlan): Promise<DrivenSession> => {
    const rng = createRng(deriveSeed(o.seed, plan.name));
    const seconds = rng.uniform(o.seconds, o.maxSeconds ?? o.seconds);
    const r = await driver.drive({ plan, url: `${guard.url}/`, rng, seconds });
    const guardSession = await guard.verify(r.cookie);
    if (guardSession === null) {
      throw new Error(`Session "${plan.name}" has no valid guard cookie`);
    }
    const { drivenMs, params } = r;
    return { ...plan, tool: driver.tool, guardSession, drivenMs, params };
  };
  let next = 0;
  const worker = async () => {
    while (next < plans.length) {
      const plan = plans[next++];
      const session = await one(plan).catch((error) => {
        console.warn(`Retrying "${plan.name}": ${error}`);
        return one(plan);
      });
      done.push(session);
      o.onSession?.(done.length, total, session);
    }
  };
  try {
    await Promise.all(Array.from({ length: o.parallel ?? 2 }, worker));
  } finally {
    await driver.close();
  }
}

/** Records the families' sessions through one guard, family after family; sorted by plan. */
export async function recordBrowserSessions(
  o: RecordBrowsersOptions,
): Promise<BrowserSession[]> {
  const plans = o.families.map((f) => planFamily(f, o.sessions));
  const total = plans.flat().length;
  const driven: DrivenSession[] = [];
  const stored = await recordThroughGuard(async (guard) => {
    for (const family of plans) {
      await driveFamily(family, guard, o, driven, total);
    }
    return new Map(driven.map((d) => [d.name, d.guardSession]));
  });
  const order = new Map(plans.flat().map((p, i) => [p.name, i]));
  return driven
    .sort((a, b) => order.get(a.name)! - order.get(b.name)!)
    .map((d) => {
      const s = stored.get(d.name)!;
      const events = s.events.map((e) => ({ ...e, session: d.name }));
      return { ...d, events, windows: s.windows };
    });
}

/** The dataset rows of one recorded session's events (kind = family, source `browser`). */
export function browserRows(
  session: string,
  events: readonly RawEvent[],
): DatasetRow[] {
  return sessionRows(events, {
    session,
    label: "bot",
    kind: session.split("/")[1],
    source: "browser",
    group: session,
  }, { minPointerEvents: 1 });
}

/** Rows of every session in the raw files of `dir` (`<family>.jsonl`), in file and session order. */
export async function rowsFromRawDir(dir: string): Promise<DatasetRow[]> {
  const rows: DatasetRow[] = [];
  for (const path of await listFiles(dir, /\.jsonl$/)) {
    const bySession = Map.groupBy(await readJsonl(path), (e) => e.session);
    for (const [session, events] of bySession) {
      rows.push(...browserRows(session, events));
    }
  }
  return rows;
}

/**
 * The JSONL text of the sessions that fit in `maxBytes`, whole sessions in plan order (a session
 * cut short would replay as a different session); returns the text and how many fit.
 */
export function thinnedJsonl(
  sessions: readonly BrowserSession[],
  maxBytes: number,
): { text: string; kept: number } {
  let text = "", kept = 0;
  for (const s of sessions) {
    const next = toJsonl(s.events);
    if (new TextEncoder().encode(text + next).length > maxBytes) break;
    text += next;
    kept++;
  }
  return { text, kept };
}

/** One JSON line per event: the public raw event format. */
export function toJsonl(events: readonly RawEvent[]): string {
  return events.map((e) => JSON.stringify(e)).join("\n") + "\n";
}

const USAGE = `Usage: deno run -A sim/browsers/record_browsers.ts [options]
Records real browser automation through the guard as bot families.
Options:
  --family <list>       families, comma-separated (default: puppeteer,playwright,selenium)
  --sessions <n>        sessions per family; odd indices hide navigator.webdriver (default 30)
  --seconds <s>         shortest driving time per session, seconds (default 30)
  --max-seconds <s>     longest driving time per session, seconds (default 45)
  --seed <n>            seed of the per-session settings (default 1)
  --parallel <n>        sessions driven at once, at most 2 browsers (default 2)
  --raw-dir <dir>       where <family>.jsonl files go (default data/browser_raw)
  --max-raw-bytes <n>   cap per raw file: whole sessions in order until it (default 3000000)
  --rows <file>         feature rows of every file in --raw-dir (default data/browser_rows.csv)
  --rows-only           record nothing: rebuild --rows from the files in --raw-dir (after a feature change)
  --help                this text
Example: deno run -A sim/browsers/record_browsers.ts --family playwright --sessions 4 --seconds 30 --max-seconds 45`;

/** Parsed options of the CLI. */
export interface RecordBrowsersCli extends RecordBrowsersOptions {
  rawDir: string;
  maxRawBytes: number;
  rows: string;
  /** Record nothing; rebuild the rows from the raw files. */
  rowsOnly?: boolean;
}

/** Parses the CLI's arguments; throws a TypeError naming a bad or unknown option. */
export function parseRecordArgs(args: string[]): RecordBrowsersCli {
  const { values } = cliArgs(args, {
    options: {
      family: { type: "string", default: FAMILIES.join(",") },
      sessions: { type: "string", default: "30" },
      seconds: { type: "string", default: "30" },
      "max-seconds": { type: "string", default: "45" },
      seed: { type: "string", default: "1" },
      parallel: { type: "string", default: "2" },
      "raw-dir": { type: "string", default: "data/browser_raw" },
      "max-raw-bytes": { type: "string", default: "3000000" },
      rows: { type: "string", default: "data/browser_rows.csv" },
      "rows-only": { type: "boolean", default: false },
    },
  });
  const families = values.family.split(",").map((f) => f.trim());
  for (const f of families) {
    if (!(FAMILIES as readonly string[]).includes(f)) {
      throw new TypeError(
        `Unknown family "${f}": expected ${FAMILIES.join(", ")}`,
      );
    }
  }
  const count = (name: string, value: string, min: number, max: number) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max) {
      throw new RangeError(`--${name} must be ${min}..${max}, got "${value}"`);
    }
    return n;
  };
  const seconds = count("seconds", values.seconds, 1, 600);
  return {
    families: families as Family[],
    sessions: Math.trunc(count("sessions", values.sessions, 1, 1000)),
    seconds,
    maxSeconds: count("max-seconds", values["max-seconds"], seconds, 600),
    seed: Math.trunc(count("seed", values.seed, 0, 2 ** 32 - 1)),
    parallel: Math.trunc(count("parallel", values.parallel, 1, 2)),
    rawDir: values["raw-dir"],
    maxRawBytes: count("max-raw-bytes", values["max-raw-bytes"], 1, 2 ** 31),
    rows: values.rows,
    rowsOnly: values["rows-only"],
  };
}

async function record(cli: RecordBrowsersCli): Promise<number> {
  const began = Date.now();
  const elapsed = () => `${((Date.now() - began) / 1000).toFixed(0)} s`;
  if (cli.rowsOnly) return await writeRows(cli, elapsed);
  const sessions = await recordBrowserSessions({
    ...cli,
    onSession: (done, total, s) =>
      console.log(
        `[${elapsed()}] ${done}/${total} ${s.name} driven ${
          (s.drivenMs / 1000).toFixed(1)
        } s ${JSON.stringify(s.params)}`,
      ),
  });
  await Deno.mkdir(cli.rawDir, { recursive: true });
  for (const family of cli.families) {
    const own = sessions.filter((s) => s.family === family);
    const path = `${cli.rawDir}/${family}.jsonl`;
    const { text, kept } = thinnedJsonl(own, cli.maxRawBytes);
    await Deno.writeTextFile(path, text);
    for (const s of own) {
      const n = browserRows(s.name, s.events).length;
      const moves = s.events.filter((e) => e.kind === "move").length;
      const hidden = s.events.some((e) => e.kind === "meta" && !e.webdriver);
      console.log(
        `${s.name}\t${s.tool}\tguard=${s.guardSession}\tevents=${s.events.length}\tmoves=${moves}\tguard_windows=${s.windows}\trows=${n}\twebdriver_hidden=${hidden}`,
      );
    }
    const { size } = await Deno.stat(path);
    console.log(
      `wrote ${kept} of ${own.length} sessions to ${path} (${size} bytes)`,
    );
  }
  return await writeRows(cli, elapsed);
}

async function writeRows(
  cli: RecordBrowsersCli,
  elapsed: () => string,
): Promise<number> {
  const rows = await rowsFromRawDir(cli.rawDir);
  await Deno.writeTextFile(cli.rows, toCsv(rows));
  console.log(`wrote ${rows.length} rows to ${cli.rows} in ${elapsed()}`);
  return 0;
}

if (import.meta.main) {
  Deno.exit(
    await runCli({
      name: "record_browsers",
      help: USAGE,
      parse: parseRecordArgs,
      run: record,
    }, Deno.args),
  );
}
