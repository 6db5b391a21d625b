/**
 * The ingest route of bench/ingest.ts as the guard mounts it, and, run as a script, one such
 * server process of several sharing a port (`reusePort`: the kernel spreads connections over the
 * processes), for `--workers N`. Each process has its own buffer and store pool on the same
 * PostgreSQL schema, as N guard instances would; the fleet's claims keep them one guard.
 *
 * Script: `deno run -A bench/_ingest_server.ts PORT SCHEMA MODE` (MODE `buffered`, `durable`, or
 * `noop` for the route that only answers `{"ok":true}`) with DATABASE_URL set; prints `ready`
 * once listening, and on SIGTERM flushes, prints `written N` and exits.
 *
 * @module
 */
import { Hono } from "hono";
import { createWindowBuffer, openStore } from "../db/mod.ts";
import type { Store, WindowBuffer } from "../db/mod.ts";
import { createIngestRoute } from "../middleware/ingest/mod.ts";
import { createPageTokens } from "../middleware/session/mod.ts";

/** The bench's guard secret. */
export const SECRET = "bench-secret-0123456789abcdefghijklmnopqrstuvwxyz";
/** The bench's page tokens (12 h TTL: the sessions' pages are issued 11 h before the run). */
export const PAGE_TOKENS = createPageTokens(SECRET, { ttlMs: 43_200_000 });

/**
 * A run's INGEST_ACK, and `buffered-no-owner`: buffered, as a guard without the owner check
 * (no USER_HEADER) ingests, computing no owner vectors.
 */
export type Ack = "buffered" | "durable" | "buffered-no-owner";

/** The ingest route's app, with a rate limit the load never hits. */
export function ingestApp(store: Store, buffer: WindowBuffer, mode: Ack): Hono {
  return new Hono().route(
    "/__guard",
    createIngestRoute({
      store,
      buffer,
      secret: SECRET,
      pageTokens: PAGE_TOKENS,
      windowMs: 5000,
      maxBytes: 32768,
      ratePerMin: 10_000,
      ack: mode === "durable" ? "durable" : "buffered",
      ownerEvidence: mode !== "buffered-no-owner",
    }),
  );
}

/** The second baseline: a route that only answers `{"ok":true}`. */
export function noopApp(): Hono {
  return new Hono().post("/__guard/ingest", (c) => c.json({ ok: true }));
}

/** The bench's buffer: unbounded for the run, flushed every 50 ms. */
export function benchBuffer(store: Store): WindowBuffer {
  return createWindowBuffer(store, { max: 10_000_000, flushMs: 50 });
}

if (import.meta.main) {
  const [port, schema, mode] = Deno.args;
  const store = await openStore({
    databaseUrl: Deno.env.get("DATABASE_URL"),
    schema,
  });
  const buffer = benchBuffer(store);
  const server = Deno.serve(
    { port: Number(port), reusePort: true, onListen: () => {} },
    mode === "noop"
      ? noopApp().fetch
      : ingestApp(store, buffer, mode as Ack).fetch,
  );
  Deno.addSignalListener("SIGTERM", async () => {
    await server.shutdown();
    await buffer.close();
    console.log(`written ${buffer.stats().written}`);
    await store.close();
    Deno.exit(0);
  });
  console.log("ready");
}
