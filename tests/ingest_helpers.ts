/**
 * Test rig for the ingest route: a real store (see db_helpers.ts), a real write buffer, the route
 * served over real HTTP on port 0, and signed guard cookies.
 */
import { Hono } from "hono";
import { FEATURE_NAMES } from "../collector/mod.ts";
import { createWindowBuffer } from "../db/mod.ts";
import type { WindowBuffer } from "../db/mod.ts";
import { createIngestRoute } from "../middleware/ingest/mod.ts";
import type { IngestOptions } from "../middleware/ingest/mod.ts";
import { createGuardSigner, GUARD_COOKIE } from "../middleware/session/mod.ts";
import { countRows, openTestStore } from "./db_helpers.ts";
import type { Backend, TestStore } from "./db_helpers.ts";

/** The test HMAC secret. */
export const SECRET = "test-secret-0123456789abcdefghijklmnop";
const signer = createGuardSigner(SECRET);

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

/** A valid post body. */
export function validPost(seq: number, extra: Record<string, unknown> = {}) {
  const features: Record<string, number | null> = {};
  FEATURE_NAMES.forEach((name, i) => features[name] = i === 3 ? null : i * 1.5);
  return {
    v: 1,
    seq,
    t0: seq * 5000,
    t1: seq * 5000 + 4990,
    n: 12,
    features,
    ...extra,
  };
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
