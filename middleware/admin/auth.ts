/**
 * Operator authentication for every admin page and API, as one reusable layer: a login form that
 * turns ADMIN_TOKEN into a signed, expiring session cookie, CSRF protection of state-changing
 * requests, and per-address limits on failed credentials.
 *
 * - `GET <prefix>/admin/login` shows the form; `POST <prefix>/admin/login` (form field `token`)
 *   sets `__guard_admin` (HttpOnly, SameSite=Strict, `Path=<prefix>/admin` so it never reaches the
 *   upstream, Secure when PUBLIC_ORIGIN is https, `ttlMs` long) and redirects (303).
 *   `POST <prefix>/admin/logout` clears it. The token never appears in a URL or a page.
 * - The cookie is `v1.<expiry>.<nonce>.<hmac>`, keyed by ADMIN_TOKEN itself: changing the token
 *   ends every admin session, and sessions survive restarts without GUARD_SECRET.
 * - `Authorization: Bearer <ADMIN_TOKEN>` also passes (scripts, CLI). A browser never attaches it
 *   on its own, so such requests need no CSRF token.
 * - With the cookie, POST/PUT/PATCH/DELETE must be same-origin (`Sec-Fetch-Site` when sent,
 *   `Origin` when sent: its host must be the request's `Host` or PUBLIC_ORIGIN's) and carry the
 *   session's CSRF token (`X-CSRF-Token` header, or form field `csrf`). The token is
 *   HMAC(ADMIN_TOKEN, nonce): pages get it from `adminCsrf(c)`. SameSite=Strict alone is not
 *   enough: a sibling subdomain is "same-site".
 * - A wrong token (login or Bearer) counts against the client address; past `limiter`'s limit
 *   (10 per minute) every credential from it gets 429 with `Retry-After`.
 *
 * @example
 * ```ts
 * const auth = createAdminAuth({ token: config.ADMIN_TOKEN!, prefix: config.GUARD_PREFIX });
 * const admin = new Hono();
 * auth.mount(admin); // /login, /logout
 * admin.use("*", auth.require);
 * admin.get("/overview", (c) => c.html(page(adminCsrf(c))));
 * guard.route("/admin", admin);
 * ```
 *
 * @module
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { readForm } from "./_form.ts";
import { renderLoginHtml } from "./_html.ts";
import { createFailureLimiter, type FailureLimiter } from "./_limiter.ts";

/**
 * The admin session's CSRF token of a request that `AdminAuth.require` let through with the
 * cookie; undefined for Bearer requests. Pages put it in their forms and `<meta>`.
 */
export function adminCsrf(c: Context): string | undefined {
  return (c.var as Record<string, unknown>)[CSRF_VAR] as string | undefined;
}

/** The admin session cookie's name. */
export const ADMIN_COOKIE = "__guard_admin";

/** Options of {@link createAdminAuth}. */
export interface AdminAuthOptions {
  /** ADMIN_TOKEN. */
  token: string;
  /** GUARD_PREFIX: the cookie's path is `<prefix>/admin`. */
  prefix: string;
  /** Adds `Secure` to the cookie (PUBLIC_ORIGIN is https). */
  secure?: boolean;
  /** PUBLIC_ORIGIN: an `Origin` with its host is same-origin too (TLS ends in front of the guard). */
  publicOrigin?: string;
  /** Admin session length (default 8 h). */
  ttlMs?: number;
  /** Failed-credential limiter (default: 10 per minute per address). */
  limiter?: FailureLimiter;
  /** The client address failures count against (default: the TCP peer). */
  clientIp?: (c: Context) => string;
  /** Clock in ms (default `Date.now`). */
  now?: () => number;
}

/** The admin authentication layer. */
export interface AdminAuth {
  /** Adds `GET`/`POST /login` and `POST /logout` to the admin app (mounted at `<prefix>/admin`). */
  mount(app: Hono): void;
  /** Lets through a valid admin session (with CSRF checks) or Bearer token; else 401/303/429. */
  require: MiddlewareHandler;
}

