/**
 * Leave-one-family-out through the guard's live path: the models trained without a family are
 * written to files and the family's raw sessions, with held-out people's raw recordings, go
 * through `replaySessions` (middleware/detect/replay_cli.ts, what `deno task replay` runs): the
 * collector's codec, the ingest's checks and features, the detector with its integrity, replay and
 * typing rules, the session rule with the humanness model, and the silence rule. What this reports
 * is what the guard would have done, not a re-creation of it.
 */
import { type RawEvent, readJsonl } from "../../collector/mod.ts";
import { replaySessions } from "../../middleware/detect/replay_cli.ts";
import { serializeModel } from "../../tree/mod.ts";
import { BOT_KINDS, type BotKind, generateBotSession } from "../bots/bots.ts";
import {
  BOT_FAMILIES,
  type BotFamily,
  generateFamilySession,
} from "../bots/families.ts";
import { deriveSeed } from "../bots/prng.ts";
import { type DatasetRow, readRecording } from "../dataset/dataset.ts";
import type { OpenModels } from "./_open_set.ts";

/** One withheld family's replay: sessions, bot verdicts, unverified, median window of verdict. */
export interface ReplayOutcome {
  held: string;
  kind: string;
  sessions: number;
  bot: number;
  unverified: number;
  within6: number;
  median: number;
}

/** Raw events of the generated sessions behind a family's rows (same seeds as the rows). */
export function familyEvents(
  kind: string,
  sessions: readonly string[],
  seed: number,
): RawEvent[] {
  const out: RawEvent[] = [];
  for (const session of sessions) {
    const i = Number(session.split("/").at(-1));
    if ((BOT_FAMILIES as readonly string[]).includes(kind)) {
      const s = deriveSeed(seed, `${kind}/${i}`);
      // A loop, not push(...): a slow session sampled at 240 Hz has 10⁵ events.
      for (
        const e of generateFamilySession(kind as BotFamily, s, { session })
      ) {
        out.push(e);
      }
    } else if ((BOT_KINDS as readonly string[]).includes(kind)) {
      out.push(
        ...generateBotSession(kind as BotKind, deriveSeed(seed, session), {
          session,
        }),
      );
    }
  }
  return out;
}

/**
 * Replays `events` (sessions of one withheld family and held-out humans) with `models`, under the
 * shipped configuration (`env`), and summarises per kind (`kindOf` a session name).
 */
export async function replayWithModels(
  events: readonly RawEvent[],
  models: OpenModels,
  o: {
    held: string;
    env: Record<string, string | undefined>;
    kindOf: (session: string) => string;
  },
): Promise<ReplayOutcome[]> {
  const dir = await Deno.makeTempDir({ prefix: "guard-open-replay-" });
  try {
    const model = `${dir}/model.json`, humanness = `${dir}/humanness.json`;
    await Deno.writeTextFile(model, serializeModel(models.bot));
    await Deno.writeTextFile(humanness, serializeModel(models.humanness));
    const results = await replaySessions(events, {
      ...o.env,
      MODEL_PATH: model,
      HUMANNESS_MODEL_PATH: humanness,
    });
    const byKind = Map.groupBy(results, (r) => o.kindOf(r.session));
    return [...byKind].map(([kind, list]) => {
      const ats = list.filter((r) => r.verdict !== "none").map((r) => r.at!);
      const sorted = [...ats].sort((a, b) => a - b);
      return {
        held: o.held,
        kind,
        sessions: list.length,
        bot: list.filter((r) => r.verdict === "bot").length / list.length,
        unverified: list.filter((r) => r.verdict === "unverified").length /
          list.length,
        within6: ats.filter((a) => a <= 6).length / list.length,
        median: sorted.length ? sorted[Math.floor(sorted.length / 2)] : NaN,
      };
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The session names of rows matching `keep`, in order. */
export function sessionsOf(
  rows: readonly DatasetRow[],
  keep: (r: DatasetRow) => boolean,
): string[] {
  return [...new Set(rows.filter(keep).map((r) => r.session))];
}

/** Where a human row's recording lives under the datasets root. */
export function recordingPath(root: string, session: string): string {
  const [source, user, file] = session.split("/");
  return source === "sapimouse"
    ? `${root}/sapimouse/raw/${user}/${file}.csv`
    : `${root}/balabit-mouse-challenge/training_files/${user}/${file}`;
}

/** The first `maxMs` of each human session's recording (Balabit sessions run ~45 minutes). */
export async function humanEvents(
  root: string,
  sessions: readonly string[],
  maxMs: number,
): Promise<RawEvent[]> {
  const out: RawEvent[] = [];
  for (const session of sessions) {
    const events = await readRecording(recordingPath(root, session), session);
    const t0 = events[0]?.t ?? 0;
    for (const e of events) if (e.t - t0 < maxMs) out.push(e);
  }
  return out;
}

/** The recorded real-browser sessions named, from a raw JSON Lines file. */
export async function browserEvents(
  path: string,
  sessions: readonly string[],
): Promise<RawEvent[]> {
  const keep = new Set(sessions);
  return (await readJsonl(path)).filter((e) => keep.has(e.session));
}
