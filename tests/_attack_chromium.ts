/**
 * The headless-Chromium attackers of issue 12, each in its own browser context: log in to the
 * demo site through the guard, then act in a loop until the page lands on LOGIN_URL (the
 * collector's logout or the guard's 303) or the bound passes.
 *
 * @module
 */
import type { Browser, HTTPRequest, Page } from "puppeteer-core";
import {
  type AttackStage,
  describeSession,
  guardSessionId,
  LOGOUT_BOUND_MS,
  type ScenarioResult,
  sleep,
} from "./_attack_env.ts";
import { DEMO_PASSWORD } from "../demo/mod.ts";
import { watchPage } from "./_attack_page.ts";

/** How a Chromium attacker behaves. */
interface ChromiumBot {
  user: string;
  /** Before the first page: interception, injected scripts. */
  prepare?(page: Page): Promise<void>;
  /** Logs in from the login page; must end on the page after login. */
  logIn(page: Page): Promise<void>;
  /** One round of activity. */
  act(page: Page, i: number): Promise<void>;
}

const pathOf = (url: string) => new URL(url).pathname;

async function runBot(
  stage: AttackStage,
  browser: Browser,
  bot: ChromiumBot,
): Promise<ScenarioResult> {
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    await page.setViewport({ width: 1280, height: 800 });
    await bot.prepare?.(page);
    const watch = watchPage(page);
    await page.goto(`${stage.url}/login`);
    await bot.logIn(page);
    const id = guardSessionId(
      (await context.cookies()).find((c) => c.name === "__guard_sid")?.value,
    );
    watch.start();
    const started = performance.now();
    let rounds = 0, errors = 0;
    while (
      watch.loggedOutMs() === null &&
      performance.now() - started < LOGOUT_BOUND_MS
    ) {
      try {
        await bot.act(page, rounds++);
      } catch {
        errors++; // a navigation (the logout) cut an action short
        await sleep(200);
      }
    }
    await sleep(300); // the login page of the logout settles
    const sessionCookieHeld = (await context.cookies()).some((c) =>
      c.name === "session"
    );
    const landed = page.url();
    await page.goto(`${stage.url}/article`);
    const loggedOutMs = watch.loggedOutMs();
    return {
      loggedOutMs,
      logoutLocation: loggedOutMs === null ? null : new URL(landed).pathname,
      sessionCookieHeld,
      protectedPath: new URL(page.url()).pathname,
      detail:
        `${rounds} rounds (${errors} cut short), ${watch.describe()}; ${await describeSession(
          stage,
          id,
        )}`,
    };
  } finally {
    await context.close();
  }
}

/** Fills the login form with `page.type` (no delay) and submits it with Enter. */
async function typeLogin(page: Page, user: string): Promise<void> {
  await page.type("input[name=username]", user);
  await page.type("input[name=password]", DEMO_PASSWORD);
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
}

/** A scraper's round: both protected pages, the profile form saved with instant clicks. */
async function scrape(page: Page, base: string, i: number): Promise<void> {
  await page.goto(`${base}/article`);
  await sleep(1000);
  await page.goto(`${base}/profile`);
  await page.click("input[name=city]", { count: 3 });
  await page.type("input[name=city]", `City ${i}`);
  await Promise.all([page.waitForNavigation(), page.click("button")]);
  await sleep(1000);
}

/** Answers the collector's script with empty JavaScript. */
function blockCollector(request: HTTPRequest): void {
  const path = pathOf(request.url());
  if (path.startsWith("/__guard/") && path.endsWith(".js")) {
    request.respond({
      status: 200,
      contentType: "application/javascript",
      body: "",
    });
  } else request.continue();
}

/** Attacker 2: the collector's script is answered with empty JS by request interception. */
export function collectorBlockedBot(
  stage: AttackStage,
  browser: Browser,
): Promise<ScenarioResult> {
  return runBot(stage, browser, {
    user: "blocked",
    async prepare(page) {
      await page.setRequestInterception(true);
      page.on("request", blockCollector);
    },
    logIn: (page) => typeLogin(page, "blocked"),
    act: (page, i) => scrape(page, stage.url, i),
  });
}

/** Attacker 2, stubbed: the collector runs, but `fetch` and `sendBeacon` are no-ops. */
export function collectorStubbedBot(
  stage: AttackStage,
  browser: Browser,
): Promise<ScenarioResult> {
  return runBot(stage, browser, {
    user: "stubbed",
    prepare: (page) =>
      page.evaluateOnNewDocument(`(() => {
        const reply = '{"ok":true,"action":"none"}';
        window.fetch = () => Promise.resolve(new Response(reply, {
          headers: { "content-type": "application/json" },
        }));
        Navigator.prototype.sendBeacon = () => true;
      })()`).then(() => {}),
    logIn: (page) => typeLogin(page, "stubbed"),
    act: (page, i) => scrape(page, stage.url, i),
  });
}

/** Attacker 3: only the keyboard (`page.type` without delay, Enter) and `page.goto`. */
export function keyboardOnlyBot(
  stage: AttackStage,
  browser: Browser,
): Promise<ScenarioResult> {
  return runBot(stage, browser, {
    user: "keys",
    logIn: (page) => typeLogin(page, "keys"),
    async act(page, i) {
      await page.goto(`${stage.url}/profile`);
      await page.type("input[name=city]", ` ${i}`);
      await Promise.all([
        page.waitForNavigation(),
        page.keyboard.press("Enter"),
      ]);
      await page.goto(`${stage.url}/article`);
      for (let k = 0; k < 3; k++) {
        await page.keyboard.press("PageDown");
        await sleep(300);
      }
      await page.type("textarea[name=comment]", "great article");
      await sleep(500);
    },
  });
}

/** Attacker 7, the cooperating bot: the collector runs; straight mouse moves and clicks. */
export function cooperatingBot(
  stage: AttackStage,
  browser: Browser,
): Promise<ScenarioResult> {
  return runBot(stage, browser, {
    user: "mover",
    async logIn(page) {
      for (
        const [field, text] of [["username", "mover"], [
          "password",
          DEMO_PASSWORD,
        ]]
      ) {
        const box =
          (await (await page.$(`input[name=${field}]`))!.boundingBox())!;
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, {
          steps: 10,
        });
        await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
        await page.keyboard.type(text, { delay: 40 });
      }
      await Promise.all([page.waitForNavigation(), page.click("button")]);
      await page.$eval(
        "textarea",
        (t) => t.scrollIntoView({ block: "center" }),
      );
    },
    async act(page, i) {
      const box = (await (await page.$("textarea"))!.boundingBox())!;
      await page.mouse.move(100 + (i * 137) % 800, 100 + (i * 89) % 500, {
        steps: 25,
      });
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, {
        steps: 25,
      });
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      await page.keyboard.type("hello ", { delay: 40 });
      await sleep(200);
    },
  });
}