/** Not declared in Hono's ContextVariableMap, which would narrow every other module's `c.get`. */
const CSRF_VAR = "adminCsrf";
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const FORM = /^application\/x-www-form-urlencoded\s*(;|$)/i;
const JSON_TYPE = /^application\/json\s*(;|$)/i;
const encoder = new TextEncoder();

/** Compares two secrets in time independent of where they differ. */
export function sameSecret(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  }
  return diff === 0;
}

/**
 * Refuses a state-changing request whose body is not `application/json` with 415: a JSON API then
 * cannot be reached by a form or a no-cors `text/plain` fetch (the "simple" requests a browser
 * sends cross-site without a preflight). Put it after `AdminAuth.require` on JSON routes.
 */
export const jsonOnly: MiddlewareHandler = async function jsonOnly(c, next) {
  if (
    UNSAFE.has(c.req.method) &&
    !JSON_TYPE.test(c.req.header("content-type") ?? "")
  ) {
    return c.json({ error: "unsupported_media_type" }, 415);
  }
  await next();
};

/** The TCP peer's address (Deno's connection info), or `unknown`. */
export function peerAddress(c: Context): string {
  const env = c.env as { remoteAddr?: { hostname?: string } } | undefined;
  return env?.remoteAddr?.hostname ?? "unknown";
}

/** The token of an `Authorization: Bearer …` header, or null. */
export function bearerToken(c: Context): string | null {
  const match = /^Bearer (.+)$/.exec(c.req.header("authorization") ?? "");
  return match === null ? null : match[1];
}

/** Sets the 429 reply's Retry-After and body. */
export function tooManyFailures(c: Context, seconds: number): Response {
  c.header("Retry-After", String(seconds));
  return c.json({ error: "rate_limited" }, 429);
}

