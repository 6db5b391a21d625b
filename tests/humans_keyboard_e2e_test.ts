/**
 * Issue 12's keyboard-only human through the real guard (main.ts, enforce mode, the built-in demo
 * site), on a guard of its own: Tab navigation with varied delays, typing with a person's rhythm;
 * must stay logged in for 60 s with no alert email. Skips visibly without Chromium, except under
 * CI=true.
 */
import { skipWithoutChromium } from "../sim/browsers/chromium.ts";
import { startSuite } from "./_attack_suite.ts";
import { assertStayedLoggedIn, keyboardHuman } from "./_humans.ts";

const SKIP = skipWithoutChromium("tests/humans_keyboard_e2e_test.ts");
const NAME =
  "human: a keyboard-only person (Tab navigation, varied typing) stays logged in for 60 s without an alert";

const suite = startSuite({ [NAME]: keyboardHuman }, {
  databaseUrl: Deno.env.get("DATABASE_URL"),
});

Deno.test({
  name: NAME,
  ignore: SKIP,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => suite.run(NAME, (r, inbox) => assertStayedLoggedIn(NAME, r, inbox)),
});
