/**
 * `deno task adapt`: trains a candidate model pair (bot model and humanness model) from the site's
 * own trusted sessions in the store (DATABASE_URL / PGLITE_DIR; trust filters in
 * middleware/detect/adapt.ts), compares it with the live pair (MODEL_PATH, HUMANNESS_MODEL_PATH)
 * on held-out trusted sessions, labelled sessions and held-out generated bots, and writes the
 * candidate and a report to `--out`. Nothing goes live until `deno task adapt --promote`, which
 * copies the candidate over the live files (the guard reloads them on change).
 *
 * Usage:
 *   deno task adapt [--out .data/adapt] [--data data/sessions.csv] [--per-family 100]
 *                   [--holdout 0.3] [--min-windows 6] [--max-sessions 5000] [--trees 30]
 *                   [--site-only]
 *   deno task adapt --promote [--out .data/adapt]
 * Example: deno task adapt && cat .data/adapt/report.md && deno task adapt --promote
 *
 * @module
 */
import { cliArgs, runCli } from "../../cli.ts";
import { FEATURE_NAMES, type FeatureVector } from "../../collector/mod.ts";
import { loadConfig } from "../../config.ts";
import { openStore, type Store } from "../../db/mod.ts";
import {
  type AdaptSession,
  adaptSession,
  compare,
  type Comparison,
  featureRow,
  inHoldout,
  isTrusted,
  type ModelPair,
  trainCandidate,
  type TrainingRows,
  verdictOptionsOf,
} from "../../detect/mod.ts";
import { promoteCandidate } from "../../middleware/detect/mod.ts";
import { loadModel, serializeModel } from "../../tree/mod.ts";
import { readRows } from "../dataset/build_dataset.ts";
import { familyRows } from "../evaluation/_open_set.ts";
import { DEFAULT_BLANK } from "../dataset/train_model.ts";
import { TREE_OPTIONS } from "../evaluation/_experiments.ts";

const HELP = `Usage: deno task adapt [options]
       deno task adapt --promote [--out DIR]
Options:
  --out DIR            where the candidate and report go (default .data/adapt)
  --data FILE          the shipped training set (default data/sessions.csv)
  --per-family N       generated sessions per randomised bot family (default 100)
  --holdout SHARE      share of trusted sessions kept out of training (default 0.3)
  --min-windows N      windows an unlabelled session needs to be trusted (default 6)
  --max-sessions N     stored sessions read, newest first (default 5000)
  --trees N            trees per forest (default 30)
  --site-only          learn humans from the site only, not the shipped humans too
  --promote            copy the candidate in --out over MODEL_PATH and HUMANNESS_MODEL_PATH
  --help               this text
Example: deno task adapt && cat .data/adapt/report.md && deno task adapt --promote`;

/** Parsed options. */
export interface AdaptArgs {
  out: string;
  data: string;
  perFamily: number;
  holdout: number;
  minWindows: number;
  maxSessions: number;
  trees: number;
  siteOnly: boolean;
  promote: boolean;
}

/** Parses the command line; throws a one-line TypeError naming an unknown option or bad value. */
export function parseAdaptArgs(args: string[]): AdaptArgs {
  const { values } = cliArgs(args, {
    options: {
      out: { type: "string", default: ".data/adapt" },
      data: { type: "string", default: "data/sessions.csv" },
      "per-family": { type: "string", default: "100" },
      holdout: { type: "string", default: "0.3" },
      "min-windows": { type: "string", default: "6" },
      "max-sessions": { type: "string", default: "5000" },
      trees: { type: "string", default: "30" },
      "site-only": { type: "boolean", default: false },
      promote: { type: "boolean", default: false },
    },
  });
  const num = (name: string, lo: number, hi: number) => {
    const text = values[name as keyof typeof values] as string;
    const v = Number(text);
    if (text.trim() === "" || !Number.isFinite(v) || v < lo || v > hi) {
      throw new TypeError(
        `Option --${name} must be in [${lo}, ${hi}], got "${text}"`,
      );
    }
    return v;
  };
  return {
    out: values.out,
    data: values.data,
    perFamily: num("per-family", 0, 10_000),
    holdout: num("holdout", 0, 0.9),
    minWindows: num("min-windows", 1, 1000),
    maxSessions: num("max-sessions", 1, 10_000_000),
    trees: num("trees", 1, 500),
    siteOnly: values["site-only"],
    promote: values.promote,
  };
}

/** Reads every stored session the store lists (newest first, at most `max`). */
export async function storedSessions(
  store: Store,
  max: number,
): Promise<AdaptSession[]> {
  const out: AdaptSession[] = [];
  for (const row of await store.listSessions({ limit: max })) {
    const windows = (await store.listWindows(row.id)).map((w) => w.features);
    out.push(adaptSession(row, await store.getSession(row.id), windows));
  }
  return out;
}

const toVector = (r: readonly number[]): FeatureVector =>
  Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, r[i]])) as FeatureVector;

/** The candidate, its comparison with the live pair, and what it was trained on. */
export interface AdaptResult {
  candidate: ModelPair;
  comparison: Comparison[];
  trained: {
    siteSessions: number;
    siteWindows: number;
    humanRows: number;
    botRows: number;
  };
}

