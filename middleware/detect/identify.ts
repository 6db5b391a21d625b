/**
 * Who is logged in: the upstream names the user of each response in USER_HEADER (for example
 * `X-Guard-User: 4711`, set by the site's own auth layer; any stable user id, not necessarily a
 * name). The guard records it for the guard session (the owner check and `deno task profiles`
 * read it) and removes the header, so it never reaches the browser. An empty value means nobody
 * is logged in. Runs in `beforeProxy`, after the session middleware.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import type { Store } from "../../db/mod.ts";
import { log } from "../../log.ts";
import "../session/mod.ts"; // declares c.get("guardSessionId")

/** Identities longer than this are cut (a header is not a place for a document). */
export const MAX_IDENTITY = 256;

/** Options of {@link createIdentify}. */
export interface IdentifyOptions {
  /** USER_HEADER. */
  header: string;
  store: Pick<Store, "setUserIdentity">;
  /** Sessions remembered in memory (default 100,000). */
  maxSessions?: number;
}

/** The middleware and what it learnt. */
export interface Identify {
  middleware: MiddlewareHandler;
  /** The identity last seen for a session on this instance (null: logged out), if any. */
  identityOf: (session: string) => string | null | undefined;
}

/** Builds the identity middleware. */
export function createIdentify(options: IdentifyOptions): Identify {
  const header = options.header.toLowerCase();
  const max = options.maxSessions ?? 100_000;
  const seen = new Map<string, string | null>();
  const middleware: MiddlewareHandler = async function identify(c, next) {
    await next();
    const value = c.res.headers.get(header);
    if (value === null) return;
    try {
      c.res.headers.delete(header);
    } catch { // a fetched Response's headers are immutable: copy it first
      c.res = new Response(c.res.body, c.res);
      c.res.headers.delete(header);
    }
    const session = c.get("guardSessionId");
    if (!session) return;
    const identity = value.trim().slice(0, MAX_IDENTITY) || null;
    if (seen.get(session) === identity) return;
    seen.delete(session);
    seen.set(session, identity);
    if (seen.size > max) seen.delete(seen.keys().next().value!);
    options.store.setUserIdentity(session, identity).catch((error) =>
      log("warn", "Cannot record the session's user", { session, error })
    );
  };
  return { middleware, identityOf: (session) => seen.get(session) };
}
