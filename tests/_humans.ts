/**
 * The humans of issue 12 in real Chromium: a keyboard-only human, a touch human and a mouse human
 * (a replayed recording). Each logs in to the demo site through the guard and uses it for
 * {@link HUMAN_STAY_MS}; the result says whether it was ever sent to the login page.
 *
 * @module
 */
import assert from "node:assert/strict";
import { type Browser, KnownDevices, type Page } from "puppeteer-core";
import { createRng, type Rng } from "../sim/bots/prng.ts";
import { DEMO_PASSWORD } from "../demo/mod.ts";
import {
  type AttackStage,
  describeSession,
  guardSessionId,
  HUMAN_STAY_MS,
  LOGIN_PATH,
  type ScenarioResult,
  sleep,
} from "./_attack_env.ts";
import type { WindowEvent } from "../collector/mod.ts";
import { readFixture } from "./_attack_http.ts";
import { watchPage } from "./_attack_page.ts";
import { browseByKeyboard, tabTo, typeLikeAPerson } from "./_human_keyboard.ts";

/** The guard's window: the last one is posted and judged this long after the human stops. */
const SETTLE_MS = 6000;

/** How a human behaves. */
interface Human {
  /** Device emulation, before the first page. */
  prepare?(page: Page): Promise<void>;
  /** Logs in from the login page; ends on the page after login. */
  logIn(page: Page): Promise<void>;
  /** Uses the site until `deadline` (performance.now()). */
  use(page: Page, deadline: number): Promise<void>;
}

const pathOf = (url: string) => new URL(url).pathname;

/** Guard facts of a human's session, asserted by the tests. */
export interface HumanResult extends ScenarioResult {
  /** Why the human's own script stopped early, or null. */
  error: string | null;
  /** The guard session id. */
  session: string | null;
  /** The guard session's state ("active", "revoked") and counts, or null if unknown. */
  guard: { state: string; windows: number; detections: number } | null;
}

async function runHuman(
  stage: AttackStage,
  browser: Browser,
  human: Human,
): Promise<HumanResult> {
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    await human.prepare?.(page);
    // A person's browser is not automated: navigator.webdriver is false there.
    await page.evaluateOnNewDocument(
      `Object.defineProperty(Navigator.prototype, "webdriver", { get: () => false })`,
    );
    const watch = watchPage(page);
    await page.goto(`${stage.url}/login`);
    await human.logIn(page);
    const id = guardSessionId(
      (await context.cookies()).find((c) => c.name === "__guard_sid")?.value,
    );
    watch.start();
    let error: string | null = null;
    try {
      await human.use(page, performance.now() + HUMAN_STAY_MS);
    } catch (e) {
      error = (e as Error).message; // e.g. a navigation the human did not make
    }
    await sleep(SETTLE_MS);
    const sessionCookieHeld = (await context.cookies()).some((c) =>
      c.name === "session"
    );
    await page.goto(`${stage.url}/article`);
    const guard = id === null ? null : await stage.session(id) as
      | { state: string; windowCount: number; detections: unknown[] }
      | null;
    const loggedOutMs = watch.loggedOutMs();
    return {
      error,
      session: id,
      loggedOutMs,
      logoutLocation: loggedOutMs === null ? null : LOGIN_PATH,
      sessionCookieHeld,
      protectedPath: pathOf(page.url()),
      guard: guard === null ? null : {
        state: guard.state,
        windows: guard.windowCount,
        detections: guard.detections.length,
      },
      detail: `${watch.describe()}; ${await describeSession(stage, id)}`,
    };
  } finally {
    await context.close();
  }
}

/** The keyboard-only human: Tab navigation with varied delays, typing with human rhythm. */
export function keyboardHuman(
  stage: AttackStage,
  browser: Browser,
): Promise<HumanResult> {
  const rng = createRng(12_007);
  return runHuman(stage, browser, {
    async logIn(page) {
      await tabTo(page, rng, "input[name=username]");
      await typeLikeAPerson(page, rng, "grace");
      await tabTo(page, rng, "input[name=password]");
      await typeLikeAPerson(page, rng, DEMO_PASSWORD);
      await sleep(rng.uniform(300, 700));
      await Promise.all([
        page.waitForNavigation(),
        page.keyboard.press("Enter"),
      ]);
    },
    use: (page, deadline) => browseByKeyboard(page, rng, deadline),
  });
}

/** One swipe: a finger down, an eased drag of `dy` px over 200–450 ms, lifted. */
async function swipe(page: Page, rng: Rng, dy: number): Promise<void> {
  const x = rng.uniform(120, 280), y = rng.uniform(450, 600);
  const drift = rng.uniform(-25, 25);
  const ms = rng.uniform(200, 450), steps = Math.round(ms / 16);
  const touch = await page.touchscreen.touchStart(x, y);
  for (let k = 1; k <= steps; k++) {
    const f = 1 - (1 - k / steps) ** 2; // ease-out: a flick slows as it ends
    await touch.move(x + drift * f, y - dy * f);
    await sleep(16 + rng.uniform(-3, 3));
  }
  await touch.end();
}

