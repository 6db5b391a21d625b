/**
 * `deno task evaluate-open`: the honest metric. Every bot family is withheld from training in turn
 * (leave-one-family-out: the fixed kinds, the randomised families of sim/families.ts and the
 * real-browser families) and every human source in turn (leave-one-source-out), and each withheld
 * session is judged by the session rules, with the windows to verdict.
 *
 * Usage: deno task evaluate-open [--data data/sessions.csv] [--per-family 150] [--trees 20]
 *        [--out docs/evaluation_open.md]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { sessionVerdict } from "../middleware/detect/mod.ts";
import { groupFolds } from "./_cv.ts";
import { VERDICT } from "./_experiments.ts";
import { DEFAULT_DATASETS_ROOT } from "../collector/importers/mod.ts";
import {
  familyRows,
  humanRowsAugmented,
  trainOpenModels,
  type WindowScores,
} from "./_open_set.ts";
import { readRows } from "./build_dataset.ts";
import {
  familyEvents,
  humanEvents,
  type ReplayOutcome,
  replayWithModels,
  sessionsOf,
} from "./_open_replay.ts";
import type { DatasetRow } from "./dataset.ts";
import { DEFAULT_BLANK } from "./train_model.ts";

const log = (msg: string) =>
  console.error(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

/** A session rule over one session's window scores: the 1-based window of the verdict or null. */
export interface OpenRule {
  name: string;
  detect(scores: readonly WindowScores[]): number | null;
}

/** The rules compared. */
export function openRules(): OpenRule[] {
  const shipped = (s: readonly WindowScores[]) =>
    sessionVerdict(s.map((w) => w.bot), VERDICT).detectedAt;
  const rules: OpenRule[] = [{
    name: "bot model, log-odds (shipped)",
    detect: shipped,
  }];
  rules.push({
    name: "max(bot, 1 − humanness), log-odds",
    detect: (s) =>
      sessionVerdict(s.map((w) => Math.max(w.bot, 1 - w.human)), VERDICT)
        .detectedAt,
  });
  for (const k of [3, 4, 6]) {
    for (const h of [0.45, 0.5, 0.55, 0.6]) {
      rules.push({
        name:
          `shipped + no human window (bot < 0.5, humanness ≥ ${h}) in the last ${k}`,
        detect: (s) => earliest(shipped(s), ambiguous(s, k, h)),
      });
    }
  }
  return rules;
}

function earliest(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

/** First window i ≥ k at which none of the last k windows was positively human. */
function ambiguous(
  s: readonly WindowScores[],
  k: number,
  h: number,
): number | null {
  let since = 0;
  for (let i = 0; i < s.length; i++) {
    since = s[i].bot < 0.5 && s[i].human >= h ? 0 : since + 1;
    if (since >= k) return i + 1;
  }
  return null;
}

/** Per withheld group: sessions, share caught, median windows to verdict, per rule. */
interface Outcome {
  held: string;
  kind: string;
  label: string;
  sessions: number;
  caught: number[];
  /** Share with a verdict by window 6. */
  within6: number[];
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
    return {
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
 * The shipped rule through the live path (sim/_open_replay.ts) for every generated family: models
 * trained without the family and without fold 0's people, then the family's sessions and fold 0's
 * people replayed, each human session cut to its first 40 windows.
 */
export async function replayOpenSet(
  rows: readonly DatasetRow[],
  o: { trees: number; seed: number; root: string; perFamily: number },
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
  const kindOf = (s: string) =>
    s.split("/")[0] === "sim" ? s.split("/")[1] : s.split("/")[0];
  const out: ReplayOutcome[] = [];
  const generated = [
    ...new Set(rows.filter((r) => r.source === "sim").map((r) => r.kind)),
  ];
  for (const kind of generated) {
    log(`replay without ${kind}`);
    const train = rows.filter((r, i) => r.kind !== kind && folds[i] !== 0);
    const models = trainOpenModels(train, opts);
    const sessions = sessionsOf(rows, (r) => r.kind === kind).slice(
      0,
      o.perFamily,
    );
    const events = [...familyEvents(kind, sessions, o.seed), ...humans];
    out.push(
      ...await replayWithModels(events, models, { held: kind, env, kindOf }),
    );
  }
  return out;
}

/** Markdown of {@link replayOpenSet}. */
export function renderReplay(outcomes: readonly ReplayOutcome[]): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  const lines = [
    "| withheld | kind | sessions | bot | unverified | by window 6 | median window of verdict |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const o of outcomes) {
    const m = Number.isNaN(o.median) ? "–" : String(o.median);
    lines.push(
      `| ${o.held} | ${o.kind} | ${o.sessions} | ${pct(o.bot)} | ${
        pct(o.unverified)
      } | ${pct(o.within6)} | ${m} |`,
    );
  }
  return lines.join("\n") + "\n";
}

/** Markdown: one table per rule, a row per (withheld, kind). */
export function renderOpenSet(outcomes: Outcome[], rules: OpenRule[]): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  const lines: string[] = [];
  rules.forEach((rule, j) => {
    lines.push(`### ${rule.name}`, "");
    lines.push(
      "| withheld | kind | label | sessions | flagged | by window 6 | median windows to verdict |",
    );
    lines.push("| --- | --- | --- | --- | --- | --- | --- |");
    for (const o of outcomes) {
      const m = Number.isNaN(o.median[j]) ? "–" : String(o.median[j]);
      lines.push(
        `| ${o.held} | ${o.kind} | ${o.label} | ${o.sessions} | ${
          pct(o.caught[j])
        } | ${pct(o.within6[j])} | ${m} |`,
      );
    }
    lines.push("");
  });
  return lines.join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      data: { type: "string", default: "data/sessions.csv" },
      "per-family": { type: "string", default: "150" },
      augment: { type: "string", default: "0" },
      root: { type: "string", default: DEFAULT_DATASETS_ROOT },
      trees: { type: "string", default: "20" },
      out: { type: "string" },
      replay: { type: "boolean", default: false },
      "replay-sessions": { type: "string", default: "60" },
    },
  });
  const seed = 1;
  const copies = Number(values.augment);
  const stored = await readRows(values.data);
  const rows = [
    ...(copies > 0
      ? await humanRowsAugmented(values.root, copies, seed)
      : stored.filter((r) => r.label === "human")),
    ...stored.filter((r) => r.label === "bot"),
    ...familyRows(seed, Number(values["per-family"])),
  ];
  log(`rows=${rows.length}`);
  if (values.replay) {
    const outcomes = await replayOpenSet(rows, {
      trees: Number(values.trees),
      seed,
      root: values.root,
      perFamily: Number(values["replay-sessions"]),
    });
    const md = renderReplay(outcomes);
    if (values.out) await Deno.writeTextFile(values.out, md);
    else console.log(md);
    Deno.exit(0);
  }
  const rules = openRules();
  const outcomes = runOpenSet(rows, {
    trees: Number(values.trees),
    seed,
    rules,
  });
  const md = renderOpenSet(outcomes, rules);
  if (values.out) await Deno.writeTextFile(values.out, md);
  else console.log(md);
}
