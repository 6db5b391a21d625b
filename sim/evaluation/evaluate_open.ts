/**
 * `deno task evaluate-open`: the honest metric. Every bot family is withheld from training in turn
 * (leave-one-family-out: the fixed kinds, the randomised families of sim/bots/families.ts and the
 * real-browser families) and every human source in turn (leave-one-source-out), and each withheld
 * session is judged by the session rules, with the windows to verdict.
 *
 * Usage: deno task evaluate-open [--data data/sessions.csv] [--per-family 150] [--trees 20]
 *        [--replay-sessions 60] [--augment 0] [--out docs/evaluation_open.md]
 *
 * @module
 */
import { cliArgs, runCli, writeMarkdownReport } from "../../cli.ts";
import { groupFolds, rocAuc } from "./_cv.ts";
import { DEFAULT_DATASETS_ROOT } from "../../collector/importers/mod.ts";
import { BOT_FAMILIES } from "../bots/families.ts";
import {
  familyRows,
  humanRowsAugmented,
  trainOpenModels,
  type WindowScores,
} from "./_open_set.ts";
import { readRows } from "../dataset/build_dataset.ts";
import {
  renderOpenSet,
  renderReplay,
  renderReport,
  renderSummary,
} from "./_open_report.ts";
import {
  browserEvents,
  familyEvents,
  humanEvents,
  type ReplayOutcome,
  replayWithModels,
  sessionsOf,
} from "./_open_replay.ts";
import type { DatasetRow } from "../dataset/dataset.ts";
import { DEFAULT_BLANK } from "../dataset/train_model.ts";

