/**
 * The guard session cookie `__guard_sid`: `<id>.<hmac-sha256(secret, id) base64url>`, HttpOnly,
 * SameSite=Lax, Path=/, Secure when the public origin is https. The middleware verifies it or
 * issues a new one, and exposes the id as `c.get("guardSessionId")`.
 *
 * @example
 * ```ts
 * import { createGuardSession, resolveGuardSecret } from "./middleware/session/mod.ts";
 * const secret = resolveGuardSecret(config.GUARD_SECRET);
 * app.use(createGuardSession({ secret, secure: config.PUBLIC_ORIGIN?.startsWith("https:") }));
 * ```
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { log } from "../../log.ts";
import { base64url, createGuardSigner, newSessionId } from "./_signer.ts";
import { clientKey } from "./client_key.ts";

export { addressPrefix, clientKey } from "./client_key.ts";

export { createGuardSigner, newSessionId } from "./_signer.ts";
export type { GuardSigner } from "./_signer.ts";

declare module "hono" {
  interface ContextVariableMap {
    /** The verified guard session id, set by {@link createGuardSession}. */
    guardSessionId: string;
    /** The request's client key (client_key.ts), set by {@link createGuardSession}. */
    guardClientKey: string;
  }
}

/** The default cookie name. */
export const GUARD_COOKIE = "__guard_sid";

/** Options of {@link createGuardSession}. */
export interface GuardSessionOptions {
  /** HMAC key, at least 32 characters (see {@link resolveGuardSecret}). */
  secret: string;
  cookieName?: string;
  /** Adds `Secure`; true when PUBLIC_ORIGIN is https. */
  secure?: boolean;
  /**
   * NEW_SESSIONS_PER_MIN: new guard sessions one client key may start per minute (on this
   * instance, or on the fleet with `sharedCount`); beyond it, a request that would start one gets 429 (default: no limit).
   */
  newSessionsPerMin?: number;
  /** Client keys whose count is kept (default 100,000; the oldest window dropped). */
  maxClientKeys?: number;
  /**
   * The fleet's count (db `rate_windows`, the store's `hitRateWindow`): with it, the limit holds
   * for every instance together. Memory refuses first; a failing store lets the request through.
   */
  sharedCount?: (
    key: string,
    windowMs: number,
    nowMs: number,
  ) => Promise<number>;
}

/** Counts new sessions per client key in fixed one-minute windows; bounded. */
function createNewSessionLimit(perMin: number, maxKeys: number) {
  const windows = new Map<string, { start: number; n: number }>();
  return function allow(key: string, now = Date.now()): boolean {
    let w = windows.get(key);
    if (w === undefined || now - w.start >= 60_000) {
      w = { start: now, n: 0 };
      windows.delete(key);
      windows.set(key, w);
      if (windows.size > maxKeys) windows.delete(windows.keys().next().value!);
    }
    w.n++;
    return w.n <= perMin;
  };
}

/**
 * Returns GUARD_SECRET, or a random per-process secret with a warning: sessions then do not
 * survive a restart and are not shared between instances.
 */
export function resolveGuardSecret(configured?: string): string {
  if (configured) return configured;
  log("warn", "GUARD_SECRET is unset: using a random per-process secret", {
    hint:
      "set GUARD_SECRET (32+ characters) to keep sessions across restarts and instances",
  });
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** Sets the signed session cookie on the response. */
export function setGuardCookie(
  c: Context,
  value: string,
  options: { cookieName?: string; secure?: boolean },
): void {
  setCookie(c, options.cookieName ?? GUARD_COOKIE, value, {
    httpOnly: true,
    sameSite: "Lax",
    secure: options.secure ?? false,
    path: "/",
  });
}

/**
 * Verifies the guard cookie or issues a new one (within the new-session limit), then sets
 * `guardSessionId` and `guardClientKey`.
 */
export function createGuardSession(
  options: GuardSessionOptions,
): MiddlewareHandler {
  const signer = createGuardSigner(options.secret);
  const name = options.cookieName ?? GUARD_COOKIE;
  const allow = options.newSessionsPerMin === undefined
    ? null
    : createNewSessionLimit(
      options.newSessionsPerMin,
      options.maxClientKeys ?? 100_000,
    );
  async function allowed(key: string): Promise<boolean> {
    if (!allow!(key)) return false;
    if (options.sharedCount === undefined) return true;
    try {
      const n = await options.sharedCount(
        `new-session:${key}`,
        60_000,
        Date.now(),
      );
      return n <= options.newSessionsPerMin!;
    } catch (error) {
      log("warn", "Cannot count new sessions in the store; allowed", { error });
      return true;
    }
  }
  return async function guardSession(c, next) {
    const known = await signer.verify(getCookie(c, name));
    const env = c.env as { remoteAddr?: { hostname?: string } } | undefined;
    const key = clientKey(
      env?.remoteAddr?.hostname,
      c.req.header("user-agent"),
    );
    if (known === null && allow !== null && !await allowed(key)) {
      return c.text("Too many new sessions\n", 429, { "retry-after": "60" });
    }
    const id = known ?? newSessionId();
    c.set("guardSessionId", id);
    c.set("guardClientKey", key);
    await next();
    if (known !== null) return;
    // Set after the handler so a raw Response (the proxied page) carries it too; a fetched
    // Response has immutable headers, so copy it first.
    const value = await signer.sign(id);
    try {
      setGuardCookie(c, value, options);
    } catch {
      c.res = new Response(c.res.body, c.res);
      setGuardCookie(c, value, options);
    }
  };
}

export {
  createPageTokens,
  type PageToken,
  type PageTokenCheck,
  type PageTokenOptions,
  type PageTokens,
} from "./page_token.ts";
