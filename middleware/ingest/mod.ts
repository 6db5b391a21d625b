/**
 * POST `/ingest`: one window of raw events per post, from the injected collector. The server
 * decodes the events and computes the features (collector/post.ts): the client's word is taken
 * for nothing it could not have produced by really running the page.
 *
 * Checks, in order: guard session cookie (401), per-session token bucket (429 + Retry-After),
 * revoked session (403), `Content-Type` JSON or text/plain (else 415), body size by
 * Content-Length and by counted bytes (413), JSON, the strict post schema and the decoded events
 * (400 naming the field: bad codes, time going backwards, events outside the window, a free
 * pointer outside the viewport), the page token (403 `page_token` when it was not issued to this
 * session, 403 `page_expired` past PAGE_TOKEN_TTL_MS), seq strictly above the last accepted one
 * of the session (409; gaps allowed), and the page's clock (400 `implausible`: a window that
 * outruns the time since the page was served, overlaps an earlier window, or one window too many
 * for the page's age; see _pages.ts). Last, the seq is claimed against the fleet's shared token
 * bucket and last seq (one statement, db `ingest_sessions`): a session spreading its posts over
 * N instances gets the rate and replay answers of one instance. Accepted windows go to the write buffer, with their raw
 * events when RETAIN_RAW is set; the reply is `{"ok":true,"action":"none"}` or, when the
 * `onWindow` hook says so, `{"ok":true,"action":"logout","redirect":"/login"}`. Error bodies
 * never echo the input.
 *
 * With `ack: "durable"` (INGEST_ACK) the 200 waits until the window's batch is committed, so a
 * crash never loses an acknowledged window. A window not committed within `durableTimeoutMs`
 * (the database is down or slow) is answered 503 `not_stored` with `Retry-After`: not
 * acknowledged, though it stays queued and may still be written; it is judged all the same.
 *
 * @example
 * ```ts
 * const pageTokens = createPageTokens(secret, { ttlMs: 43_200_000 });
 * const ingest = createIngestRoute({ store, buffer, secret, pageTokens, windowMs: 5000, maxBytes: 32768, ratePerMin: 60 });
 * app.route("/__guard", ingest); // POST /__guard/ingest
 * ```
 *
 * @module
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { extractOwnerEvidence, parsePost } from "../../collector/mod.ts";
import type { ParsePostResult, WindowEvent } from "../../collector/mod.ts";
import { withTimeout } from "../../db/mod.ts";
import type { Store, WindowBuffer, WindowRow } from "../../db/mod.ts";
import { log } from "../../log.ts";
import {
  createGuardSigner,
  GUARD_COOKIE,
  type PageTokens,
} from "../session/mod.ts";
import { readCapped } from "./_body.ts";
import { createPageTable } from "./_pages.ts";
import { createSessionTable } from "./_state.ts";

/** What the detection hook asks the route to tell the collector. */
export type IngestAction = { action: "none" } | {
  action: "logout";
  redirect: string;
};

/** An accepted window as the detection hook gets it: the stored row plus its decoded events. */
export type AcceptedWindow = WindowRow & {
  /** The server-decoded events, time-ordered, epoch ms (the first is the `meta` event). */
  events: readonly WindowEvent[];
  /** The page the window came from (the page token's id). */
  page: string;
};

/** Options of {@link createIngestRoute}. */
export interface IngestOptions {
  store: Store;
  buffer: WindowBuffer;
  /** The guard session HMAC secret (the same as the session middleware's). */
  secret: string;
  /** Verifies the page token of each post (the injector's issuer, same secret). */
  pageTokens: PageTokens;
  /** WINDOW_MS: rates are computed over it; bounds the windows a page can have posted. */
  windowMs: number;
  /** Pages whose clock state is remembered (default 100 000). */
  maxPages?: number;
  cookieName?: string;
  /** INGEST_MAX_BYTES. */
  maxBytes: number;
  /** INGEST_RATE_PER_MIN. */
  ratePerMin: number;
  /** RETAIN_RAW: store a post's raw events. */
  retainRaw?: boolean;
  /**
   * Compute and store each window's owner features and action vectors (default true). The owner
   * check is their only reader, so the guard turns this off when it is off (no USER_HEADER): it
   * is the largest part of a window's ingest CPU.
   */
  ownerEvidence?: boolean;
  /**
   * INGEST_ACK: `buffered` (default) answers once the window is queued; `durable` once its batch
   * is committed to the store.
   */
  ack?: "buffered" | "durable";
  /** With `durable`: how long a post waits for its commit before 503 (default 10 000 ms). */
  durableTimeoutMs?: number;
  /** LOGIN_URL: when set, a revoked session's 403 says `{"action":"logout","redirect":…}`. */
  loginUrl?: string;
  /** Scores each accepted window; a rejection or throw is logged and answered with "none". */
  onWindow?: (window: AcceptedWindow) => Promise<IngestAction>;
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
  status: 400 | 401 | 403 | 409 | 413 | 415 | 429 | 503,
  error: string,
  field?: string,
  reason?: string,
) {
  return c.json(
    field === undefined ? { error } : { error, field, reason },
    status,
  );
}