function b64url(bytes: ArrayBuffer): string {
  let bin = "";
  for (const b of new Uint8Array(bytes)) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Creates the layer; the HMAC key is ADMIN_TOKEN. */
export function createAdminAuth(options: AdminAuthOptions): AdminAuth {
  const now = options.now ?? Date.now;
  const ttlMs = options.ttlMs ?? 8 * 3_600_000;
  const limiter = options.limiter ?? createFailureLimiter({ now });
  const clientIp = options.clientIp ?? peerAddress;
  const base = `${options.prefix}/admin`;
  const home = `${base}/`;
  const key = crypto.subtle.importKey(
    "raw",
    encoder.encode(options.token),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = async (text: string) =>
    b64url(await crypto.subtle.sign("HMAC", await key, encoder.encode(text)));
  const csrfFor = (nonce: string) => mac(`csrf.v1.${nonce}`);

  /** The session's nonce when the cookie is intact and unexpired, else null. */
  async function sessionNonce(
    value: string | undefined,
  ): Promise<string | null> {
    const parts = (value ?? "").split(".");
    if (parts.length !== 4 || parts[0] !== "v1") return null;
    const [, exp, nonce, given] = parts;
    if (!/^[0-9]{1,15}$/.test(exp) || Number(exp) <= now()) return null;
    const expected = await mac(`admin.v1.${exp}.${nonce}`);
    return sameSecret(given, expected) ? nonce : null;
  }

  /** Foreign `Sec-Fetch-Site` or `Origin`: a request another site made the browser send. */
  function crossSite(c: Context): boolean {
    const site = c.req.header("sec-fetch-site");
    if (site !== undefined && site !== "same-origin") return true;
    const origin = c.req.header("origin");
    if (origin === undefined) return false;
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      return true; // "null" (sandboxed frames, data: URLs) or garbage
    }
    return host !== c.req.header("host") &&
      (options.publicOrigin === undefined ||
        host !== new URL(options.publicOrigin).host);
  }

  const requireAdmin: MiddlewareHandler = async function requireAdmin(c, next) {
    c.header("Cache-Control", "no-store");
    c.header("X-Frame-Options", "DENY");
    c.header("Referrer-Policy", "same-origin");
    const nonce = await sessionNonce(getCookie(c, ADMIN_COOKIE));
    if (nonce !== null) {
      const csrf = await csrfFor(nonce);
      if (UNSAFE.has(c.req.method)) {
        if (crossSite(c)) return c.json({ error: "cross_site" }, 403);
        if (!sameSecret(await givenCsrf(c), csrf)) {
          return c.json({ error: "csrf" }, 403);
        }
      }
      c.set(CSRF_VAR as never, csrf as never);
      return await next();
    }
    const bearer = bearerToken(c);
    if (bearer !== null) {
      const ip = clientIp(c);
      const wait = await limiter.retryAfter(ip);
      if (wait > 0) return tooManyFailures(c, wait);
      if (sameSecret(bearer, options.token)) return await next();
      await limiter.fail(ip);
    } else if (c.req.method === "GET" && wantsPage(c)) {
      return c.redirect(
        `${base}/login?next=${encodeURIComponent(c.req.path)}`,
        303,
      );
    }
    c.header("WWW-Authenticate", 'Bearer realm="guard admin"');
    return c.json({ error: "unauthorized" }, 401);
  };

  function mount(app: Hono): void {
    app.get("/login", async (c) => {
      c.header("Cache-Control", "no-store");
      c.header("X-Frame-Options", "DENY");
      const next = safeNext(c.req.query("next"), base) ?? home;
      if (await sessionNonce(getCookie(c, ADMIN_COOKIE)) !== null) {
        return c.redirect(next, 303);
      }
      return c.html(renderLoginHtml({ next }));
    });
    app.post("/login", async (c) => {
      c.header("Cache-Control", "no-store");
      c.header("X-Frame-Options", "DENY");
      if (crossSite(c)) return c.json({ error: "cross_site" }, 403);
      const ip = clientIp(c);
      const wait = await limiter.retryAfter(ip);
      if (wait > 0) return tooManyFailures(c, wait);
      if (!FORM.test(c.req.header("content-type") ?? "")) {
        return c.json({ error: "unsupported_media_type" }, 415);
      }
      const form = await readForm(c.req.raw, 4096);
      if (form === null) return c.json({ error: "too_large" }, 413);
      const next = safeNext(form.get("next") ?? undefined, base) ?? home;
      if (!sameSecret(form.get("token") ?? "", options.token)) {
        await limiter.fail(ip);
        return c.html(renderLoginHtml({ next, error: "Wrong token." }), 401);
      }
      const exp = String(now() + ttlMs);
      const nonce = b64url(crypto.getRandomValues(new Uint8Array(16)).buffer);
      setCookie(
        c,
        ADMIN_COOKIE,
        `v1.${exp}.${nonce}.${await mac(`admin.v1.${exp}.${nonce}`)}`,
        {
          path: base,
          httpOnly: true,
          sameSite: "Strict",
          secure: options.secure === true,
          maxAge: Math.floor(ttlMs / 1000),
        },
      );
      return c.redirect(next, 303);
    });
    app.post("/logout", requireAdmin, (c) => {
      deleteCookie(c, ADMIN_COOKIE, {
        path: base,
        secure: options.secure === true,
      });
      return c.redirect(`${base}/login`, 303);
    });
  }

  return { mount, require: requireAdmin };
}

/** A browser asking for a page (so a missing login redirects to the form). */
function wantsPage(c: Context): boolean {
  return (c.req.header("accept") ?? "").includes("text/html") ||
    c.req.query("format") === "html";
}

/** Where to go after login: only a plain path inside the admin area (no open redirect). */
function safeNext(next: string | undefined, base: string): string | null {
  if (next === undefined || !next.startsWith(`${base}/`)) return null;
  return /^[A-Za-z0-9_\-/]+$/.test(next) && !next.includes("//") ? next : null;
}

/** The CSRF token a state-changing request carries: `X-CSRF-Token`, or form field `csrf`. */
async function givenCsrf(c: Context): Promise<string> {
  const header = c.req.header("x-csrf-token");
  if (header !== undefined) return header;
  if (!FORM.test(c.req.header("content-type") ?? "")) return "";
  const form = await readForm(c.req.raw.clone(), 4096);
  return form?.get("csrf") ?? "";
}
