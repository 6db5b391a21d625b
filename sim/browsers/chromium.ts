/**
 * One way to start Debian's Chromium for the project's browser work (tests, the long-task bench,
 * bot recording): the flags this closed network needs, a fresh profile directory removed when the
 * browser goes away, and the skip rule of browser tests.
 *
 * ```ts
 * import { launchChromium } from "./chromium.ts";
 * const browser = await launchChromium();
 * await browser.close();
 * ```
 *
 * @module
 */
import puppeteer, { type Browser } from "puppeteer-core";

/** Chromium's path: `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`. */
export const CHROMIUM_PATH = Deno.env.get("CHROMIUM_PATH") ??
  "/usr/bin/chromium";

/**
 * Flags for headless Chromium here: without the background-networking ones it keeps trying to
 * reach Google's hosts, which this network refuses.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--window-size=1280,800",
];

/** Whether Chromium is installed at {@link CHROMIUM_PATH}. */
export const HAVE_CHROMIUM = await Deno.stat(CHROMIUM_PATH).then(
  (s) => s.isFile,
  () => false,
);

/**
 * Whether a browser test in `file` must be skipped: only when Chromium is missing and CI is not
 * set (under `CI=true` a missing Chromium fails the test instead). Prints why, once.
 */
export function skipWithoutChromium(file: string): boolean {
  const skip = !HAVE_CHROMIUM && Deno.env.get("CI") !== "true";
  if (skip) {
    console.warn(`SKIPPED ${file}: no Chromium at "${CHROMIUM_PATH}"`);
  }
  return skip;
}

/** Options of {@link launchChromium}. */
export interface LaunchOptions {
  /** Extra flags after {@link CHROMIUM_ARGS}. */
  args?: readonly string[];
  /**
   * Whether puppeteer follows the page's network (default true). Off, DevTools no longer records
   * every request with its body and initiator stack, work that lands on the page's main thread
   * inside each `fetch`; `HTTPResponse`s are then unavailable (`page.goto` resolves to null).
   */
  network?: boolean;
}

/**
 * Launches Chromium with a fresh temporary profile, removed once the browser disconnects.
 * SIGHUP is left alone: test files share one process, and another file's signal must not close
 * this browser.
 */
export async function launchChromium(
  options: LaunchOptions = {},
): Promise<Browser> {
  const userDataDir = await Deno.makeTempDir({ prefix: "guard_chromium_" });
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM_PATH,
    userDataDir,
    handleSIGHUP: false,
    networkEnabled: options.network ?? true,
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
  });
  browser.once(
    "disconnected",
    () => Deno.remove(userDataDir, { recursive: true }).catch(() => {}),
  );
  return browser;
}
