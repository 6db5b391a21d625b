/**
 * End to end in real Chromium: the demo site's login page behind the guard (session cookie,
 * injection, ingest with RETAIN_RAW on) gets moves, clicks, typing (user name and password) and
 * scrolling; the stored windows must agree with the offline extractor run on the same stored raw
 * events, on PGlite and on real Postgres, and the typed text must appear nowhere in storage.
 *
 * Wired like main.ts but without detection (not under test here). Skips visibly without Chromium
 * or DATABASE_URL, except under CI=true.
 */
import assert from "node:assert/strict";
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import {
  HAVE_CHROMIUM,
  launchChromium,
  skipWithoutChromium,
} from "../sim/browsers/chromium.ts";
import { loadConfig } from "../config.ts";
import { startDemo } from "../demo/mod.ts";
import {
  buildCollectorBundle,
  extractFeatures,
  FEATURE_NAMES,
  type FeatureVector,
  type WindowEvent,
} from "../collector/mod.ts";
import { createWindowBuffer, openStore, type Store } from "../db/mod.ts";
import { createGuardApp } from "../middleware/mod.ts";
import { createIngestRoute } from "../middleware/ingest/mod.ts";
import {
  createGuardSession,
  createPageTokens,
} from "../middleware/session/mod.ts";
import { until } from "./_wait.ts";

const CI = Deno.env.get("CI") === "true";
const DATABASE_URL = Deno.env.get("DATABASE_URL");
const SECRET = "collector-e2e-secret-collector-e2e";
const WINDOW_MS = 1000;
const USER = "alice-e2e";
const PASSWORD = "s3cret-pass";
/** Keydowns typed: the user name, the password, then one Backspace. */
const TYPED = USER.length + PASSWORD.length + 1;
const SKIP_BROWSER = skipWithoutChromium("tests/collector_e2e_test.ts");
if (!DATABASE_URL && !CI) {
  console.warn(
    "SKIPPED tests/collector_e2e_test.ts on Postgres: DATABASE_URL is not set",
  );
}

/** Runs one query against the store's database (PGlite or Postgres) in the test's schema. */
type Query = (
  text: string,
  params: unknown[],
) => Promise<Record<string, unknown>[]>;

interface Backend {
  store: Store;
  query: Query;
  close(): Promise<void>;
}

async function openBackend(
  kind: "pglite" | "postgres",
  schema: string,
): Promise<Backend> {
  if (kind === "pglite") {
    const pglite = new PGlite();
    const store = await openStore({ pglite, schema });
    return {
      store,
      query: async (text, params) =>
        (await pglite.query(text, params)).rows as Record<string, unknown>[],
      close: () => pglite.close(),
    };
  }
  const sql = postgres(DATABASE_URL as string, { max: 1, onnotice: () => {} });
  const store = await openStore({ databaseUrl: DATABASE_URL, schema });
  return {
    store,
    query: (text, params) =>
      sql.unsafe(text, params as never[]) as Promise<Record<string, unknown>[]>,
    async close() {
      await sql.unsafe(`drop schema if exists ${schema} cascade`);
      await sql.end();
    },
  };
}

/**
 * Drives the login page until `done`, then moves to (777, 333) and leaves the page: that last
 * window goes by the pagehide beacon (text/plain), and `left` must see it stored.
 */
async function browse(
  url: string,
  done: () => Promise<boolean>,
  left: () => Promise<boolean>,
): Promise<void> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForFunction(() => "__guardCollector" in globalThis);
    await page.mouse.move(40, 40);
    await page.mouse.move(300, 120, { steps: 30 });
    await page.click("input[name=username]", { delay: 60 });
    await page.keyboard.type(USER, { delay: 35 });
    await page.click("input[name=password]", { delay: 50 });
    await page.keyboard.type(PASSWORD, { delay: 30 });
    await page.keyboard.press("Backspace", { delay: 40 });
    await page.mouse.wheel({ deltaY: 300 });
    await new Promise((ok) => setTimeout(ok, 150));
    await page.mouse.move(600, 420, { steps: 20 });
    assert.ok(
      await until(done, 20_000, 200),
      "Timed out waiting for the stored windows",
    );
    await page.mouse.move(777, 333);
    await page.goto("about:blank");
    assert.ok(
      await until(left, 20_000, 200),
      "Timed out waiting for the pagehide window",
    );
  } finally {
    await browser.close();
  }
}

function assertClose(stored: number, offline: number, what: string): void {
  if (Number.isNaN(offline)) {
    return assert.ok(
      Number.isNaN(stored),
      `${what}: stored ${stored}, offline NaN`,
    );
  }
  assert.ok(
    Math.abs(stored - offline) <= 1e-9 * Math.max(1, Math.abs(offline)),
    `${what}: ${stored} vs ${offline}`,
  );
}