/** Refuses bytes that are not UTF-8 (stateless between calls: each decode is one whole body). */
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** Slack of the page clock check (see _pages.ts): rounding and a page served before its script ran. */
const CLOCK_SLACK_MS = 2000;

export { exposeBufferMetrics } from "./metrics.ts";

/** Builds the ingest sub-app; mount it under the guard prefix. */
export function createIngestRoute(options: IngestOptions): Hono {
  const signer = createGuardSigner(options.secret);
  const cookieName = options.cookieName ?? GUARD_COOKIE;
  const now = options.now ?? Date.now;
  const table = createSessionTable(options.store, {
    ratePerMin: options.ratePerMin,
    maxSessions: options.maxSessions ?? 100_000,
    now,
    timeoutMs: options.stateTimeoutMs ?? 1000,
  });
  const pages = createPageTable({
    maxPages: options.maxPages ?? 100_000,
    slackMs: CLOCK_SLACK_MS,
    windowMs: options.windowMs,
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
    const parsed = await readPost(c, options);
    if (parsed instanceof Response) return parsed;
    const post = parsed.value;
    const token = await options.pageTokens.verify(post.page, id, now());
    if (!token.ok) {
      return reject(
        c,
        403,
        token.reason === "expired" ? "page_expired" : "page_token",
      );
    }
    if (state.lastSeq !== null && post.seq <= state.lastSeq) {
      // `next` lets a collector whose counter was reset (storage cleared, cookie kept) resync;
      // the replayed post itself is still refused.
      return c.json(
        { error: "replay", field: "seq", next: state.lastSeq + 1 },
        409,
      );
    }
    const problem = pages.accept(token.page, token.issuedAt, post, now());
    if (problem !== null) {
      return reject(c, 400, "implausible", problem.field, problem.reason);
    }
    // Taken in memory at once (a concurrent post of this session meets the 409 above); then the
    // fleet decides: another instance may have taken this seq or the session's tokens.
    const before = state.lastSeq;
    state.lastSeq = post.seq;
    const refusal = await table.claim(id, post.seq, state);
    if (refusal?.reason === "replay") {
      return c.json({ error: "replay", field: "seq", next: refusal.next }, 409);
    }
    if (refusal?.reason === "rate") {
      if (state.lastSeq === post.seq) state.lastSeq = before; // not taken: may be retried
      c.header("Retry-After", String(refusal.retryAfter));
      return reject(c, 429, "rate_limited");
    }
    // The owner check's vectors, from the same server-decoded events (never the client's word).
    const owner = options.ownerEvidence === false
      ? undefined
      : extractOwnerEvidence(parsed.events);
    const row: WindowRow = {
      session: id,
      seq: post.seq,
      t0: post.t0,
      t1: post.t1,
      nEvents: parsed.events.length,
      features: parsed.features,
      ...(owner && {
        ownerFeatures: owner.features,
        ownerActions: owner.actions,
      }),
    };
    const stored = await queueWindow(options, row, parsed.events);
    const action = await decide(options, {
      ...row,
      events: parsed.events,
      page: token.page,
    });
    if (action.action === "logout") table.markRevoked(id);
    if (!stored) {
      c.header("Retry-After", "5");
      return reject(c, 503, "not_stored");
    }
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
  options: Pick<IngestOptions, "maxBytes" | "windowMs">,
): Promise<Extract<ParsePostResult, { ok: true }> | Response> {
  if (!BODY_TYPE.test(c.req.header("content-type") ?? "")) {
    return reject(c, 415, "unsupported_media_type");
  }
  const bytes = await readCapped(c.req.raw, options.maxBytes);
  if (bytes === null) return reject(c, 413, "too_large");
  let json: unknown;
  try {
    json = JSON.parse(UTF8.decode(bytes));
  } catch {
    return reject(c, 400, "invalid", "body");
  }
  const parsed = parsePost(json, { windowMs: options.windowMs });
  return parsed.ok
    ? parsed
    : reject(c, 400, "invalid", parsed.field, parsed.reason);
}

/**
 * Queues the window; with durable acks also waits for its commit. False when it was not
 * committed in time (or was dropped): the reply must not acknowledge it.
 */
async function queueWindow(
  options: IngestOptions,
  row: WindowRow,
  events: readonly WindowEvent[],
): Promise<boolean> {
  const raw = options.retainRaw ? events : undefined;
  if (options.ack !== "durable") {
    options.buffer.push(row, raw);
    return true;
  }
  try {
    await withTimeout(
      options.buffer.pushDurable(row, raw),
      options.durableTimeoutMs ?? 10_000,
    );
    return true;
  } catch (error) {
    log("warn", "Ingest window not committed in time; answered 503", {
      error,
      session: row.session,
    });
    return false;
  }
}

async function decide(
  options: IngestOptions,
  row: AcceptedWindow,
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
