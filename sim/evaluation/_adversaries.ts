/**
 * Evaluation-only rows: replayed human recordings (a bot kind never trained on) and Aalto typing
 * sessions (licensed for non-commercial research: measured, never trained on).
 */
import { importAalto } from "../../collector/importers/mod.ts";
import { FEATURE_NAMES, type RawEvent } from "../../collector/mod.ts";
import {
  type DatasetRow,
  listFiles,
  readRecording,
  sessionRows,
} from "../dataset/dataset.ts";
import { createRng, deriveSeed } from "../bots/prng.ts";
import { replayWithJitter } from "../bots/replay.ts";

/** Replay-with-jitter sessions of the given SapiMouse people (group ids `sapimouse/userN`). */
export async function replayRows(
  root: string,
  people: ReadonlySet<string>,
  seed: number,
): Promise<DatasetRow[]> {
  const rows: DatasetRow[] = [];
  for (
    const path of await listFiles(`${root}/sapimouse/raw`, /^session_.*\.csv$/)
  ) {
    const user = path.split("/").at(-2)!;
    if (!people.has(`sapimouse/${user}`)) continue;
    const session = `replay/${user}/${
      path.split("/").at(-1)!.replace(/\.csv$/, "")
    }`;
    const events = replayWithJitter(
      await readRecording(path, "source"),
      createRng(deriveSeed(seed, session)),
      { session },
    );
    rows.push(
      ...sessionRows(events, {
        session,
        label: "bot",
        kind: "replay",
        source: "replay",
        group: `sapimouse/${user}`,
      }),
    );
  }
  return rows;
}

/** Windows of the first `people` Aalto participants' typing, one session per test section. */
export async function aaltoRows(
  root: string,
  people: number,
): Promise<DatasetRow[]> {
  const files = (await listFiles(
    `${root}/aalto-136m-keystrokes-subset/files`,
    /_keystrokes\.txt$/,
  ))
    .sort((a, b) =>
      parseInt(a.split("/").at(-1)!) - parseInt(b.split("/").at(-1)!)
    )
    .slice(0, people);
  const rows: DatasetRow[] = [];
  for (const path of files) {
    const bySession = new Map<string, RawEvent[]>();
    for await (const e of importAalto(path)) {
      const list = bySession.get(e.session) ?? [];
      list.push(e);
      bySession.set(e.session, list);
    }
    const person = `aalto/${parseInt(path.split("/").at(-1)!)}`;
    for (const [session, events] of bySession) {
      rows.push(
        ...sessionRows(events, {
          session,
          label: "human",
          kind: "aalto",
          source: "aalto",
          group: person,
        }),
      );
    }
  }
  return rows;
}

/**
 * Composite human sessions: a SapiMouse person's mouse recording with an Aalto participant's key
 * events laid over it (sections back to back from t = 2 s, 1.5 s apart). Both parts are real
 * human behaviour; this measures what the model does with a human who moves AND types, which the
 * mouse-only training humans never show.
 */
export async function compositeRows(
  root: string,
  people: ReadonlySet<string>,
): Promise<DatasetRow[]> {
  const keyFiles = await listFiles(
    `${root}/aalto-136m-keystrokes-subset/files`,
    /_keystrokes\.txt$/,
  );
  const mouseFiles =
    (await listFiles(`${root}/sapimouse/raw`, /^session_.*\.csv$/))
      .filter((p) => people.has(`sapimouse/${p.split("/").at(-2)}`));
  const rows: DatasetRow[] = [];
  for (const [n, path] of mouseFiles.entries()) {
    const user = path.split("/").at(-2)!;
    const session = `composite/${user}/${
      path.split("/").at(-1)!.replace(/\.csv$/, "")
    }`;
    const events = await readRecording(path, session);
    const end = events.at(-1)?.t ?? 0;
    const keys: RawEvent[] = [];
    let section = "", offset = 2000, base = 0;
    for await (const e of importAalto(keyFiles[n % keyFiles.length])) {
      if (e.session !== section) {
        if (section !== "") {
          (offset = (keys.at(-1)?.t ?? offset) + 1500, base += 1000);
        }
        section = e.session;
      }
      if (offset + e.t > end) break;
      keys.push({ ...e, session, t: offset + e.t, id: base + (e.id ?? 0) });
    }
    events.push(...keys);
    events.sort((a, b) => a.t - b.t);
    rows.push(
      ...sessionRows(events, {
        session,
        label: "human",
        kind: "sapimouse+aalto",
        source: "composite",
        group: `sapimouse/${user}`,
      }),
    );
  }
  return rows;
}

const WEBDRIVER = FEATURE_NAMES.indexOf("webdriver");

/**
 * Human rows as the guard sees a person: the recordings carry no navigator.webdriver (NaN), a
 * person's browser reports false (0), and the collector sends it with every window.
 */
export function asGuardSees(rows: readonly DatasetRow[]): DatasetRow[] {
  return rows.map((r) => ({
    ...r,
    features: r.features.map((v, i) => (i === WEBDRIVER ? 0 : v)),
  }));
}
