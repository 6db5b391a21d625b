/**
 * What a recorded Chromium bot does on its page: the target page (served by the recording's
 * upstream, without any script: the guard injects the collector), and two puppeteer drivers whose
 * parameters are drawn per session from the session's seeded generator.
 *
 * @module
 */
import type { Page } from "puppeteer-core";
import { createCursor } from "ghost-cursor";
import type { Rng } from "../bots/prng.ts";

/** Chromium bot kinds: puppeteer's own mouse/keyboard, or ghost-cursor's paths. */
export type ChromiumKind = "chromium_linear" | "chromium_ghost";

/** Every Chromium bot kind, in recording order. */
export const CHROMIUM_KINDS: readonly ChromiumKind[] = [
  "chromium_linear",
  "chromium_ghost",
];

/** Buttons `#b0`…`#b11` on {@link TARGET_PAGE}. */
export const BUTTONS = 12;

/** The bots' target page: twelve buttons of varied widths and one text field, no script. */
export const TARGET_PAGE: string = (() => {
  const buttons = Array.from(
    { length: BUTTONS },
    (_, i) =>
      `<button id="b${i}" style="position:absolute;left:${
        60 + (i % 4) * 300
      }px;top:${80 + Math.floor(i / 4) * 220}px;width:${
        80 + (i * 37) % 120
      }px;height:36px">t${i}</button>`,
  ).join("");
  return `<!doctype html><html><head><meta charset="utf-8"><title>bots</title>
</head><body style="margin:0;height:4000px">${buttons}
<input id="field" style="position:absolute;left:400px;top:700px;width:300px;height:30px"></body></html>`;
})();

/** Viewports the sessions use; every target stays inside the smallest. */
export const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 1366, height: 768 },
  { width: 1440, height: 900 },
  { width: 1536, height: 864 },
] as const;

/** One session's behaviour, drawn by {@link drawParams}. */
export interface BotParams {
  viewport: { width: number; height: number };
  /** Share of actions that move and click (the rest scroll or type). */
  pointShare: number;
  scrollShare: number;
  /** Delay between key presses, ms. */
  typeDelay: number;
  /** Longest idle pause after an action, ms. */
  pauseMax: number;
  /** chromium_linear: `mouse.move` steps, press-to-release delay, click where the move ended. */
  steps: number;
  clickDelay: number;
  clickInPlace: boolean;
  /** chromium_ghost: path speed (undefined: ghost-cursor's own random speed), click timing. */
  moveSpeed: number | undefined;
  hesitate: number;
  waitForClick: number;
  overshootThreshold: number;
  paddingPercentage: number;
  scrollSpeed: number;
}

