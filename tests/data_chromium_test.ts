import assert from "node:assert/strict";
import { skipWithoutChromium } from "../sim/browsers/chromium.ts";
import {
  parseChromiumArgs,
  planSessions,
  recordChromiumSessions,
  recordedRows,
  rowsFromRaw,
  TARGET_PAGE,
} from "../sim/browsers/chromium_bots.ts";
import { readJsonl } from "../collector/mod.ts";

const SKIP = skipWithoutChromium("tests/data_chromium_test.ts");

Deno.test("planSessions() interleaves kinds and webdriver states", () => {
  assert.deepEqual(
    planSessions(2).map((p) => [p.name, p.kind, p.stealth]),
    [
      ["chromium/linear/0", "chromium_linear", false],
      ["chromium/ghost/0", "chromium_ghost", false],
      ["chromium/linear_stealth/0", "chromium_linear", true],
      ["chromium/ghost_stealth/0", "chromium_ghost", true],
      ["chromium/linear/1", "chromium_linear", false],
      ["chromium/ghost/1", "chromium_ghost", false],
      ["chromium/linear_stealth/1", "chromium_linear", true],
      ["chromium/ghost_stealth/1", "chromium_ghost", true],
    ],
  );
});

Deno.test({
  name:
    "recordChromiumSessions() records real browser events through the guard (main.ts, RETAIN_RAW)",
  ignore: SKIP,
  fn: async () => {
    const sessions = await recordChromiumSessions({
      sessions: 1,
      seconds: 1,
      seed: 3,
    });
    assert.deepEqual(sessions.map((s) => [s.name, s.kind, s.stealth]), [
      ["chromium/ghost/0", "chromium_ghost", false],
      ["chromium/ghost_stealth/0", "chromium_ghost", true],
      ["chromium/linear/0", "chromium_linear", false],
      ["chromium/linear_stealth/0", "chromium_linear", true],
    ]);
    // One fresh guard session per browser context.
    const ids = sessions.map((s) => s.guardSession);
    assert.equal(new Set(ids).size, 4);
    for (const id of ids) assert.match(id, /^[A-Za-z0-9_-]{22}$/);
    // The upstream page has no script: the one Chromium ran is the guard's injected tag.
    assert.equal(TARGET_PAGE.includes("<script"), false);
    for (const s of sessions) {
      assert.equal(s.scripts.length, 1, `${s.name} scripts`);
      assert.match(
        s.scripts[0],
        /^<script src="\/__guard\/c\.[0-9a-f]+\.js" data-ingest="\/__guard\/ingest" data-window="1000" data-page="[0-9a-z]+\.[\w-]{12}\.[\w-]{22}" async(="")?><\/script>$/,
      );
      // The guard stored the session's windows and, with RETAIN_RAW, their raw events.
      assert.ok(s.windows >= 1, `${s.name} stored no window`);
      assert.ok(s.events.length > 0, `${s.name} stored no raw event`);
      assert.ok(s.events.every((e) => e.session === s.guardSession));
      const metas = s.events.filter((e) => e.kind === "meta");
      assert.equal(metas.length, s.windows, `${s.name}: one meta per window`);
      assert.ok(
        metas.every((m) => m.webdriver === !s.stealth),
        `${s.name} webdriver`,
      );
      // CDP input is dispatched as trusted events: the collector never sees isTrusted === false.
      assert.ok(
        s.events.every((e) => e.trusted !== false),
        `${s.name} trusted`,
      );
      assert.ok(s.events.some((e) => e.kind === "down"), `${s.name} no click`);
      // Privacy: the collector sends key classes only.
      assert.ok(
        s.events.every((e) =>
          e.key === undefined || ["char", "backspace", "other"].includes(e.key)
        ),
      );
    }
    // The dataset rows come from those stored events, named after the plan, not the guard id.
    const rows = recordedRows(sessions);
    assert.ok(rows.length >= 1);
    assert.ok(rows.every((r) => r.source === "chromium" && r.label === "bot"));
    assert.ok(rows.every((r) => r.session === r.group));
    assert.deepEqual(
      [...new Set(rows.map((r) => r.kind))].sort(),
      ["chromium_ghost", "chromium_linear"],
    );
  },
});

Deno.test("parseChromiumArgs() defaults to 30-40 s sessions, 20 per kind and webdriver state", () => {
  const o = parseChromiumArgs([]);
  assert.deepEqual(
    [o.sessions, o.seconds, o.maxSeconds, o.raw, o.fromRaw],
    [20, 30, 40, undefined, undefined],
  );
  assert.equal(parseChromiumArgs(["--raw", "r.jsonl"]).raw, "r.jsonl");
  assert.throws(() => parseChromiumArgs(["--seconds", "0"]), RangeError);
});

Deno.test("rowsFromRaw() gives the rows recordedRows() gives, the kind read from the name", async () => {
  const events = await readJsonl("data/chromium_sample.jsonl");
  assert.ok(events.every((e) => e.session === "chromium/ghost/0"));
  const stealth = events.map((e) => ({
    ...e,
    session: "chromium/linear_stealth/7",
  }));
  const path = await Deno.makeTempFile({ suffix: ".jsonl" });
  try {
    await Deno.writeTextFile(
      path,
      [...events, ...stealth].map((e) => JSON.stringify(e)).join("\n") + "\n",
    );
    const rows = await rowsFromRaw(path);
    const expected = recordedRows([
      { name: "chromium/ghost/0", kind: "chromium_ghost", events },
      {
        name: "chromium/linear_stealth/7",
        kind: "chromium_linear",
        events: stealth,
      },
    ]);
    assert.ok(expected.length >= 2);
    assert.deepEqual(rows, expected);
    assert.deepEqual(
      [...new Set(rows.map((r) => `${r.session} ${r.kind}`))],
      [
        "chromium/ghost/0 chromium_ghost",
        "chromium/linear_stealth/7 chromium_linear",
      ],
    );
  } finally {
    await Deno.remove(path);
  }
});
