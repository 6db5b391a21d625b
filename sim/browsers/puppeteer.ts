/**
 * The `puppeteer` family: puppeteer-core's own input API, as a script written from its docs does
 * it. The session loop is chromium_linear's (sim/browsers/chromium_drivers.ts: `page.mouse.move` with
 * `steps`, `page.mouse.click`, `page.mouse.wheel`, `page.keyboard.type` with a delay), with the
 * settings drawn from what puppeteer users write: `steps` 1 (the default), 5, 10, 25 or 50; a
 * typing delay of 0 (the default) or 20–150 ms; a press-to-release delay of 0 or 20–120 ms.
 *
 * @module
 */
import type { Browser } from "puppeteer-core";
import { GUARD_COOKIE } from "../../middleware/session/mod.ts";
import { launchChromium } from "./chromium.ts";
import { drawParams, driveSession } from "./chromium_drivers.ts";
import type { Rng } from "../bots/prng.ts";
import {
  COLLECTOR_READY,
  type DriveRequest,
  type DriveResult,
  type FamilyDriver,
  HIDE_WEBDRIVER,
  sleep,
} from "./common.ts";

/** The tool as deno.lock resolves it. */
export const PUPPETEER_TOOL = "puppeteer-core 25.16.0";

/** chromium_linear's parameters with the puppeteer family's settings. */
export function drawPuppeteerParams(
  rng: Rng,
): ReturnType<typeof drawParams> {
  const base = drawParams(rng);
  return {
    ...base,
    steps: rng.pick([1, 5, 10, 25, 50]),
    typeDelay: rng.next() < 0.35 ? 0 : rng.int(20, 150),
    clickDelay: rng.next() < 0.5 ? 0 : rng.int(20, 120),
  };
}

/** A puppeteer driver: one browser per webdriver state, one fresh context per session. */
export function createPuppeteerDriver(): FamilyDriver {
  const browsers = new Map<boolean, Promise<Browser>>();
  const browserFor = (stealth: boolean) => {
    if (!browsers.has(stealth)) {
      browsers.set(
        stealth,
        launchChromium({ args: stealth ? [HIDE_WEBDRIVER] : [] }),
      );
    }
    return browsers.get(stealth)!;
  };
  return {
    tool: PUPPETEER_TOOL,
    async drive(r: DriveRequest): Promise<DriveResult> {
      const browser = await browserFor(r.plan.stealth);
      const context = await browser.createBrowserContext();
      try {
        const page = await context.newPage();
        const params = drawPuppeteerParams(r.rng);
        await page.setViewport(params.viewport);
        await page.goto(r.url, { waitUntil: "load" });
        await page.waitForFunction(COLLECTOR_READY);
        const began = Date.now();
        const until = began + r.seconds * 1000;
        await driveSession(page, "chromium_linear", params, r.rng, until);
        const drivenMs = Date.now() - began;
        const cookie = (await context.cookies()).find((c) =>
          c.name === GUARD_COOKIE
        )?.value;
        // Leaving fires pagehide: the collector sends its last window by sendBeacon.
        await page.goto("about:blank");
        await sleep(300);
        return { cookie, params: { ...params }, drivenMs };
      } finally {
        await context.close();
      }
    },
    async close() {
      for (const b of browsers.values()) await (await b).close();
    },
  };
}
