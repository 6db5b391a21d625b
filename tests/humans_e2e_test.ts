/**
 * Issue 12's humans through the real guard (main.ts, enforce mode, the built-in demo site): a
 * touch and a mouse human each use the site for 60 s after logging in and must stay logged in,
 * with no alert email.
 *
 * The humans run on a guard of their own, not the attackers' (tests/attack_e2e_test.ts): the guard
 * remembers window fingerprints across sessions to catch replays, and the replaying attacker uses
 * the same recording as the mouse human. They run concurrently (tests/_attack_suite.ts); each test
 * awaits and asserts its own. Skips visibly without Chromium, except under CI=true.
 */
import { skipWithoutChromium } from "../sim/browsers/chromium.ts";
import { type Scenario, startSuite } from "./_attack_suite.ts";
import {
  assertStayedLoggedIn,
  type HumanResult,
  mouseHuman,
  touchHuman,
} from "./_humans.ts";

const SKIP = skipWithoutChromium("tests/humans_e2e_test.ts");

/** Test name → scenario. */
const HUMANS: Record<string, Scenario<HumanResult>> = {
  "human: a touch person (device emulation, taps and swipes) stays logged in for 60 s without an alert":
    touchHuman,
  "human: a mouse person (replayed recording) stays logged in for 60 s without an alert":
    mouseHuman,
};

// A Postgres server makes the guard start in about a second; without it, the embedded store.
const suite = startSuite(HUMANS, { databaseUrl: Deno.env.get("DATABASE_URL") });

for (const name of Object.keys(HUMANS)) {
  Deno.test({
    name,
    ignore: SKIP,
    // The shared guard, SMTP server and browser outlive the test that started them.
    sanitizeOps: false,
    sanitizeResources: false,
    fn: () =>
      suite.run(name, (r, inbox) => assertStayedLoggedIn(name, r, inbox)),
  });
}