const log = (msg: string) =>
  console.error(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

export { type OpenRule, openRules, SHIPPED } from "./_open_rules.ts";
import { type OpenRule, openRules } from "./_open_rules.ts";

/** Per withheld group: sessions, share caught, median windows to verdict, per rule. */
export interface Outcome {
  held: string;
  kind: string;
  label: string;
  sessions: number;
  caught: number[];
  /** Share with a verdict by window 6. */
  within6: number[];
  /** Window ROC AUC of the bot score: this kind's windows against the other class's in the test. */
  auc: number;
  median: number[];
}

function judge(
  test: readonly DatasetRow[],
  scores: readonly WindowScores[],
  rules: readonly OpenRule[],
  held: string,
): Outcome[] {
  const bySession = new Map<string, { row: DatasetRow; s: WindowScores[] }>();
  test.forEach((r, i) => {
    const e = bySession.get(r.session) ?? { row: r, s: [] };
    e.s.push(scores[i]);
    bySession.set(r.session, e);
  });
  const kinds = Map.groupBy([...bySession.values()], (e) => e.row.kind);
  return [...kinds].map(([kind, list]) => {
    const ats = rules.map((rule) => list.map((e) => rule.detect(e.s)));
    const label = list[0].row.label;
    const idx = test.map((_, i) => i).filter((i) =>
      test[i].kind === kind || test[i].label !== label
    );
    const auc = rocAuc(
      idx.map((i) => scores[i].bot),
      idx.map((i) => test[i].label === "bot"),
    );
    return {
      auc,
      held,
      kind,
      label: list[0].row.label,
      sessions: list.length,
      caught: ats.map((a) => a.filter((x) => x !== null).length / a.length),
      within6: ats.map((a) =>
        a.filter((x) => x !== null && x <= 6).length / a.length
      ),
      median: ats.map((a) => median(a.filter((x): x is number => x !== null))),
    };
  });
}

function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Runs both protocols; returns the outcomes per rule. */
export function runOpenSet(
  rows: readonly DatasetRow[],
  o: { trees: number; seed: number; rules: OpenRule[]; k?: number },
): Outcome[] {
  const k = o.k ?? 5;
  const folds = groupFolds(rows, k, o.seed);
  const out: Outcome[] = [];
  const opts = { drop: DEFAULT_BLANK, trees: o.trees, seed: o.seed };
  const real = (r: DatasetRow) => r.source !== "augmented";
  const withhold = (held: string, out_: (r: DatasetRow) => boolean) => {
    log(`withhold ${held}`);
    const test: DatasetRow[] = [];
    const scores: WindowScores[] = [];
    for (let f = 0; f < k; f++) {
      const train = rows.filter((r, i) => !out_(r) && folds[i] !== f);
      const part = rows.filter((r, i) =>
        real(r) && folds[i] === f &&
        (out_(r) || r.label !== rows.find(out_)!.label)
      );
      test.push(...part);
      scores.push(...trainOpenModels(train, opts).score(part));
    }
    return judge(test, scores, o.rules, held);
  };
  const kinds = (label: string) => [
    ...new Set(
      rows.filter((r) => r.label === label && real(r)).map((r) => r.kind),
    ),
  ];
  for (const kind of kinds("bot")) {
    out.push(...withhold(`family ${kind}`, (r) => r.kind === kind));
  }
  for (const source of kinds("human")) {
    out.push(...withhold(`source ${source}`, (r) => r.kind === source));
  }
  return out;
}

/**
 * The shipped rule through the live path (sim/evaluation/_open_replay.ts) for every generated family: models
 * trained without the family and without fold 0's people, then the family's sessions and fold 0's
 * people replayed, each human session cut to its first 40 windows.
 */
export async function replayOpenSet(
  rows: readonly DatasetRow[],
  o: {
    trees: number;
    seed: number;
    root: string;
    perFamily: number;
    /** Folder of the real-browser families' raw events (data/browser_raw). */
    browsers: string;
  },
): Promise<ReplayOutcome[]> {
  const folds = groupFolds(rows, 5, o.seed);
  const opts = { drop: DEFAULT_BLANK, trees: o.trees, seed: o.seed };
  const fold0 = new Set(rows.filter((_, i) => folds[i] === 0));
  const humanSessions = sessionsOf(
    rows,
    (r) => r.label === "human" && r.source !== "augmented" && fold0.has(r),
  );
  const humans = await humanEvents(o.root, humanSessions, 40 * 5000);
  const env = {};
  const kindOf = (s: string) => {
    const [source, kind] = s.split("/");
    return source === "sim" || source === "browser" ? kind : source;
  };
  const out: ReplayOutcome[] = [];
  const replayed = [
    ...new Set(
      rows.filter((r) => r.source === "sim" || r.source === "browser").map((
        r,
      ) => r.kind),
    ),
  ];
  for (const kind of replayed) {
    log(`replay without ${kind}`);
    const train = rows.filter((r, i) => r.kind !== kind && folds[i] !== 0);
    const models = trainOpenModels(train, opts);
    const sessions = sessionsOf(rows, (r) => r.kind === kind).slice(
      0,
      o.perFamily,
    );
    const family = sessions[0]?.startsWith("browser/")
      ? await browserEvents(`${o.browsers}/${kind}.jsonl`, sessions)
      : familyEvents(kind, sessions, o.seed);
    const events = [...family, ...humans];
    out.push(
      ...await replayWithModels(events, models, { held: kind, env, kindOf }),
    );
  }
  return out;
}

const HELP = `Usage: deno task evaluate-open [options]
Withholds every bot family and every human source from training in turn, judges each withheld
session by the session rules (with the windows to verdict), replays recordings through the live
path, and writes the report with the hand-written notes appended.
Options:
  --data FILE             the dataset (default data/sessions.csv)
  --per-family N          sessions per randomised family when the dataset lacks them (default 150)
  --augment N             augmented copies of each human recording, 0 = the dataset's (default 0)
  --root DIR              public datasets (default ${DEFAULT_DATASETS_ROOT})
  --trees N               trees per forest (default 20)
  --out FILE              the report (default docs/evaluation_open.md)
  --notes FILE            findings appended (default sim/evaluation/evaluation_open_notes.md)
  --replay-sessions N     sessions per family replayed through the live path (default 60)
  --browsers DIR          real-browser raw recordings (default data/browser_raw)
  --help                  this text
Example: deno task evaluate-open --trees 10 --out .data/evaluation_open.md`;

const OPEN_OPTIONS = {
  data: { type: "string", default: "data/sessions.csv" },
  "per-family": { type: "string", default: "150" },
  augment: { type: "string", default: "0" },
  root: { type: "string", default: DEFAULT_DATASETS_ROOT },
  trees: { type: "string", default: "20" },
  out: { type: "string", default: "docs/evaluation_open.md" },
  notes: { type: "string", default: "sim/evaluation/evaluation_open_notes.md" },
  "replay-sessions": { type: "string", default: "60" },
  browsers: { type: "string", default: "data/browser_raw" },
} as const;

/** Parses `deno task evaluate-open` arguments; throws naming an unknown option or a bad count. */
export function parseOpenArgs(args: string[]): Record<string, string> {
  const { values } = cliArgs(args, { options: OPEN_OPTIONS });
  for (const name of ["per-family", "augment", "trees", "replay-sessions"]) {
    const text = values[name as "trees"], v = Number(text);
    const min = name === "trees" ? 1 : 0;
    if (text.trim() === "" || !Number.isInteger(v) || v < min) {
      throw new RangeError(
        `Option --${name} must be an integer >= ${min}, got "${text}"`,
      );
    }
  }
  return values;
}

async function main(values: Record<string, string>): Promise<number> {
  const seed = 1, trees = Number(values.trees);
  const copies = Number(values.augment);
  const stored = await readRows(values.data);
  // The dataset carries the randomised families once built with them; generate them otherwise.
  const hasFamilies = stored.some((r) =>
    (BOT_FAMILIES as readonly string[]).includes(r.kind)
  );
  const rows = [
    ...(copies > 0
      ? await humanRowsAugmented(values.root, copies, seed)
      : stored.filter((r) => r.label === "human")),
    ...stored.filter((r) => r.label === "bot"),
    ...(hasFamilies ? [] : familyRows(seed, Number(values["per-family"]))),
  ];
  log(`rows=${rows.length}`);
  const rules = openRules();
  const outcomes = runOpenSet(rows, { trees, seed, rules });
  const replay = await replayOpenSet(rows, {
    trees,
    seed,
    root: values.root,
    perFamily: Number(values["replay-sessions"]),
    browsers: values.browsers,
  });
  const notes = await Deno.readTextFile(values.notes).catch(() => undefined);
  await writeMarkdownReport(
    values.out,
    renderReport({
      rows: rows.length,
      summary: renderSummary(outcomes, rules),
      detail: renderOpenSet(outcomes, rules.slice(0, 1)),
      replay: renderReplay(replay),
      notes,
      trees,
    }),
  );
  log(`wrote ${values.out}`);
  return 0;
}

if (import.meta.main) {
  Deno.exit(
    await runCli({
      name: "evaluate-open",
      help: HELP,
      parse: parseOpenArgs,
      run: main,
    }, Deno.args),
  );
}