/** Taps an element near (not at) its centre, after a reaction pause. */
async function tap(page: Page, rng: Rng, selector: string): Promise<void> {
  const box = (await (await page.$(selector))!.boundingBox())!;
  await sleep(rng.uniform(250, 700));
  await page.touchscreen.tap(
    box.x + box.width * rng.uniform(0.3, 0.7),
    box.y + box.height * rng.uniform(0.3, 0.7),
  );
}

/** The touch human: a Pixel 5 (device emulation), taps and swipes with a person's timing. */
export function touchHuman(
  stage: AttackStage,
  browser: Browser,
): Promise<HumanResult> {
  const rng = createRng(12_008);
  return runHuman(stage, browser, {
    prepare: (page) => page.emulate(KnownDevices["Pixel 5"]),
    async logIn(page) {
      await tap(page, rng, "input[name=username]");
      await typeLikeAPerson(page, rng, "tess");
      await tap(page, rng, "input[name=password]");
      await typeLikeAPerson(page, rng, DEMO_PASSWORD);
      await Promise.all([page.waitForNavigation(), tap(page, rng, "button")]);
    },
    async use(page, deadline) {
      for (let round = 0; performance.now() < deadline; round++) {
        // Read down the page in uneven flicks, sometimes back up a little.
        for (let k = 0; k < 6 && performance.now() < deadline; k++) {
          await swipe(
            page,
            rng,
            rng.next() < 0.15 ? -120 : rng.uniform(150, 380),
          );
          await sleep(rng.uniform(600, 2200));
        }
        if (performance.now() > deadline - 8000) continue;
        const target = round % 2 === 0 ? "Profile" : "Article";
        await page.evaluate("scrollTo(0, 0)");
        await sleep(rng.uniform(400, 900));
        await Promise.all([
          page.waitForNavigation(),
          tap(page, rng, `nav a[href="/${target.toLowerCase()}"]`),
        ]);
      }
    },
  });
}

/**
 * The mouse human: the committed SapiMouse recording (60 s) replayed with real mouse events at
 * its recorded times, over a transparent layer so that replayed clicks do not follow links.
 */
export function mouseHuman(
  stage: AttackStage,
  browser: Browser,
): Promise<HumanResult> {
  return runHuman(stage, browser, {
    prepare: (page) => page.setViewport({ width: 1440, height: 800 }),
    async logIn(page) {
      // Logs in without synthetic typing: a same-origin form post, then the article.
      await page.evaluate((password) =>
        fetch("/login", {
          method: "POST",
          body: new URLSearchParams({
            next: "/article",
            username: "ada",
            password,
          }),
        }).then(() => {}), DEMO_PASSWORD);
      await page.goto(`${stage.url}/article`);
    },
    async use(page, deadline) {
      await replayMouse(page, await readFixture());
      await sleep(deadline - performance.now());
    },
  });
}

/**
 * Replays a recorded person's mouse at the recorded times. A transparent layer takes the clicks,
 * so replayed clicks do not follow links; the collector listens on the document and sees every
 * event.
 */
export async function replayMouse(
  page: Page,
  events: readonly WindowEvent[],
): Promise<void> {
  await page.evaluate(`(() => {
    const layer = document.createElement("div");
    layer.style.cssText = "position:fixed;inset:0;z-index:2147483647";
    document.body.append(layer);
  })()`);
  // Moves carry their recorded time (CDP's `timestamp`, which becomes the event's timeStamp): a
  // person's device quantises event timing (interval_mode_share), the CDP round trip does not.
  const cdp = await page.createCDPSession();
  const start = performance.now(), epoch = Date.now();
  for (const e of events) {
    const wait = start + e.t - performance.now();
    if (wait > 1) await sleep(wait);
    const button = e.button === 2 ? "right" : "left";
    if (e.kind === "move") {
      await cdp.send("Input.dispatchMouseEvent", {
        type: "mouseMoved",
        x: e.x!,
        y: e.y!,
        timestamp: (epoch + e.t) / 1000,
      });
    } else if (e.kind === "down") await page.mouse.down({ button });
    else if (e.kind === "up") await page.mouse.up({ button });
  }
}

/** The humans' assertions: never sent to log in, cookie kept, session active, no alert about it. */
export function assertStayedLoggedIn(
  name: string,
  r: HumanResult,
  inbox: readonly string[],
): void {
  console.log(`${name}: ${r.detail}`);
  assert.equal(
    r.error,
    null,
    `the human's script ran through (${r.error}); ${r.detail}`,
  );
  assert.equal(r.loggedOutMs, null, `never sent to log in; ${r.detail}`);
  assert.equal(r.sessionCookieHeld, true, "the session cookie kept");
  assert.equal(r.protectedPath, "/article");
  assert.equal(r.guard?.state, "active", r.detail);
  assert.equal(r.guard?.detections, 0, r.detail);
  assert.ok(
    r.guard.windows >= 6,
    `the guard accepted behaviour windows; ${r.detail}`,
  );
  // Quoted-printable bodies break long lines with "=\r\n", inside the session id too.
  const mine = inbox.filter((m) =>
    m.replace(/=\r?\n/g, "").includes(r.session!)
  );
  assert.deepEqual(mine, [], "no alert email about this person");
}
