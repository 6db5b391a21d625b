/**
 * The plain-HTTP attackers of issue 12: each logs in to the demo site through the guard, then runs
 * its loops until a navigation is answered with a 303 to LOGIN_URL or the bound passes.
 *
 * @module
 */
import type { WindowEvent } from "../collector/mod.ts";
import {
  type AttackStage,
  describeSession,
  guardSessionId,
  LOGIN_PATH,
  LOGOUT_BOUND_MS,
  type ScenarioResult,
  sleep,
} from "./_attack_env.ts";
import {
  createHttpClient,
  type HttpClient,
  logIn,
  navigate,
  type Navigation,
  postWindow,
  readFixture,
  retime,
} from "./_attack_http.ts";

/** One loop of a bot: `run` every `everyMs`; a GET navigation it returns is checked for logout. */
interface Loop {
  everyMs: number;
  run(client: HttpClient, i: number): Promise<Navigation | null>;
}

const WINDOW_MS = 5000;
const PAGES = ["/article", "/profile"];

/** Runs the loops from login until logout or the bound, then checks what the client holds. */
async function attack(
  stage: AttackStage,
  user: string,
  loops: Loop[],
): Promise<ScenarioResult> {
  const client = createHttpClient(stage.url);
  await logIn(client, user);
  const id = guardSessionId(client.jar.get("__guard_sid"));
  const started = performance.now();
  let loggedOutMs: number | null = null;
  const statuses: Record<string, number> = {};
  const over = () =>
    loggedOutMs !== null || performance.now() - started > LOGOUT_BOUND_MS;
  await Promise.all(loops.map(async (loop) => {
    for (let i = 0; !over(); i++) {
      const at = performance.now();
      const nav = await loop.run(client, i);
      if (nav !== null) {
        const key = `${nav.status}${nav.location ? ` ${nav.location}` : ""}`;
        statuses[key] = (statuses[key] ?? 0) + 1;
        if (nav.status === 303 && nav.location === LOGIN_PATH) {
          loggedOutMs ??= performance.now() - started;
        }
      }
      // Slices of 100 ms: another loop may see the logout meanwhile.
      while (!over() && performance.now() - at < loop.everyMs) {
        await sleep(Math.min(100, loop.everyMs - (performance.now() - at)));
      }
    }
  }));
  const sessionCookieHeld = client.jar.has("session");
  const after = await navigate(client, "/article");
  const protectedPath = after.status === 303 && after.location !== null
    ? new URL(after.location, stage.url).pathname
    : new URL("/article", stage.url).pathname;
  return {
    loggedOutMs,
    logoutLocation: loggedOutMs === null ? null : LOGIN_PATH,
    sessionCookieHeld,
    protectedPath,
    detail: `${JSON.stringify(client.counts)}, navigations ${
      JSON.stringify(statuses)
    }; ${await describeSession(stage, id)}`,
  };
}

/** A navigation loop over the protected pages. */
function browsing(everyMs: number): Loop {
  return {
    everyMs,
    run: (client, i) => navigate(client, PAGES[i % PAGES.length]),
  };
}

/**
 * A loop posting one window of events every 5 s, each at the end of the window it covers (the
 * first one 5 s after login); `events(t0, i)` gives the window's events.
 */
function posting(
  events: (t0: number, i: number) => WindowEvent[],
  statuses: Record<string, number>,
): Loop {
  let next = Date.now() + WINDOW_MS, k = 0;
  return {
    everyMs: 100,
    async run(client) {
      if (Date.now() < next) return null;
      next += WINDOW_MS;
      const t1 = Date.now();
      const t0 = t1 - WINDOW_MS;
      const res = await postWindow(client, { t0, t1, events: events(t0, k++) });
      const key = res.status === 200
        ? "200"
        : `${res.status} ${res.body.slice(0, 80)}`;
      statuses[key] = (statuses[key] ?? 0) + 1;
      return null;
    },
  };
}

/** Attacker 1: logs in by POST /login, then loads pages and posts the profile form in a loop. */
export function plainHttpBot(stage: AttackStage): Promise<ScenarioResult> {
  return attack(stage, "curl-bot", [{
    everyMs: 400,
    async run(client, i) {
      const nav = await navigate(client, PAGES[i % PAGES.length]);
      if (nav.status !== 200) return nav;
      await navigate(client, "/profile", {
        name: `Bot ${i}`,
        email: "bot@example.com",
        city: "Nowhere",
        about: "scraping",
      });
      return nav;
    },
  }]);
}

/** Attacker 4: loads pages through the guard and posts windows with no events. */
export async function emptyWindowBot(
  stage: AttackStage,
): Promise<ScenarioResult> {
  const posts: Record<string, number> = {};
  const result = await attack(stage, "empty-windows", [
    browsing(2000),
    posting(() => [], posts),
  ]);
  return {
    ...result,
    detail: `posts ${JSON.stringify(posts)}, ${result.detail}`,
  };
}

/**
 * Attacker 5: posts one constant window, the fixture's 40–45 s re-timed to each window, every
 * 5 s, while scraping 10 pages a second. That stretch lies outside the replay loop's (attacker 6,
 * same guard), so neither is caught by the other's windows: the guard remembers fingerprints
 * across sessions.
 */
export async function constantWindowBot(
  stage: AttackStage,
): Promise<ScenarioResult> {
  const fixture = await readFixture();
  const posts: Record<string, number> = {};
  const result = await attack(stage, "constant-window", [
    browsing(100),
    posting((t0) => retime(fixture, 40_000, 40_000 + WINDOW_MS, t0), posts),
  ]);
  return {
    ...result,
    detail: `posts ${JSON.stringify(posts)}, ${result.detail}`,
  };
}

/**
 * Attacker 6: replays the fixture's windows in a loop, re-timed to now and paced in real time,
 * while loading a page every 2 s. The fixture is 60 s long (12 windows), longer than the bound;
 * so that its windows repeat within the bound the loop covers only its first 25 s (5 windows):
 * the sixth window, posted 30 s after login, repeats the first.
 */
export async function replayLoopBot(
  stage: AttackStage,
): Promise<ScenarioResult> {
  const fixture = await readFixture();
  const loopWindows = 5;
  const posts: Record<string, number> = {};
  const result = await attack(stage, "replay-loop", [
    browsing(2000),
    posting((t0, i) => {
      const from = (i % loopWindows) * WINDOW_MS;
      return retime(fixture, from, from + WINDOW_MS, t0);
    }, posts),
  ]);
  return {
    ...result,
    detail: `posts ${JSON.stringify(posts)}, ${result.detail}`,
  };
}
