import assert from "node:assert/strict";
import { readJsonl } from "../collector/mod.ts";
import { HAVE_CHROMIUM } from "../sim/browsers/chromium.ts";
import { CHROMEDRIVER_PATH } from "../sim/browsers/selenium.ts";
import { planFamily } from "../sim/browsers/common.ts";
import {
  FAMILIES,
  parseRecordArgs,
  recordBrowserSessions,
  rowsFromRawDir,
  toJsonl,
} from "../sim/browsers/record_browsers.ts";
import { toCsv } from "../sim/dataset/dataset.ts";
import type { ReplayResult } from "../middleware/detect/replay_cli.ts";

const ROOT = new URL("../", import.meta.url).pathname;

const HAVE_CHROMEDRIVER = await Deno.stat(CHROMEDRIVER_PATH).then(
  (s) => s.isFile,
  () => false,
);

/** Skipped, visibly, only without Chromium or ChromeDriver and outside CI (CI=true must run). */
const SKIP = (() => {
  const skip = !(HAVE_CHROMIUM && HAVE_CHROMEDRIVER) &&
    Deno.env.get("CI") !== "true";
  if (skip) {
    console.warn(
      `SKIPPED tests/data_browsers_test.ts: no Chromium or no ChromeDriver at "${CHROMEDRIVER_PATH}"`,
    );
  }
  return skip;
})();

/** `deno task replay <path> --json`, as the evaluation runs it. */
async function replay(path: string): Promise<ReplayResult[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "replay", path, "--json"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

Deno.test("planFamily() names sessions and hides webdriver on odd indices", () => {
  assert.deepEqual(
    planFamily("selenium", 3).map((p) => [p.name, p.stealth]),
    [
      ["browser/selenium/0", false],
      ["browser/selenium/1", true],
      ["browser/selenium/2", false],
    ],
  );
});

Deno.test("parseRecordArgs() reads the options and rejects unknown ones", async (t) => {
  await t.step("defaults", () => {
    const o = parseRecordArgs([]);
    assert.deepEqual(
      [o.families, o.sessions, o.seconds, o.maxSeconds, o.seed, o.parallel],
      [["puppeteer", "playwright", "selenium"], 30, 30, 45, 1, 2],
    );
    assert.equal(o.rowsOnly, false);
    assert.equal(parseRecordArgs(["--rows-only"]).rowsOnly, true);
  });
  await t.step("an unknown option", () => {
    assert.throws(() => parseRecordArgs(["--session", "3"]), /session/);
  });
  await t.step("an unknown family", () => {
    assert.throws(
      () => parseRecordArgs(["--family", "cypress"]),
      /Unknown family "cypress"/,
    );
  });
  await t.step("more than two browsers at once", () => {
    assert.throws(() => parseRecordArgs(["--parallel", "3"]), RangeError);
  });
});

Deno.test({
  name:
    "recordBrowserSessions() records puppeteer, playwright and selenium through the guard and replays them",
  ignore: SKIP,
  fn: async () => {
    const sessions = await recordBrowserSessions({
      families: FAMILIES,
      sessions: 1,
      seconds: 6,
      seed: 3,
    });
    assert.deepEqual(sessions.map((s) => s.name), [
      "browser/puppeteer/0",
      "browser/playwright/0",
      "browser/selenium/0",
    ]);
    assert.equal(new Set(sessions.map((s) => s.guardSession)).size, 3);
    const dir = await Deno.makeTempDir({ prefix: "browsers_test_" });
    try {
      for (const s of sessions) {
        assert.match(s.guardSession, /^[A-Za-z0-9_-]{22}$/);
        assert.match(s.tool, new RegExp(`^${s.family}`));
        assert.ok(s.drivenMs >= 6000, `${s.name} drove ${s.drivenMs} ms`);
        // The guard stored windows with the raw events of the tool's input, moves among them.
        assert.ok(s.windows >= 2, `${s.name}: ${s.windows} windows`);
        assert.ok(s.events.every((e) => e.session === s.name));
        const moves = s.events.filter((e) => e.kind === "move").length;
        assert.ok(moves >= 1, `${s.name}: no move`);
        const metas = s.events.filter((e) => e.kind === "meta");
        assert.equal(metas.length, s.windows, `${s.name}: one meta per window`);
        assert.ok(
          metas.every((m) => m.webdriver === true),
          `${s.name} webdriver`,
        );
        await Deno.writeTextFile(`${dir}/${s.family}.jsonl`, toJsonl(s.events));
        const results = await replay(`${dir}/${s.family}.jsonl`);
        assert.deepEqual(results.map((r) => r.session), [s.name]);
        assert.ok(results[0].windows >= 1, `${s.name} replayed no window`);
      }
      const rows = await rowsFromRawDir(dir);
      assert.ok(rows.every((r) => r.source === "browser" && r.label === "bot"));
      assert.deepEqual(
        [...new Set(rows.map((r) => r.kind))].sort(),
        ["playwright", "puppeteer", "selenium"],
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("data/browser_raw replays one result per recorded session, and browser_rows.csv is derived from it", async () => {
  for (const family of FAMILIES) {
    const path = `${ROOT}data/browser_raw/${family}.jsonl`;
    const names = [...new Set((await readJsonl(path)).map((e) => e.session))];
    assert.ok(names.length >= 10, `${family}: ${names.length} sessions`);
    assert.ok(names.every((n) => n.startsWith(`browser/${family}/`)));
    const results = await replay(path);
    assert.deepEqual(results.map((r) => r.session), names);
    assert.ok(results.every((r) => r.windows >= 6), `${family}: short session`);
  }
  assert.equal(
    toCsv(await rowsFromRawDir(`${ROOT}data/browser_raw`)),
    await Deno.readTextFile(`${ROOT}data/browser_rows.csv`),
  );
});
