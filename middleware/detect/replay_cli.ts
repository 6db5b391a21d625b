/**
 * `deno task replay <raw.jsonl…> [--json]`: runs recorded sessions (the public raw event format,
 * collector/README.md) through the guard's own online path, window by window, and prints each
 * session's verdict, the window at which it came, and the evidence trail.
 *
 * The path is the live one, not a copy: the windows are encoded with the collector's codec and
 * decoded and checked by the ingest's `parsePost` (so a recording the guard would refuse is
 * reported as refused), then judged by `createDetector` (model, integrity signals, replay index,
 * typing rule, session rule) with the configured model and thresholds (MODEL_PATH, VERDICT_*,
 * MIN_EVENTS, WINDOW_MS from the environment, as the guard reads them). The silence rule
 * (NO_BEHAVIOUR_*) sees each window as one request of activity, and a window with behaviour as
 * evidence: a recording has no requests, so its windows stand in for them.
 *
 * Sessions are windowed from their first event, like `windowEvents`, but no window is dropped:
 * a window with no behaviour is exactly what the silence rule needs to see. Scores, detections
 * and alerts go to memory only; nothing is stored.
 *
 * @module
 */
import { cliArgs, runCli } from "../../cli.ts";
import {
  encodeEvents,
  parsePost,
  type RawEvent,
  readJsonl,
  type WindowEvent,
} from "../../collector/mod.ts";
import { loadConfig } from "../../config.ts";
import { FEATURE_NAMES } from "../../collector/mod.ts";
import {
  createDetector,
  type DetectStore,
  type ScoredStep,
} from "./detector.ts";
import {
  hasBehaviour,
  initialSilence,
  noteActivity,
  noteEvidence,
  verdictOptionsOf,
} from "../../detect/mod.ts";
import { openHumanness } from "./setup.ts";
import { openModelSource } from "./model_source.ts";

/** One window of a replayed session. */
export interface ReplayStep {
  window: number;
  /** The window's score, or null when it carried no weight (or was refused). */
  score: number | null;
  /** P(human) of the humanness model, when it judged the window. */
  humanness?: number;
  /** Evidence after the window (decayed log-odds), as the session rule holds it. */
  evidence: number;
  /** Model-scored windows since the last positively human one (the ambiguity run). */
  sinceHuman?: number;
  action: string;
  /** Set when the ingest would have refused the window: `field: reason`. */
  refused?: string;
}

/** One replayed session's outcome. */
export interface ReplayResult {
  session: string;
  verdict: "bot" | "unverified" | "none";
  /** 1-based window of the verdict, or null. */
  at: number | null;
  windows: number;
  trail: ReplayStep[];
}

/** Splits one session's events into windows of `windowMs` from its first event, keeping all. */
export function allWindows(
  events: readonly RawEvent[],
  windowMs: number,
): WindowEvent[][] {
  const ordered = [...events].sort((a, b) => a.t - b.t);
  const out: WindowEvent[][] = [];
  const start = ordered[0]?.t ?? 0;
  for (const { session: _, ...e } of ordered) {
    const k = Math.floor((e.t - start) / windowMs);
    (out[k] ??= []).push(e);
  }
  return out.filter((w) => w !== undefined);
}

