/**
 * Test harness: a guard in front of an upstream, wired like main.ts (session cookie, revocation
 * gate, ingest with the detector, admin routes, alerts), on real Postgres (a fresh schema) when
 * DATABASE_URL is set, else on in-memory PGlite.
 */
import postgres from "postgres";
import { encodeEvents, type WindowEvent } from "../collector/mod.ts";
import { loadConfig } from "../config.ts";
import { startAlerts } from "../alert/mod.ts";
import { createWindowBuffer, openStore, type Store } from "../db/mod.ts";
import { type CollectorBundle, createGuardApp } from "../middleware/mod.ts";
import { createDetection, type Detection } from "../middleware/detect/mod.ts";
import { createIngestRoute } from "../middleware/ingest/mod.ts";
import {
  createGuardSession,
  createPageTokens,
} from "../middleware/session/mod.ts";

/** A running guard. */
export interface TestGuard {
  url: string;
  store: Store;
  detection: Detection;
  close(): Promise<void>;
}

const SECRET = "e2e-secret-e2e-secret-e2e-secret-0";

/**
 * A store for one test: a fresh schema on real Postgres when DATABASE_URL is set (fast to open),
 * else in-memory PGlite. `close` drops the schema.
 */
export async function openTestStore(): Promise<
  { store: Store; close(): Promise<void> }
> {
  const databaseUrl = Deno.env.get("DATABASE_URL");
  const schema = databaseUrl
    ? `detect_t_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`
    : undefined;
  const store = await openStore({
    databaseUrl,
    pgliteDir: "memory://",
    schema,
  });
  return {
    store,
    async close() {
      await store.close();
      if (databaseUrl && schema) {
        const admin = postgres(databaseUrl, { max: 1, onnotice: () => {} });
        await admin.unsafe(`drop schema if exists ${schema} cascade`);
        await admin.end();
      }
    },
  };
}

/** Starts a guard on 127.0.0.1, port 0, in front of `upstream`. */
export async function startTestGuard(options: {
  upstream: string;
  collector: CollectorBundle;
  env: Record<string, string>;
  /** The detection clock in ms (default `Date.now`), e.g. to pass the silence grace at once. */
  now?: () => number;
}): Promise<TestGuard> {
  const result = loadConfig({
    UPSTREAM_URL: options.upstream,
    GUARD_SECRET: SECRET,
    ...options.env,
  });
  if (!result.ok) throw new TypeError(result.errors.join("; "));
  const config = result.config;
  const { store, close: closeStore } = await openTestStore();
  const buffer = createWindowBuffer(store, { max: 10_000, flushMs: 50 });
  const detection = await createDetection({
    config,
    store,
    reload: false,
    now: options.now,
    secret: SECRET,
    upstream: options.upstream,
  });
  const pageTokens = createPageTokens(SECRET, {
    ttlMs: config.PAGE_TOKEN_TTL_MS,
  });
  const ingest = createIngestRoute({
    store,
    buffer,
    secret: SECRET,
    pageTokens,
    windowMs: config.WINDOW_MS,
    now: options.now,
    maxBytes: config.INGEST_MAX_BYTES,
    ratePerMin: config.INGEST_RATE_PER_MIN,
    onWindow: detection.onWindow,
    loginUrl: config.LOGIN_URL,
  });
  const app = createGuardApp({
    config,
    pageToken: (session) => pageTokens.issue(session),
    store,
    collector: options.collector,
    mountGuardRoutes(guard) {
      guard.route("/", ingest);
      detection.mount(guard);
    },
    beforeProxy: [
      createGuardSession({
        secret: SECRET,
        newSessionsPerMin: config.NEW_SESSIONS_PER_MIN,
      }),
      ...detection.beforeProxy,
    ],
  });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    app.fetch,
  );
  const stopAlerts = startAlerts(store, config, { pollMs: 100 });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    store,
    detection,
    async close() {
      await server.shutdown();
      await stopAlerts();
      await detection.close();
      await buffer.close();
      await closeStore();
    },
  };
}

/** The headers of a browser's top-level navigation, which the guard counts as activity. */
export const NAV = { "sec-fetch-mode": "navigate", accept: "text/html" };

/**
 * Logs in through the guard as a browser does: a page load at `entry` sets a fresh guard cookie,
 * then `POST /login` (with `form`, if the site wants one) must redirect (303). Returns the cookie
 * header carrying both the guard's cookie and the site's session.
 */
export async function loginThroughGuard(
  url: string,
  entry = "/",
  form?: URLSearchParams,
): Promise<string> {
  const first = await fetch(`${url}${entry}`, { headers: NAV });
  await first.body?.cancel();
  const sid = first.headers.getSetCookie()[0].split(";")[0];
  const res = await fetch(`${url}/login`, {
    method: "POST",
    headers: { cookie: sid },
    body: form,
    redirect: "manual",
  });
  await res.body?.cancel();
  if (res.status !== 303) throw new Error(`login answered ${res.status}`);
  return `${sid}; ${res.headers.getSetCookie()[0].split(";")[0]}`;
}

/** Loads `path` through the guard (must be 200) and returns the page token injected into it. */
export async function pageTokenOf(
  url: string,
  path: string,
  cookie: string,
): Promise<string> {
  const res = await fetch(`${url}${path}`, { headers: { ...NAV, cookie } });
  const html = await res.text();
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
  const token = /data-page="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error(`${path} carries no page token`);
  return token;
}

/**
 * One 1-s collector post (format v2) of 12 moves 16 ms apart: a bot's all at one speed
 * (speed_std 0); a human's at speeds that vary within and between windows.
 */
export function movePost(
  kind: "bot" | "human",
  seq: number,
  page: string,
  t0: number,
): string {
  const events: WindowEvent[] = [{ t: t0, kind: "meta", webdriver: false }];
  let x = 20;
  for (let k = 1; k <= 12; k++) {
    x += kind === "bot" ? 10 : 5 + ((k * 7 + seq * 3) % 23) * 3;
    events.push({ t: t0 + 16 * k, kind: "move", x, y: 100 + k * (seq % 5) });
  }
  return JSON.stringify({
    v: 2,
    seq,
    page,
    t0,
    t1: t0 + 1000,
    vw: 1280,
    vh: 800,
    e: encodeEvents(events, t0),
  });
}

/**
 * An upstream site that names the logged-in user of each response in `X-Guard-User` (the
 * `USER_HEADER` of the owner check), taken from a `user` cookie; every page is the same HTML.
 */
export function startNamingSite(): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) => {
      const user = /(?:^|; )user=([^;]+)/.exec(req.headers.get("cookie") ?? "")
        ?.[1];
      return new Response("<html><body>account</body></html>", {
        headers: {
          "content-type": "text/html",
          ...(user ? { "x-guard-user": user } : {}),
        },
      });
    },
  );
}
