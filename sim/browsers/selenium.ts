/**
 * The `selenium` family: selenium-webdriver (npm) with Debian's ChromeDriver and Chromium, input
 * only through the W3C Actions API and `WebElement.sendKeys`, no page script: `actions().move({
 * x, y, duration, origin })` from the viewport, the pointer or a button element (duration 100 ms,
 * Selenium's default, up to 2000 ms), `click()`, `scroll(x, y, dx, dy, origin)` (a wheel input
 * source), and text by `sendKeys` on the field or key by key with `pause`. Each session is its
 * own WebDriver session, so its own browser with a fresh profile.
 *
 * @module
 */
import {
  type Actions,
  Builder,
  By,
  Origin,
  type WebDriver,
  type WebElement,
} from "selenium-webdriver";
import chrome from "selenium-webdriver/chrome.js";
import { GUARD_COOKIE } from "../../middleware/session/mod.ts";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./chromium.ts";
import { BUTTONS, randomWord } from "./chromium_drivers.ts";
import type { Rng } from "../bots/prng.ts";
import {
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
export const SELENIUM_TOOL = "selenium-webdriver 4.54.0";

/** ChromeDriver's path: `CHROMEDRIVER_PATH`, else Debian's `/usr/bin/chromedriver`. */
export const CHROMEDRIVER_PATH = Deno.env.get("CHROMEDRIVER_PATH") ??
  "/usr/bin/chromedriver";

/** One selenium session's settings. */
export interface SeleniumParams extends CommonParams {
  /** `move` duration, ms: Selenium's default 100, or what scripts set (250–2000). */
  duration: number;
  /** Share of moves followed by `click()`. */
  clickShare: number;
  /** `sendKeys` on the element, or key by key with a `pause` of `keyPause` ms. */
  typing: "element" | "actions";
  keyPause: number;
}

/** Draws a selenium session's settings. */
export function drawSeleniumParams(rng: Rng): SeleniumParams {
  return {
    ...drawCommon(rng),
    duration: rng.next() < 0.3 ? 100 : rng.pick([250, 500, 1000, 2000]),
    clickShare: rng.uniform(0.5, 0.9),
    typing: rng.next() < 0.5 ? "element" : "actions",
    keyPause: rng.int(20, 150),
  };
}

/** Selenium 4's wheel actions, which @types/selenium-webdriver 4.35 does not declare. */
type WheelActions = Actions & {
  scroll(
    x: number,
    y: number,
    dx: number,
    dy: number,
    origin?: Origin | WebElement,
    duration?: number,
  ): Actions;
};

/** Adds the wheel actions' type to an action sequence. */
const wheel = (actions: Actions) => actions as WheelActions;

/** Where the pointer is, when the last move's target was a known viewport point. */
type Pointer = { x: number; y: number } | null;

async function point(
  driver: WebDriver,
  p: SeleniumParams,
  rng: Rng,
  at: Pointer,
): Promise<Pointer> {
  const { width, height } = p.viewport;
  const r = rng.next();
  let next: Pointer;
  let actions = driver.actions();
  if (r < 0.4) {
    const button = await driver.findElement(
      By.id(`b${rng.int(0, BUTTONS - 1)}`),
    );
    // A scroll whose origin is an element scrolls it into view first (W3C wheel actions).
    actions = wheel(actions).scroll(0, 0, 0, 0, button)
      .move({ origin: button, duration: p.duration });
    next = null;
  } else if (r < 0.6 && at !== null) {
    next = {
      x: Math.min(width - 20, Math.max(20, at.x + rng.int(-200, 200))),
      y: Math.min(height - 20, Math.max(20, at.y + rng.int(-200, 200))),
    };
    actions = actions.move({
      origin: Origin.POINTER,
      x: next.x - at.x,
      y: next.y - at.y,
      duration: p.duration,
    });
  } else {
    next = { x: rng.int(20, width - 20), y: rng.int(20, height - 20) };
    actions = actions.move({
      ...next,
      origin: Origin.VIEWPORT,
      duration: p.duration,
    });
  }
  if (rng.next() < p.clickShare) actions = actions.click();
  try {
    await actions.perform();
  } catch (error) {
    // A button at the page's edge can end up outside the viewport after a scroll into view;
    // ChromeDriver then refuses the whole sequence, and a script moves on.
    if ((error as Error).name !== "MoveTargetOutOfBoundsError") throw error;
    return null;
  }
  return next;
}

async function type(
  driver: WebDriver,
  field: WebElement,
  p: SeleniumParams,
  rng: Rng,
  until: number,
): Promise<void> {
  await wheel(driver.actions()).scroll(0, 0, 0, 0, field)
    .move({ origin: field, duration: p.duration }).click().perform();
  const words = Array.from({ length: rng.int(1, 4) }, () => randomWord(rng));
  for (const word of words) {
    if (Date.now() >= until) break;
    if (p.typing === "element") {
      await field.sendKeys(`${word} `);
      continue;
    }
    let actions = driver.actions();
    for (const key of `${word} `) {
      actions = actions.keyDown(key).keyUp(key).pause(p.keyPause);
    }
    await actions.perform();
  }
}

function buildDriver(stealth: boolean, p: SeleniumParams): Promise<WebDriver> {
  const options = new chrome.Options();
  options.setChromeBinaryPath(CHROMIUM_PATH);
  options.addArguments(
    ...CHROMIUM_ARGS.filter((a) => !a.startsWith("--window-size")),
    `--window-size=${p.viewport.width},${p.viewport.height}`,
    ...(stealth ? [HIDE_WEBDRIVER] : []),
  );
  if (stealth) options.excludeSwitches("enable-automation");
  return new Builder()
    .forBrowser("chrome")
    .setChromeService(new chrome.ServiceBuilder(CHROMEDRIVER_PATH))
    .setChromeOptions(options)
    .build();
}

/**
 * Sizes the window so that the page's viewport is `viewport`: headless Chromium gives a window of
 * `--window-size` a viewport 143 px shorter (room for a browser frame it does not draw).
 */
async function fitViewport(
  driver: WebDriver,
  viewport: { width: number; height: number },
): Promise<void> {
  const [dw, dh] = await driver.executeScript(
    "return [outerWidth - innerWidth, outerHeight - innerHeight]",
  ) as [number, number];
  await driver.manage().window().setRect({
    width: viewport.width + dw,
    height: viewport.height + dh,
  });
}

/** A selenium driver: a fresh WebDriver session (browser and profile) per recorded session. */
export function createSeleniumDriver(): FamilyDriver {
  return {
    tool: SELENIUM_TOOL,
    async drive(r: DriveRequest): Promise<DriveResult> {
      const params = drawSeleniumParams(r.rng);
      const driver = await buildDriver(r.plan.stealth, params);
      try {
        await fitViewport(driver, params.viewport);
        await driver.get(r.url);
        await driver.wait(
          () =>
            driver.executeScript("return globalThis.__guardCollector === true"),
          30_000,
        );
        const field = await driver.findElement(By.id("field"));
        const began = Date.now();
        const until = began + r.seconds * 1000;
        let at: Pointer = null;
        while (Date.now() < until) {
          const action = nextAction(r.rng, params);
          if (action === "point") at = await point(driver, params, r.rng, at);
          else if (action === "scroll") {
            await wheel(driver.actions()).scroll(
              Math.round(params.viewport.width / 2),
              Math.round(params.viewport.height / 2),
              0,
              wheelDelta(r.rng),
              Origin.VIEWPORT,
            ).perform();
          } else {
            await type(driver, field, params, r.rng, until);
            at = null;
          }
          if (params.pauseMax > 0) await sleep(r.rng.int(0, params.pauseMax));
        }
        const drivenMs = Date.now() - began;
        const cookie = (await driver.manage().getCookies()).find((c) =>
          c.name === GUARD_COOKIE
        )?.value;
        // Leaving fires pagehide: the collector sends its last window by sendBeacon.
        await driver.get("about:blank");
        await sleep(300);
        return { cookie, params: { ...params }, drivenMs };
      } finally {
        await driver.quit();
      }
    },
    close: () => Promise.resolve(),
  };
}
