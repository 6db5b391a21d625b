/**
 * Test rig for the ingest route: a real store (see db_helpers.ts), a real write buffer, the route
 * served over real HTTP on port 0, and signed guard cookies.
 */
import { Hono } from "hono";
import { encodeEvents, type WindowEvent } from "../collector/mod.ts";
import { createWindowBuffer } from "../db/mod.ts";
import type { WindowBuffer } from "../db/mod.ts";
import { createIngestRoute } from "../middleware/ingest/mod.ts";
import type { IngestOptions } from "../middleware/ingest/mod.ts";
import {
  createGuardSigner,
  createPageTokens,
  GUARD_COOKIE,
} from "../middleware/session/mod.ts";
import { countRows, openTestStore } from "./db_helpers.ts";
import type { Backend, TestStore } from "./db_helpers.ts";

/** The test HMAC secret. */
export const SECRET = "test-secret-0123456789abcdefghijklmnop";
const signer = createGuardSigner(SECRET);
/** The rig's page tokens (12 h TTL, like the default). */
export const PAGE_TOKENS = createPageTokens(SECRET, { ttlMs: 43_200_000 });
/**
 * Stands for "the posting session's page, served an hour ago" ({@link sessionPage}): {@link post}
 * replaces it, so windows of any test's client times fit the page's age.
 */
export const SESSION_PAGE = "<page of the session>";

/** A running ingest server. */
export interface IngestRig extends TestStore {
  buffer: WindowBuffer;
  url: string;
  /** Counts rows of one table of this test's schema. */
  count(table: "feature_windows" | "raw_events"): Promise<number>;
  close(): Promise<void>;
}

/** Starts the rig; `options` override the route's defaults. */
export async function startIngest(
  backend: Backend["name"],
  options: Partial<IngestOptions> = {},
  store?: TestStore,
): Promise<IngestRig> {
  const t = store ?? await openTestStore(backend);
  const buffer = createWindowBuffer(t.store, { max: 100_000, flushMs: 20 });
  const app = new Hono();
  app.route(
    "/__guard",
    createIngestRoute({
      store: t.store,
      buffer,
      secret: SECRET,
      pageTokens: PAGE_TOKENS,
      windowMs: 5000,
      maxBytes: 16 * 1024,
      ratePerMin: 10_000,
      ...options,
    }),
  );
  const server = Deno.serve({ port: 0, onListen: () => {} }, app.fetch);
  return {
    ...t,
    buffer,
    url: `http://127.0.0.1:${server.addr.port}/__guard/ingest`,
    count: (table) => countRows(backend, t.schema, table),
    async close() {
      await server.shutdown();
      await buffer.close();
      if (!store) await t.cleanup();
    },
  };
}

/** A signed cookie header for a session id. */
export async function cookieFor(id: string): Promise<string> {
  return `${GUARD_COOKIE}=${await signer.sign(id)}`;
}

/**
 * The events of {@link validPost}'s window: the meta event at t0, then 11 moves 10 ms and 10 px
 * apart (speed 1000 px/s), 12 events in all.
 */
export function validEvents(t0: number): WindowEvent[] {
  const moves = Array.from({ length: 11 }, (_, k): WindowEvent => ({
    t: t0 + 10 * (k + 1),
    kind: "move",
    x: 10 * (k + 1),
    y: 100,
  }));
  return [{ t: t0, kind: "meta", webdriver: false }, ...moves];
}

/** A valid post body (format v2) for `seq`: window [seq·5000, seq·5000 + 4990]. */
export function validPost(seq: number, extra: Record<string, unknown> = {}) {
  const t0 = seq * 5000;
  return {
    v: 2,
    seq,
    page: SESSION_PAGE,
    t0,
    t1: t0 + 4990,
    vw: 1280,
    vh: 800,
    e: encodeEvents(validEvents(t0), t0),
    ...extra,
  };
}

const pages = new Map<string, Promise<string>>();

/** The one page token of a session in these tests, issued an hour ago. */
export function sessionPage(session: string): Promise<string> {
  let page = pages.get(session);
  if (page === undefined) {
    page = PAGE_TOKENS.issue(session, Date.now() - 3_600_000);
    pages.set(session, page);
  }
  return page;
}

/** POSTs JSON (or a raw body) to the rig with the session's cookie. */
export async function post(
  url: string,
  session: string | null,
  body: unknown,
  init: { contentType?: string; raw?: BodyInit } = {},
): Promise<{ status: number; json: unknown; headers: Headers }> {
  const headers: Record<string, string> = {
    "content-type": init.contentType ?? "application/json",
  };
  if (session !== null) headers.cookie = await cookieFor(session);
  const page = (body as { page?: unknown } | null)?.page;
  if (page === SESSION_PAGE) {
    body = { ...body as object, page: await sessionPage(session ?? "") };
  }
  const res = await fetch(url, {
    method: "POST",
    headers,
    body: init.raw ?? JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    json: text ? JSON.parse(text) : null,
    headers: res.headers,
  };
}
