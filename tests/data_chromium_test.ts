import assert from "node:assert/strict";
import { skipWithoutChromium } from "../sim/chromium.ts";
import { recordChromiumSessions } from "../sim/chromium_bots.ts";

const SKIP = skipWithoutChromium("tests/data_chromium_test.ts");

Deno.test({
  name:
    "recordChromiumSessions() records real browser events through the collector",
  ignore: SKIP,
  fn: async () => {
    const { events, kinds } = await recordChromiumSessions({
      sessions: 1,
      seconds: 1,
      seed: 3,
    });
    assert.deepEqual([...events.keys()].sort(), [
      "chromium/ghost/0",
      "chromium/ghost_stealth/0",
      "chromium/linear/0",
      "chromium/linear_stealth/0",
    ]);
    assert.equal(kinds.get("chromium/ghost/0"), "chromium_ghost");
    for (const [session, list] of events) {
      const metas = list.filter((e) => e.kind === "meta");
      assert.ok(metas.length > 0, `${session} has no meta event`);
      const hidden = session.includes("_stealth");
      assert.ok(
        metas.every((m) => m.webdriver === !hidden),
        `${session} webdriver`,
      );
      // CDP input is dispatched as trusted events: the collector never sees isTrusted === false.
      assert.ok(
        list.every((e) => e.trusted !== false),
        `${session} has untrusted events`,
      );
      assert.ok(list.some((e) => e.kind === "down"), `${session} has no click`);
      // Privacy: the collector sends key classes only.
      assert.ok(
        list.every((e) =>
          e.key === undefined || ["char", "backspace", "other"].includes(e.key)
        ),
      );
    }
  },
});
