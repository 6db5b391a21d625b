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

export { createGuardSigner, newSessionId } from "./_signer.ts";
export type { GuardSigner } from "./_signer.ts";

declare module "hono" {
  interface ContextVariableMap {
    /** The verified guard session id, set by {@link createGuardSession}. */
    guardSessionId: string;
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

/** Verifies the guard cookie or issues a new one, then sets `guardSessionId`. */
export function createGuardSession(
  options: GuardSessionOptions,
): MiddlewareHandler {
  const signer = createGuardSigner(options.secret);
  const name = options.cookieName ?? GUARD_COOKIE;
  return async function guardSession(c, next) {
    const known = await signer.verify(getCookie(c, name));
    const id = known ?? newSessionId();
    c.set("guardSessionId", id);
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
