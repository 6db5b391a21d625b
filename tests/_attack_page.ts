/**
 * Watches one Chromium page of an end-to-end scenario: when it first lands on LOGIN_URL after the
 * login, the navigations it made (with 303s and where they pointed) and the ingest replies its
 * collector got, for assertions and failure messages.
 *
 * @module
 */
import type { Page } from "puppeteer-core";
import { LOGIN_PATH } from "./_attack_env.ts";

/** What a {@link watchPage} has seen so far. */
export interface PageWatch {
  /** Starts the clock: the login has completed. */
  start(): void;
  /** Time from {@link PageWatch.start} to the first landing on LOGIN_URL, or null. */
  loggedOutMs(): number | null;
  /** Navigations since the start (`+12.3s 303 /profile → /login`, `+14.0s /login`) and ingest replies. */
  describe(): string;
}

const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

/** Attaches the listeners; call before the first navigation. */
export function watchPage(page: Page): PageWatch {
  let started: number | null = null;
  let loggedOutMs: number | null = null;
  const history: string[] = [];
  const ingest: Record<string, number> = {};
  const at = () =>
    started === null
      ? ""
      : `+${((performance.now() - started) / 1000).toFixed(1)}s`;
  page.on("response", (r) => {
    if (started === null) return;
    const path = pathOf(r.url());
    if (path.endsWith("/ingest")) {
      ingest[r.status()] = (ingest[r.status()] ?? 0) + 1;
    } else if (r.request().isNavigationRequest() && r.status() === 303) {
      history.push(
        `${at()} 303 ${r.request().method()} ${path} → ${
          r.headers()["location"]
        }`,
      );
    }
  });
  page.on("framenavigated", (frame) => {
    if (started === null || frame !== page.mainFrame()) return;
    history.push(`${at()} ${pathOf(frame.url())}`);
    if (new URL(frame.url()).pathname === LOGIN_PATH) {
      loggedOutMs ??= performance.now() - started;
    }
  });
  return {
    start: () => void (started = performance.now()),
    loggedOutMs: () => loggedOutMs,
    describe: () =>
      `navigations [${history.slice(0, 12).join(", ")}${
        history.length > 12 ? ", …" : ""
      }], ingest ${JSON.stringify(ingest)}`,
  };
}
