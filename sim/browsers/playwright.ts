/**
 * The `playwright` family: playwright-core driving Debian's Chromium (`executablePath`, never a
 * browser of its own) through its documented input API: `page.mouse.move(x, y, { steps })`
 * (steps 1, the default, or 5–50), `page.click(selector)` (which moves the mouse to the element's
 * centre in one step, then presses), `page.mouse.wheel`, and text by `page.fill` (no key events)
 * or by clicking the field and `page.keyboard.type(text, { delay })`.
 *
 * @module
 */
import { type Browser, chromium, type Page } from "playwright-core";
import { GUARD_COOKIE } from "../../middleware/session/mod.ts";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./chromium.ts";
import { BUTTONS, randomWord } from "./chromium_drivers.ts";
import type { Rng } from "../bots/prng.ts";
import {
  COLLECTOR_READY,
  type CommonParams,
  drawCommon,
  type DriveRequest,
  type DriveResult,
  type FamilyDriver,
  HIDE_WEBDRIVER,
  nextAction,
  sleep,
  wheelDelta,
} from "./common.ts";

/** The tool as deno.lock resolves it. */
export const PLAYWRIGHT_TOOL = "playwright-core 1.65.2";

/** One playwright session's settings. */
export interface PlaywrightParams extends CommonParams {
  /** `page.mouse.move` steps. */
  steps: number;
  /** Share of pointing actions that use `page.click(selector)` rather than `page.mouse.move`. */
  clickShare: number;
  /** `page.click` press-to-release delay, ms (0: the default). */
  clickDelay: number;
  /** `fill` sets the value with no key event; `type` presses each key. */
  typing: "fill" | "type";
  /** `page.keyboard.type` delay between keys, ms (0: the default). */
  typeDelay: number;
}

/** Draws a playwright session's settings. */
export function drawPlaywrightParams(rng: Rng): PlaywrightParams {
  return {
    ...drawCommon(rng),
    steps: rng.next() < 0.3 ? 1 : rng.pick([5, 10, 20, 25, 50]),
    clickShare: rng.uniform(0.3, 0.7),
    clickDelay: rng.next() < 0.6 ? 0 : rng.int(20, 120),
    typing: rng.next() < 0.3 ? "fill" : "type",
    typeDelay: rng.next() < 0.35 ? 0 : rng.int(20, 150),
  };
}

async function act(
  page: Page,
  p: PlaywrightParams,
  rng: Rng,
  until: number,
): Promise<void> {
  const { width, height } = p.viewport;
  const action = nextAction(rng, p);
  if (action === "point") {
    if (rng.next() < p.clickShare) {
      await page.click(`#b${rng.int(0, BUTTONS - 1)}`, {
        delay: p.clickDelay,
      });
    } else {
      await page.mouse.move(rng.int(20, width - 20), rng.int(20, height - 20), {
        steps: p.steps,
      });
    }
  } else if (action === "scroll") {
    await page.mouse.wheel(0, wheelDelta(rng));
  } else {
    const words = Array.from({ length: rng.int(1, 4) }, () => randomWord(rng));
    if (p.typing === "fill") {
      await page.fill("#field", words.join(" "));
      return;
    }
    await page.click("#field", { delay: p.clickDelay });
    for (const word of words) {
      if (Date.now() >= until) break;
      await page.keyboard.type(`${word} `, { delay: p.typeDelay });
    }
  }
}

/** A playwright driver: one browser per webdriver state, one fresh context per session. */
export function createPlaywrightDriver(): FamilyDriver {
  const browsers = new Map<boolean, Promise<Browser>>();
  const browserFor = (stealth: boolean) => {
    if (!browsers.has(stealth)) {
      browsers.set(
        stealth,
        chromium.launch({
          executablePath: CHROMIUM_PATH,
          headless: true,
          handleSIGHUP: false,
          args: [
            ...CHROMIUM_ARGS.filter((a) => !a.startsWith("--headless")),
            ...(stealth ? [HIDE_WEBDRIVER] : []),
          ],
        }),
      );
    }
    return browsers.get(stealth)!;
  };
  return {
    tool: PLAYWRIGHT_TOOL,
    async drive(r: DriveRequest): Promise<DriveResult> {
      const browser = await browserFor(r.plan.stealth);
      const params = drawPlaywrightParams(r.rng);
      const context = await browser.newContext({ viewport: params.viewport });
      try {
        const page = await context.newPage();
        await page.goto(r.url, { waitUntil: "load" });
        await page.waitForFunction(COLLECTOR_READY);
        const began = Date.now();
        const until = began + r.seconds * 1000;
        while (Date.now() < until) {
          await act(page, params, r.rng, until);
          if (params.pauseMax > 0) await sleep(r.rng.int(0, params.pauseMax));
        }
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
