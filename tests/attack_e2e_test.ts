/**
 * Issue 12's attackers through the real guard (main.ts, enforce mode, the built-in demo site):
 * each must be logged out within 60 s of logging in, with its `session` cookie cleared and a
 * protected page sending it to the login page.
 *
 * The scenarios run concurrently against one guard, one SMTP server and one Chromium
 * (tests/_attack_suite.ts); each test awaits and asserts its own. Skips visibly without Chromium,
 * except under CI=true.
 */
import assert from "node:assert/strict";
import { skipWithoutChromium } from "../sim/browsers/chromium.ts";
import {
  LOGIN_PATH,
  LOGOUT_BOUND_MS,
  type ScenarioResult,
} from "./_attack_env.ts";
import { type Scenario, startSuite } from "./_attack_suite.ts";
import {
  constantWindowBot,
  emptyWindowBot,
  plainHttpBot,
  replayLoopBot,
} from "./_attack_http_bots.ts";
import {
  collectorBlockedBot,
  collectorStubbedBot,
  cooperatingBot,
  keyboardOnlyBot,
} from "./_attack_chromium.ts";

const SKIP = skipWithoutChromium("tests/attack_e2e_test.ts");

/** Test name → scenario. */
const ATTACKS: Record<string, Scenario<ScenarioResult>> = {
  "attack: plain-HTTP bot with a cookie jar is logged out within 60 s":
    plainHttpBot,
  "attack: headless Chromium with the collector blocked is logged out within 60 s":
    collectorBlockedBot,
  "attack: headless Chromium with the collector stubbed is logged out within 60 s":
    collectorStubbedBot,
  "attack: headless Chromium using only the keyboard is logged out within 60 s":
    keyboardOnlyBot,
  "attack: a client posting windows with no events is logged out within 60 s":
    emptyWindowBot,
  "attack: a client posting one constant human window while scraping is logged out within 60 s":
    constantWindowBot,
  "attack: a client replaying a human recording in a loop is logged out within 60 s":
    replayLoopBot,
  "attack: the cooperating Chromium bot is logged out within 60 s":
    cooperatingBot,
};

// A Postgres server makes the guard start in about a second; without it, the embedded store.
const suite = startSuite(ATTACKS, {
  databaseUrl: Deno.env.get("DATABASE_URL"),
});

for (const name of Object.keys(ATTACKS)) {
  Deno.test({
    name,
    ignore: SKIP,
    // The shared guard, SMTP server and browser outlive the test that started them.
    sanitizeOps: false,
    sanitizeResources: false,
    fn: () =>
      suite.run(name, (r) => {
        const seconds = r.loggedOutMs === null
          ? "never"
          : `${(r.loggedOutMs / 1000).toFixed(1)} s`;
        console.log(`${name}: logged out after ${seconds}; ${r.detail}`);
        assert.ok(
          r.loggedOutMs !== null && r.loggedOutMs <= LOGOUT_BOUND_MS,
          `logged out within ${LOGOUT_BOUND_MS} ms (${seconds}); ${r.detail}`,
        );
        assert.equal(r.logoutLocation, LOGIN_PATH);
        assert.equal(r.sessionCookieHeld, false, "the session cookie cleared");
        assert.equal(r.protectedPath, LOGIN_PATH);
      }),
  });
}
