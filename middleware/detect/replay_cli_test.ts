import assert from "node:assert/strict";
import { type RawEvent, readJsonl } from "../../collector/mod.ts";
import {
  formatResults,
  parseReplayArgs,
  replaySessions,
} from "./replay_cli.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const ENV = { MODEL_PATH: `${ROOT}data/model.json` };

/** A session of `n` windows 5 s apart made by `window(k, t0)`. */
function session(
  name: string,
  n: number,
  window: (k: number, t0: number) => Omit<RawEvent, "session">[],
): RawEvent[] {
  return Array.from({ length: n }, (_, k) => window(k, 1_000 + k * 5000))
    .flat().map((e) => ({ session: name, ...e }));
}

Deno.test("replaySessions() judges recordings through the online path: human, replay, page.type, silence", async () => {
  const human = await readJsonl(
    `${ROOT}tests/fixtures/human_sapimouse_user100.jsonl`,
  );
  // The fixture's first window, posted again and again (a constant, very human window).
  const first = human.filter((e) => e.t < 5000);
  const looped = session(
    "looped",
    4,
    (_, t0) => first.map(({ session: _, ...e }) => ({ ...e, t: t0 + e.t })),
  );
  // puppeteer's page.type with no delay: keydown and keyup back to back, 1 ms apart.
  const typed = session(
    "typed",
    4,
    (_, t0) =>
      Array.from({ length: 10 }, (_, i) => [
        {
          t: t0 + 2 * i,
          kind: "keydown" as const,
          key: "char" as const,
          id: i,
        },
        {
          t: t0 + 2 * i + 1,
          kind: "keyup" as const,
          key: "char" as const,
          id: i,
        },
      ]).flat(),
  );
  // A page that stays open and never sees input: only the meta event, every window.
  const silent = session("silent", 5, (_, t0) => [
    { t: t0, kind: "meta" as const, webdriver: false },
  ]);
  const results = await replaySessions(
    [...human, ...looped, ...typed, ...silent],
    ENV,
  );
  assert.deepEqual(
    results.map((r) => [r.session, r.verdict, r.at, r.windows]),
    [
      ["sapimouse-user100", "none", null, 12],
      ["looped", "bot", 3, 4],
      ["typed", "bot", 3, 4],
      ["silent", "unverified", 4, 5],
    ],
  );
  // Every looped window is a replay: the first was seen in the human session replayed before it
  // (the index spans sessions), the rest within the session. The verdict waits for the rule's
  // three windows.
  assert.deepEqual(results[1].trail.map((s) => s.score), [1, 1, 1, 1]);
  assert.match(
    formatResults(results),
    /^looped\tbot at window 3\t\(4 windows\)$/m,
  );
});

Deno.test("parseReplayArgs() needs a recording and takes --json", () => {
  assert.deepEqual(parseReplayArgs(["a.jsonl", "--json"]), {
    paths: ["a.jsonl"],
    json: true,
  });
  assert.throws(() => parseReplayArgs([]), {
    name: "TypeError",
    message: "Give at least one recording",
  });
  assert.throws(() => parseReplayArgs(["a.jsonl", "--jsn"]), {
    name: "TypeError",
    message: "Unknown option '--jsn'",
  });
});
