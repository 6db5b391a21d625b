/**
 * POST `/ingest`: one feature window per post, from the injected collector.
 *
 * Checks, in order: guard session cookie (401), per-session token bucket (429 + Retry-After),
 * revoked session (403), `Content-Type` JSON or text/plain (else 415), body size by
 * Content-Length and by counted bytes (413), JSON and the strict post schema (400 naming the
 * field), seq strictly above the last accepted one of the session (409; gaps allowed). Accepted
 * windows go to the write buffer; the reply is `{"ok":true,"action":"none"}` or, when the
 * `onWindow` hook says so, `{"ok":true,"action":"logout","redirect":"/login"}`. Error bodies
 * never echo the input.
 *
 * @example
 * ```ts
 * const ingest = createIngestRoute({ store, buffer, secret, maxBytes: 16384, ratePerMin: 60 });
 * app.route("/__guard", ingest); // POST /__guard/ingest
 * ```
 *
 * @module
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { parsePost } from "../../collector/mod.ts";
import type { ParsePostResult } from "../../collector/mod.ts";
import type { Store, WindowBuffer, WindowRow } from "../../db/mod.ts";
import { log } from "../../log.ts";
import { createGuardSigner, GUARD_COOKIE } from "../session/mod.ts";
import { readCapped } from "./_body.ts";
import { createSessionTable } from "./_state.ts";

/** What the detection hook asks the route to tell the collector. */
export type IngestAction = { action: "none" } | {
  action: "logout";
  redirect: string;
};

/** Options of {@link createIngestRoute}. */
export interface IngestOptions {
  store: Store;
  buffer: WindowBuffer;
  /** The guard session HMAC secret (the same as the session middleware's). */
  secret: string;
  cookieName?: string;
  /** INGEST_MAX_BYTES. */
  maxBytes: number;
  /** INGEST_RATE_PER_MIN. */
  ratePerMin: number;
  /** RETAIN_RAW: store a post's raw events. */
  retainRaw?: boolean;
  /** LOGIN_URL: when set, a revoked session's 403 says `{"action":"logout","redirect":…}`. */
  loginUrl?: string;
  /** Scores each accepted window; a rejection or throw is logged and answered with "none". */
  onWindow?: (window: WindowRow) => Promise<IngestAction>;
  /** Sessions remembered in memory (default 100 000). */
  maxSessions?: number;
  /**
   * First-sight lookup of a session's revocation and last seq: slower than this (default 1000 ms),
   * the post is judged on what memory knows and the lookup is retried on the next post.
   */
  stateTimeoutMs?: number;
  /** Clock in ms, for tests (default `Date.now`). */
  now?: () => number;
}

/**
 * JSON, or text/plain: `navigator.sendBeacon` with a string body (the collector's pagehide flush)
 * sends `text/plain;charset=UTF-8`. Text/plain is also what a cross-site form or no-cors fetch can
 * send without a preflight, but such a request carries no guard cookie (SameSite=Lax), so it is
 * refused as unauthenticated.
 */
const BODY_TYPE = /^(application\/json|text\/plain)\s*(;|$)/i;

function reject(
  c: Context,
  status: 400 | 401 | 403 | 409 | 413 | 415 | 429,
  error: string,
  field?: string,
) {
  return c.json(field === undefined ? { error } : { error, field }, status);
}

export { exposeBufferMetrics } from "./metrics.ts";

/** Builds the ingest sub-app; mount it under the guard prefix. */
export function createIngestRoute(options: IngestOptions): Hono {
  const signer = createGuardSigner(options.secret);
  const cookieName = options.cookieName ?? GUARD_COOKIE;
  const table = createSessionTable(options.store, {
    ratePerMin: options.ratePerMin,
    maxSessions: options.maxSessions ?? 100_000,
    now: options.now ?? Date.now,
    timeoutMs: options.stateTimeoutMs ?? 1000,
  });
  options.store.onRevocation((id) => table.markRevoked(id)).catch((error) =>
    log("warn", "Ingest cannot listen for revocations", { error })
  );
  const app = new Hono();
  app.post("/ingest", async function ingest(c) {
    const id = await signer.verify(getCookie(c, cookieName));
    if (id === null) return reject(c, 401, "unauthorized");
    const state = table.get(id);
    const wait = table.take(state);
    if (wait > 0) {
      c.header("Retry-After", String(wait));
      return reject(c, 429, "rate_limited");
    }
    await table.load(id, state);
    if (state.revoked) return revoked(c, options.loginUrl);
    const parsed = await readPost(c, options.maxBytes);
    if (parsed instanceof Response) return parsed;
    const post = parsed.value;
    if (state.lastSeq !== null && post.seq <= state.lastSeq) {
      // `next` lets a collector whose counter was reset (storage cleared, cookie kept) resync;
      // the replayed post itself is still refused.
      return c.json(
        { error: "replay", field: "seq", next: state.lastSeq + 1 },
        409,
      );
    }
    state.lastSeq = post.seq;
    const row: WindowRow = {
      session: id,
      seq: post.seq,
      t0: post.t0,
      t1: post.t1,
      nEvents: post.n,
      features: parsed.features,
    };
    options.buffer.push(row, options.retainRaw ? post.raw : undefined);
    const action = await decide(options, row);
    if (action.action === "logout") table.markRevoked(id);
    return c.json({ ok: true, ...action }, 200);
  });
  return app;
}

/**
 * The 403 of a revoked session. With loginUrl it also tells the collector to leave: a logout reply
 * sent by beacon during a navigation is lost, and the next page's posts land here.
 */
function revoked(c: Context, loginUrl: string | undefined): Response {
  return loginUrl === undefined
    ? reject(c, 403, "revoked")
    : c.json({ error: "revoked", action: "logout", redirect: loginUrl }, 403);
}

/** Content type, size cap, JSON, strict schema: the parsed post, or the rejection to send. */
async function readPost(
  c: Context,
  maxBytes: number,
): Promise<Extract<ParsePostResult, { ok: true }> | Response> {
  if (!BODY_TYPE.test(c.req.header("content-type") ?? "")) {
    return reject(c, 415, "unsupported_media_type");
  }
  const bytes = await readCapped(c.req.raw, maxBytes);
  if (bytes === null) return reject(c, 413, "too_large");
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    return reject(c, 400, "invalid", "body");
  }
  const parsed = parsePost(json);
  return parsed.ok ? parsed : reject(c, 400, "invalid", parsed.field);
}

async function decide(
  options: IngestOptions,
  row: WindowRow,
): Promise<IngestAction> {
  if (!options.onWindow) return { action: "none" };
  try {
    return await options.onWindow(row);
  } catch (error) {
    log("error", "Ingest onWindow hook failed", {
      error,
      session: row.session,
    });
    return { action: "none" };
  }
}
