/**
 * A keyboard-only person in Chromium: moves focus with Tab (Shift+Tab) at uneven pace, types with
 * a person's rhythm (key held 60–160 ms, 80–300 ms between keys, now and then a typo corrected
 * with Backspace), scrolls with Space and PageDown and pauses to read.
 *
 * @module
 */
import type { Page } from "puppeteer-core";
import type { Rng } from "../sim/bots/prng.ts";
import { sleep } from "./_attack_env.ts";

/** Letters next to each other on a US keyboard, for plausible typos. */
const NEIGHBOURS: Record<string, string> = {
  a: "s",
  e: "r",
  i: "o",
  o: "p",
  n: "m",
  t: "y",
  s: "d",
  r: "t",
};

async function press(page: Page, rng: Rng, key: string): Promise<void> {
  await page.keyboard.down(key as never);
  await sleep(rng.uniform(60, 160));
  await page.keyboard.up(key as never);
  await sleep(rng.uniform(80, 300));
}

/** Types `text` (lower case, spaces, digits, `.` `,`) one key at a time with human timing. */
export async function typeLikeAPerson(
  page: Page,
  rng: Rng,
  text: string,
): Promise<void> {
  for (const char of text) {
    const typo = NEIGHBOURS[char];
    if (typo !== undefined && rng.next() < 0.06) {
      await press(page, rng, typo);
      await sleep(rng.uniform(150, 400)); // noticing the mistake
      await press(page, rng, "Backspace");
    }
    await press(page, rng, char);
    if (char === " " && rng.next() < 0.2) await sleep(rng.uniform(300, 900));
  }
}

/**
 * Presses Tab (varied pauses) until the element matching `selector` has focus.
 *
 * @throws {Error} when 40 presses do not reach it
 */
export async function tabTo(
  page: Page,
  rng: Rng,
  selector: string,
): Promise<void> {
  for (let k = 0; k < 40; k++) {
    const there = await page.evaluate(
      `document.activeElement?.matches(${JSON.stringify(selector)}) ?? false`,
    );
    if (there) return;
    await press(page, rng, "Tab");
    await sleep(rng.uniform(100, 500));
  }
  throw new Error(`Cannot reach "${selector}" with Tab`);
}

/** Reads: Space or PageDown now and then, a few arrow keys, long pauses. */
async function read(page: Page, rng: Rng, deadline: number): Promise<void> {
  const until = Math.min(deadline, performance.now() + rng.uniform(5000, 9000));
  while (performance.now() < until) {
    const key = rng.pick(["Space", "PageDown", "ArrowDown", "ArrowDown"]);
    await press(page, rng, key);
    await sleep(rng.uniform(700, 2500));
  }
}

/** Follows a navigation link by Tab and Enter. */
async function follow(page: Page, rng: Rng, href: string): Promise<void> {
  await page.evaluate("document.activeElement?.blur()");
  await tabTo(page, rng, `nav a[href="${href}"]`);
  await sleep(rng.uniform(200, 600));
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
}

const COMMENTS = [
  "this was a good read, thanks",
  "i did not know the part about scrolling",
  "nice article, more of these please",
];

/**
 * Uses the demo site by keyboard until `deadline` (performance.now()): reads the article,
 * comments, moves to the profile, edits and saves it, and back.
 */
export async function browseByKeyboard(
  page: Page,
  rng: Rng,
  deadline: number,
): Promise<void> {
  for (let round = 0; performance.now() < deadline; round++) {
    await read(page, rng, deadline);
    if (performance.now() > deadline - 12_000) continue;
    if (round % 2 === 0) {
      await tabTo(page, rng, "textarea[name=comment]");
      await typeLikeAPerson(page, rng, rng.pick(COMMENTS));
      await follow(page, rng, "/profile");
    } else {
      await tabTo(page, rng, "input[name=city]");
      await typeLikeAPerson(page, rng, " north");
      await sleep(rng.uniform(300, 800));
      await Promise.all([ // Enter in a field submits the profile form
        page.waitForNavigation(),
        press(page, rng, "Enter"),
      ]);
      await follow(page, rng, "/article");
    }
  }
}