/** Draws a session's parameters; the same generator state always gives the same ones. */
export function drawParams(rng: Rng): BotParams {
  return {
    viewport: { ...rng.pick(VIEWPORTS) },
    pointShare: rng.uniform(0.55, 0.8),
    scrollShare: rng.uniform(0.08, 0.2),
    typeDelay: rng.int(20, 200),
    pauseMax: rng.pick([0, 150, 400, 800]),
    steps: rng.int(5, 40),
    clickDelay: rng.pick([0, 0, rng.int(20, 120)]),
    clickInPlace: rng.next() < 0.5,
    moveSpeed: rng.next() < 0.4 ? undefined : rng.int(15, 90),
    hesitate: rng.int(0, 150),
    waitForClick: rng.int(0, 120),
    overshootThreshold: rng.pick([250, 500, 1000]),
    paddingPercentage: rng.int(0, 80),
    scrollSpeed: rng.int(20, 100),
  };
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** One lower-case word of 2–8 letters. */
export function randomWord(rng: Rng): string {
  return Array.from(
    { length: rng.int(2, 8) },
    () => String.fromCharCode(97 + rng.int(0, 25)),
  ).join("");
}

/** Lower-case words with the odd typo corrected by Backspace; key values never leave the page. */
async function typeText(page: Page, p: BotParams, rng: Rng): Promise<void> {
  const words = rng.int(1, 4);
  for (let w = 0; w < words; w++) {
    const word = randomWord(rng);
    await page.keyboard.type(`${word} `, { delay: p.typeDelay });
    if (rng.next() < 0.2) {
      await page.keyboard.press("Backspace", { delay: p.typeDelay / 2 });
    }
  }
}

/** The centre of button `#b<i>` on {@link TARGET_PAGE}, page coordinates (unscrolled). */
export function buttonCentre(i: number): { x: number; y: number } {
  return {
    x: 60 + (i % 4) * 300 + (80 + (i * 37) % 120) / 2,
    y: 80 + Math.floor(i / 4) * 220 + 18,
  };
}

async function driveLinear(
  page: Page,
  p: BotParams,
  rng: Rng,
  until: number,
): Promise<void> {
  const { width, height } = p.viewport;
  while (Date.now() < until) {
    const r = rng.next();
    if (r < p.pointShare) {
      const to = rng.next() < 0.5
        ? buttonCentre(rng.int(0, BUTTONS - 1))
        : { x: rng.int(20, width - 20), y: rng.int(20, height - 20) };
      await page.mouse.move(to.x, to.y, { steps: p.steps });
      const at = p.clickInPlace
        ? to
        : { x: rng.int(60, width - 80), y: rng.int(80, height - 200) };
      await page.mouse.click(at.x, at.y, { delay: p.clickDelay });
    } else if (r < p.pointShare + p.scrollShare) {
      await page.mouse.wheel({ deltaY: rng.pick([100, 120, -100, 300]) });
    } else {
      await page.mouse.move(550, 715, { steps: p.steps });
      await page.mouse.click(550, 715, { delay: p.clickDelay });
      await typeText(page, p, rng);
    }
    if (p.pauseMax > 0) await sleep(rng.int(0, p.pauseMax));
  }
}

async function driveGhost(
  page: Page,
  p: BotParams,
  rng: Rng,
  until: number,
): Promise<void> {
  const cursor = createCursor(
    page,
    { x: rng.int(0, p.viewport.width), y: rng.int(0, p.viewport.height) },
    false,
    {
      move: {
        moveSpeed: p.moveSpeed,
        overshootThreshold: p.overshootThreshold,
        paddingPercentage: p.paddingPercentage,
      },
      moveTo: { moveSpeed: p.moveSpeed },
      click: {
        moveSpeed: p.moveSpeed,
        hesitate: p.hesitate,
        waitForClick: p.waitForClick,
        overshootThreshold: p.overshootThreshold,
        paddingPercentage: p.paddingPercentage,
      },
      scroll: { scrollSpeed: p.scrollSpeed },
    },
  );
  while (Date.now() < until) {
    const r = rng.next();
    if (r < p.pointShare * 0.8) {
      await cursor.click(`#b${rng.int(0, BUTTONS - 1)}`);
    } else if (r < p.pointShare) {
      await cursor.moveTo({
        x: rng.int(20, p.viewport.width - 20),
        y: rng.int(20, p.viewport.height - 20),
      });
    } else if (r < p.pointShare + p.scrollShare) {
      await cursor.scroll({ y: rng.pick([100, -100, 200, 400]) });
    } else {
      await cursor.click("#field");
      await typeText(page, p, rng);
    }
    if (p.pauseMax > 0) await sleep(rng.int(0, p.pauseMax));
  }
}

/** Drives `page` as a bot of `kind` until the time `until` (ms since the epoch) has passed. */
export function driveSession(
  page: Page,
  kind: ChromiumKind,
  params: BotParams,
  rng: Rng,
  until: number,
): Promise<void> {
  return kind === "chromium_linear"
    ? driveLinear(page, params, rng, until)
    : driveGhost(page, params, rng, until);
}