/** Replays sessions (events grouped by `session`) through the online path. */
export async function replaySessions(
  events: readonly RawEvent[],
  env: Record<string, string | undefined>,
): Promise<ReplayResult[]> {
  const parsed = loadConfig(env);
  if (!parsed.ok) throw new TypeError(parsed.errors.join("; "));
  const config = parsed.config;
  const models = await openModelSource(config.MODEL_PATH, {
    expectedFeatures: FEATURE_NAMES,
    watch: false,
    sighup: false,
  });
  const humanness = await openHumanness(config, false);
  const rule = verdictOptionsOf(config);
  const detected = new Set<string>();
  let scored: ScoredStep | null = null;
  const store: DetectStore = {
    recordScore: () => Promise.resolve(),
    recordDetection: (d) => (detected.add(d.session), Promise.resolve()),
    enqueueAlert: () => Promise.resolve(true),
    getSession: () => Promise.resolve(null),
  };
  let clock = 0;
  const detect = createDetector({
    store,
    model: models.current,
    humanness: humanness?.current,
    mode: "enforce",
    verdict: rule,
    loginUrl: config.LOGIN_URL,
    minEvents: config.MIN_EVENTS,
    revoke: () => Promise.resolve(),
    now: () => clock,
    onScored: (step) => (scored = step),
  });
  const silence = {
    requests: config.NO_BEHAVIOUR_REQUESTS,
    graceMs: config.NO_BEHAVIOUR_MS,
  };
  const bySession = Map.groupBy(events, (e) => e.session);
  const results: ReplayResult[] = [];
  for (const [session, list] of bySession) {
    const trail: ReplayStep[] = [];
    let quiet = initialSilence(), evidence = 0;
    let verdict: ReplayResult["verdict"] = "none", at: number | null = null;
    const windows = allWindows(list, config.WINDOW_MS);
    for (const [i, w] of windows.entries()) {
      const t0 = w[0].t;
      clock = Math.max(clock, t0 + config.WINDOW_MS);
      const events: WindowEvent[] = w[0].kind === "meta"
        ? w
        : [{ t: t0, kind: "meta", webdriver: false }, ...w];
      const post = parsePost({
        v: 2,
        seq: i + 1,
        page: "replay",
        t0,
        t1: w.at(-1)!.t,
        vw: 100_000,
        vh: 100_000,
        e: encodeEvents(events, t0),
      }, { windowMs: config.WINDOW_MS });
      if (!post.ok) {
        trail.push({
          window: i + 1,
          score: null,
          evidence,
          action: "refused",
          refused: `${post.field}: ${post.reason}`,
        });
        continue;
      }
      const window = {
        session,
        seq: i + 1,
        nEvents: post.events.length,
        features: post.features,
        events: post.events,
      };
      const before = detected.has(session);
      scored = null;
      const action = await detect(window);
      const step = scored as ScoredStep | null;
      if (step !== null) evidence = step.state.evidence;
      const behaviour = hasBehaviour(window);
      const next = behaviour
        ? noteEvidence(quiet, t0)
        : noteActivity(quiet, t0, silence);
      quiet = next.state;
      trail.push({
        window: i + 1,
        score: step?.score ?? null,
        ...(step?.humanness === undefined ? {} : { humanness: step.humanness }),
        evidence,
        ...(step?.state.sinceHuman === undefined
          ? {}
          : { sinceHuman: step.state.sinceHuman }),
        action: action.action,
      });
      if (!before && detected.has(session) && verdict === "none") {
        verdict = "bot";
        at = i + 1;
      } else if (next.becameUnverified && verdict === "none") {
        verdict = "unverified";
        at = i + 1;
      }
    }
    results.push({ session, verdict, at, windows: windows.length, trail });
  }
  models.close();
  humanness?.close();
  return results;
}

/** Options of the replay CLI. */
export interface ReplayCliOptions {
  paths: string[];
  json: boolean;
}

const HELP = `Usage: deno task replay <raw.jsonl…> [--json]
Runs recorded sessions (the public raw event format) through the guard's online path with the
configured model and thresholds (MODEL_PATH, VERDICT_*, … from the environment) and prints each
session's verdict, the window it came at, and the evidence trail. Nothing is stored.
Options:
  --json     one JSON array of results instead of the text
  --help     this text
Example: deno task replay data/browser_raw/playwright.jsonl`;

/** Parses `deno task replay` arguments; throws a TypeError naming the problem. */
export function parseReplayArgs(args: string[]): ReplayCliOptions {
  const { values, positionals } = cliArgs(args, {
    options: { json: { type: "boolean", default: false } },
    allowPositionals: true,
  });
  if (positionals.length === 0) {
    throw new TypeError("Give at least one recording");
  }
  return { paths: positionals, json: values.json ?? false };
}

/** A line of text per session, then its trail. */
export function formatResults(results: ReplayResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    const at = r.at === null ? "" : ` at window ${r.at}`;
    lines.push(`${r.session}\t${r.verdict}${at}\t(${r.windows} windows)`);
    for (const s of r.trail) {
      const score = s.score === null ? "-" : s.score.toFixed(3);
      const why = s.refused === undefined ? "" : ` ${s.refused}`;
      const human = s.humanness === undefined
        ? ""
        : `\thuman ${s.humanness.toFixed(3)} (run ${s.sinceHuman})`;
      lines.push(
        `  ${s.window}\tscore ${score}\tevidence ${
          s.evidence.toFixed(2)
        }${human}\t${s.action}${why}`,
      );
    }
  }
  return lines.join("\n");
}

async function replay(options: ReplayCliOptions): Promise<number> {
  const events: RawEvent[] = [];
  for (const path of options.paths) events.push(...await readJsonl(path));
  const results = await replaySessions(events, Deno.env.toObject());
  console.log(options.json ? JSON.stringify(results) : formatResults(results));
  return 0;
}

if (import.meta.main) {
  Deno.exit(
    await runCli({
      name: "replay",
      help: HELP,
      parse: parseReplayArgs,
      run: replay,
    }, Deno.args),
  );
}