/** Trains and compares (no files written). */
export async function adapt(
  sessions: readonly AdaptSession[],
  live: ModelPair,
  a: AdaptArgs,
  env: Record<string, string | undefined>,
): Promise<AdaptResult> {
  const loaded = loadConfig(env);
  if (!loaded.ok) throw new TypeError(loaded.errors.join("; "));
  const trust = { minWindows: a.minWindows };
  const site = sessions.filter((s) =>
    isTrusted(s, trust) && !inHoldout(s.id, a.holdout)
  );
  const shipped = await readRows(a.data);
  const families = familyRows(1, a.perFamily);
  const odd = (r: { session: string }) =>
    Number(r.session.split("/").at(-1)) % 2 === 1;
  const rows: TrainingRows = { features: [], labels: [] };
  const push = (f: number[], l: "human" | "bot") => {
    rows.features.push(f);
    rows.labels.push(l);
  };
  for (const s of site) for (const w of s.windows) push(featureRow(w), "human");
  for (const r of shipped) {
    if (r.label === "bot" || !a.siteOnly) push(r.features, r.label);
  }
  for (const r of families) if (!odd(r)) push(r.features, "bot");
  const candidate = trainCandidate(rows, {
    blank: DEFAULT_BLANK,
    tree: { ...TREE_OPTIONS, trees: a.trees, maxFeatures: "sqrt" },
    seed: 1,
  });
  const heldBots = Map.groupBy(families.filter(odd), (r) => r.session);
  const comparison = compare(
    sessions,
    [...heldBots.values()].map((list) => list.map((r) => toVector(r.features))),
    { live, candidate },
    { rule: verdictOptionsOf(loaded.config), holdout: a.holdout, trust },
  );
  const humanRows = rows.labels.filter((l) => l === "human").length;
  return {
    candidate,
    comparison,
    trained: {
      siteSessions: site.length,
      siteWindows: site.reduce((n, s) => n + s.windows.length, 0),
      humanRows,
      botRows: rows.labels.length - humanRows,
    },
  };
}

/** The report's Markdown. */
export function renderAdaptReport(r: AdaptResult): string {
  const pct = (n: number, d: number) =>
    d === 0 ? "–" : `${(100 * n / d).toFixed(1)} %`;
  const t = r.trained;
  return [
    "# Site adaptation: candidate against the live model",
    "",
    `Trained on ${t.siteSessions} trusted site sessions (${t.siteWindows} windows), ${t.humanRows} human rows in all, ${t.botRows} bot rows.`,
    "",
    "| sessions | count | flagged by live | flagged by candidate |",
    "| --- | --- | --- | --- |",
    ...r.comparison.map((c) =>
      `| ${c.group} | ${c.sessions} | ${pct(c.live, c.sessions)} | ${
        pct(c.candidate, c.sessions)
      } |`
    ),
    "",
    "Promote with `deno task adapt --promote` once the held-out humans and the bots look right.",
    "",
  ].join("\n");
}

async function loadPair(model: string, humanness: string): Promise<ModelPair> {
  const read = async (p: string) =>
    loadModel(JSON.parse(await Deno.readTextFile(p)), p);
  return {
    bot: await read(model),
    humanness: humanness === "" ? null : await read(humanness),
  };
}

async function main(a: AdaptArgs): Promise<number> {
  const env = Deno.env.toObject();
  const loaded = loadConfig(env);
  if (!loaded.ok) {
    for (const line of loaded.errors) console.error(`adapt: ${line}`);
    return 2;
  }
  const c = loaded.config;
  if (a.promote) {
    const live = await promoteCandidate(a.out, {
      modelPath: c.MODEL_PATH,
      humannessPath: c.HUMANNESS_MODEL_PATH,
    });
    console.log(`adapt: promoted ${a.out} to ${live.join(" and ")}`);
    return 0;
  }
  const store = await openStore({
    databaseUrl: c.DATABASE_URL,
    pgliteDir: c.PGLITE_DIR,
    applicationName: "guard-adapt",
  });
  try {
    const sessions = await storedSessions(store, a.maxSessions);
    const live = await loadPair(c.MODEL_PATH, c.HUMANNESS_MODEL_PATH);
    const result = await adapt(sessions, live, a, env);
    await Deno.mkdir(a.out, { recursive: true });
    await Deno.writeTextFile(
      `${a.out}/model.json`,
      serializeModel(result.candidate.bot),
    );
    await Deno.writeTextFile(
      `${a.out}/humanness.json`,
      serializeModel(result.candidate.humanness!),
    );
    const report = renderAdaptReport(result);
    await Deno.writeTextFile(`${a.out}/report.md`, report);
    await Deno.writeTextFile(
      `${a.out}/report.json`,
      JSON.stringify(
        { trained: result.trained, comparison: result.comparison },
        null,
        2,
      ),
    );
    console.log(report);
    return 0;
  } finally {
    await store.close();
  }
}

if (import.meta.main) {
  Deno.exit(
    await runCli(
      { name: "adapt", help: HELP, parse: parseAdaptArgs, run: main },
      Deno.args,
    ),
  );
}