async function runEndToEnd(kind: "pglite" | "postgres"): Promise<void> {
  // Under CI=true nothing skips: a missing DATABASE_URL is a failure that says so.
  assert.ok(
    kind === "pglite" || DATABASE_URL,
    "DATABASE_URL must be set to run the Postgres end to end test (CI=true)",
  );
  const schema = `collector_e2e_${
    crypto.randomUUID().replaceAll("-", "").slice(0, 12)
  }`;
  const demo = startDemo();
  const backend = await openBackend(kind, schema);
  const result = loadConfig({
    UPSTREAM_URL: demo.url,
    GUARD_SECRET: SECRET,
    RETAIN_RAW: "true",
    WINDOW_MS: String(WINDOW_MS),
    INGEST_MAX_BYTES: String(1 << 20),
  });
  if (!result.ok) throw new TypeError(result.errors.join("; "));
  const { config } = result;
  const buffer = createWindowBuffer(backend.store, {
    max: 10_000,
    flushMs: 50,
  });
  const pageTokens = createPageTokens(SECRET, {
    ttlMs: config.PAGE_TOKEN_TTL_MS,
  });
  const ingest = createIngestRoute({
    store: backend.store,
    buffer,
    secret: SECRET,
    pageTokens,
    windowMs: config.WINDOW_MS,
    maxBytes: config.INGEST_MAX_BYTES,
    ratePerMin: 600,
    retainRaw: config.RETAIN_RAW,
  });
  const app = createGuardApp({
    config,
    pageToken: (session) => pageTokens.issue(session),
    store: backend.store,
    collector: await buildCollectorBundle(),
    mountGuardRoutes: (guard) => void guard.route("/", ingest),
    beforeProxy: [createGuardSession({ secret: SECRET })],
  });
  const guard = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    app.fetch,
  );
  try {
    await browse(`http://127.0.0.1:${guard.addr.port}/login`, async () => {
      const rows = await backend.query(
        `select sum(click_count) as c, sum(typing_speed) as k, sum(scroll_speed) as s,
          count(speed_mean) as m from ${schema}.feature_windows`,
        [],
      );
      const { c, k, s, m } = rows[0];
      const keys = Math.round(Number(k) * WINDOW_MS / 1000);
      return Number(c) >= 2 && keys >= TYPED && Number(s) > 0 && Number(m) >= 2;
    }, async () => {
      await buffer.flush();
      const rows = await backend.query(
        `select count(*) as n from ${schema}.raw_events where event->>'x' = '777'`,
        [],
      );
      return Number(rows[0].n) === 1;
    });
    await buffer.close();
    await checkStored(backend, schema);
  } finally {
    await guard.shutdown();
    await demo.shutdown();
    await backend.store.close();
    await backend.close();
  }
}

async function checkStored(
  { store, query }: Backend,
  schema: string,
): Promise<void> {
  const sessions = await query(
    `select distinct session from ${schema}.raw_events`,
    [],
  );
  assert.equal(sessions.length, 1, "one guard session");
  const session = String(sessions[0].session);
  const windows = await store.listWindows(session);
  // Insert-only table: physical order is insertion order, i.e. post order then event order.
  const rows = await query(
    `select event from ${schema}.raw_events where session = $1 order by ctid`,
    [session],
  );
  const stored = JSON.stringify(rows);
  assert.equal(
    stored.includes(USER) || stored.includes(PASSWORD),
    false,
    "typed text stored",
  );
  const raw = rows.map((r) =>
    (typeof r.event === "string" ? JSON.parse(r.event) : r.event) as WindowEvent
  );
  // The collector opens every window with its meta event.
  const groups: WindowEvent[][] = [];
  for (const e of raw) {
    e.kind === "meta" ? groups.push([e]) : groups.at(-1)?.push(e);
  }
  assert.ok(windows.length >= 2, `stored windows: ${windows.length}`);
  assert.equal(groups.length, windows.length);
  const totals = { clicks: 0, keys: 0, scroll: 0, moves: 0 };
  windows.forEach((w, i) => {
    assert.equal(
      groups[i].length,
      w.nEvents,
      `window seq ${w.seq}: raw events vs n`,
    );
    const offline: FeatureVector = extractFeatures(groups[i], {
      windowMs: WINDOW_MS,
    });
    for (const name of FEATURE_NAMES) {
      assertClose(w.features[name], offline[name], `seq ${w.seq} ${name}`);
    }
    totals.clicks += w.features.click_count;
    totals.keys += w.features.typing_speed * WINDOW_MS / 1000;
    totals.scroll += w.features.scroll_speed;
    totals.moves += Number.isFinite(w.features.speed_mean) ? 1 : 0;
  });
  assert.equal(totals.clicks, 2);
  assert.equal(Math.round(totals.keys), TYPED);
  assert.ok(totals.scroll > 0 && totals.moves >= 2, JSON.stringify(totals));
  for (
    const e of raw.filter((e) => e.kind === "keydown" || e.kind === "keyup")
  ) {
    assert.deepEqual(Object.keys(e).sort(), ["id", "key", "kind", "t"]);
    assert.ok(["char", "backspace", "other"].includes(e.key as string));
  }
}

Deno.test({
  name:
    "collector end to end on PGlite: stored windows equal the offline extractor on stored raw events",
  ignore: SKIP_BROWSER,
  fn: () => runEndToEnd("pglite"),
});

Deno.test({
  name:
    "collector end to end on Postgres: stored windows equal the offline extractor on stored raw events",
  ignore: (!HAVE_CHROMIUM || !DATABASE_URL) && !CI,
  fn: () => runEndToEnd("postgres"),
});
