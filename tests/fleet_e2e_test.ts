/**
 * Issue 14 item 5, no sticky sessions: three guard processes (main.ts) on one fresh PostgreSQL
 * database behind nginx round-robin judge a session as one guard does. Each attack is run on one
 * guard and on the fleet with the same recorded windows and the same pacing; the window (or
 * request) at which it is caught must be the same.
 */
import assert from "node:assert/strict";
import type { WindowEvent } from "../collector/mod.ts";
import { sleep } from "./_attack_env.ts";
import {
  createHttpClient,
  type HttpClient,
  logIn,
  navigate,
  postWindow,
  readFixture,
  retime,
} from "./_attack_http.ts";
import { DATABASE_URL } from "./db_helpers.ts";
import { type Fleet, NGINX, startFleet } from "./_fleet.ts";

const CI = Deno.env.get("CI") === "true";
const missing = [
  ...(NGINX === null ? ["nginx"] : []),
  ...(DATABASE_URL ? [] : ["DATABASE_URL"]),
];
if (missing.length > 0 && !CI) {
  console.warn(
    `SKIPPING the fleet tests: ${
      missing.join(" and ")
    } missing (CI=true fails instead)`,
  );
}

const WINDOW_MS = 2000;
/** The silent client's pace: its third request comes 1.6 s after its first, past the 1 s grace. */
const SILENT_PACE_MS = 800;
const ENV = {
  WINDOW_MS: String(WINDOW_MS),
  NO_BEHAVIOUR_MS: "1000",
  // Each run is its own client; a revocation of one must not give the next a prior.
  RELOGIN_RISK_TTL_MS: "0",
};

/** A machine's window: a pointer moving 4 px every 16 ms exactly, in a straight line. */
function machineWindow(t0: number): WindowEvent[] {
  return Array.from({ length: WINDOW_MS / 16 - 1 }, (_, i) => ({
    t: t0 + 16 * (i + 1),
    kind: "move" as const,
    x: 200 + 4 * i,
    y: 300,
  }));
}

/**
 * The recorded windows: two stretches of a person (SapiMouse user 100) among machine windows, so
 * the evidence has to add up over several windows (and so over instances) before the verdict.
 */
async function recordedWindows(): Promise<((t0: number) => WindowEvent[])[]> {
  const fixture = await readFixture();
  const human = (k: number) => (t0: number) =>
    retime(fixture, k * WINDOW_MS, (k + 1) * WINDOW_MS, t0);
  return [
    human(3),
    machineWindow,
    human(7),
    machineWindow,
    ...Array.from({ length: 8 }, () => machineWindow),
  ];
}

/** Posts the windows in real time (each at the end of the 2 s it covers), a page between posts. */
async function botRun(
  url: string,
): Promise<{ window: number | null; trail: string[] }> {
  const client = createHttpClient(url);
  await logIn(client, "fleet-bot");
  const windows = await recordedWindows();
  const start = Date.now();
  let lastT1 = start - WINDOW_MS;
  const trail: string[] = [];
  for (let i = 0; i < windows.length; i++) {
    // A whole window after the last one, even when the last came late (a loaded box): a
    // shorter window could not hold the recorded window's events (400 "events after the end").
    await sleep(
      Math.max(start + (i + 1) * WINDOW_MS, lastT1 + WINDOW_MS) - Date.now(),
    );
    const t1 = Date.now();
    const t0 = Math.max(t1 - WINDOW_MS, lastT1);
    lastT1 = t1;
    const res = await postWindow(client, { t0, t1, events: windows[i](t0) });
    trail.push(`${res.status} ${res.body}`);
    if (res.status === 200 && JSON.parse(res.body).action === "logout") {
      const after = await navigate(client, "/article");
      trail.push(`navigation ${after.status} ${after.location}`);
      return { window: i + 1, trail };
    }
    await navigate(client, "/article");
  }
  return { window: null, trail };
}

/** Logs in and browses, paced, with no behaviour at all; returns the request answered 303. */
async function silentRun(
  url: string,
): Promise<{ request: number | null; trail: string[] }> {
  const client = createHttpClient(url);
  const trail: string[] = [];
  const steps: ((c: HttpClient) => ReturnType<typeof navigate>)[] = [
    (c) => navigate(c, "/login"),
    (c) =>
      navigate(c, "/login", {
        next: "/article",
        username: "fleet-silent",
        password: "demo",
      }),
    ...Array.from(
      { length: 8 },
      (_, i) => (c: HttpClient) => navigate(c, i % 2 ? "/profile" : "/article"),
    ),
  ];
  const start = Date.now();
  for (let i = 0; i < steps.length; i++) {
    await sleep(start + i * SILENT_PACE_MS - Date.now());
    const nav = await steps[i](client);
    trail.push(`${nav.status} ${nav.location ?? ""}`);
    if (i > 1 && nav.status === 303 && nav.location === "/login") {
      return { request: i + 1, trail };
    }
  }
  return { request: null, trail };
}

Deno.test({
  name: "guards behind a round-robin balancer with no sticky sessions",
  ignore: missing.length > 0 && !CI,
  async fn(t) {
    let one: Fleet | undefined, three: Fleet | undefined;
    try {
      one = await startFleet(1, DATABASE_URL!, ENV);
      three = await startFleet(3, DATABASE_URL!, ENV);
      const [a, b] = [one, three];

      await t.step(
        "a bot spreading its windows over three instances is logged out at the same window as on one",
        async () => {
          const single = await botRun(a.url);
          const fleet = await botRun(b.url);
          const detail = `one: ${single.trail.join(" | ")}\nthree: ${
            fleet.trail.join(" | ")
          }`;
          assert.notEqual(single.window, null, detail);
          // Past VERDICT_MIN_WINDOWS: the evidence of several instances had to add up.
          assert.ok(single.window! > 3, detail);
          assert.equal(fleet.window, single.window, detail);
          assert.equal(fleet.trail.at(-1), "navigation 303 /login", detail);
        },
      );

      await t.step(
        "a silent client alternating across three instances is judged unverified after the same number of requests as on one",
        async () => {
          const single = await silentRun(a.url);
          const fleet = await silentRun(b.url);
          const detail = `one: ${single.trail.join(" | ")}\nthree: ${
            fleet.trail.join(" | ")
          }`;
          // The first GET has no guard cookie and counts for no one; the third counted request
          // (the fourth, 1.6 s after the first counted) makes it unverified: the fifth gets 303.
          assert.equal(single.request, 5, detail);
          assert.equal(fleet.request, single.request, detail);
        },
      );
    } finally {
      await three?.close();
      await one?.close();
    }
  },
});
