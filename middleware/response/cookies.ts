/**
 * The site's auth cookies: parsed once from AUTH_COOKIES, then set, cleared and stripped from this
 * one description, so a clear always carries the same name, Path and Domain as the cookie it
 * removes (a browser keys cookies by name+domain+path: a clear with another Path removes nothing).
 *
 * @module
 */

/** One cookie the site uses for authentication. */
export interface AuthCookie {
  name: string;
  /** Path attribute; `/` when not configured. */
  path: string;
  /** Domain attribute, or undefined for a host-only cookie. */
  domain?: string;
}

// RFC 6265 §4.1.1 token: visible ASCII except separators.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const PATH = /^\/[\x21-\x3a\x3c-\x7e]*$/; // no ';', no controls, no space
const DOMAIN =
  /^\.?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/**
 * Parses AUTH_COOKIES entries of the form `name`, `name;path=/app` or `name;path=/;domain=example.com`.
 *
 * @throws {SyntaxError} naming the entry and the attribute that is wrong
 */
export function parseAuthCookies(entries: readonly string[]): AuthCookie[] {
  return entries.map((entry) => {
    const [rawName, ...attrs] = entry.split(";").map((s) => s.trim());
    if (!TOKEN.test(rawName)) {
      throw new SyntaxError(
        `Cannot parse AUTH_COOKIES entry "${entry}": name "${rawName}" is not a cookie name`,
      );
    }
    const cookie: AuthCookie = { name: rawName, path: "/" };
    for (const attr of attrs) {
      const eq = attr.indexOf("=");
      const key = (eq < 0 ? attr : attr.slice(0, eq)).trim().toLowerCase();
      const value = eq < 0 ? "" : attr.slice(eq + 1).trim();
      if (key === "path" && PATH.test(value)) cookie.path = value;
      else if (key === "domain" && DOMAIN.test(value)) cookie.domain = value;
      else {
        throw new SyntaxError(
          `Cannot parse AUTH_COOKIES entry "${entry}": attribute "${attr}" must be path=/… or domain=host`,
        );
      }
    }
    return cookie;
  });
}

/** Attributes of one Set-Cookie line. */
export interface SetCookieOptions {
  maxAge?: number;
  expires?: Date;
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: "Lax" | "Strict" | "None";
}

/**
 * One Set-Cookie value for a cookie described by {@link AuthCookie}. `__Secure-` and `__Host-`
 * names always get `Secure` (RFC 6265bis §4.1.3), or the browser ignores the line.
 */
export function serializeCookie(
  cookie: AuthCookie,
  value: string,
  options: SetCookieOptions = {},
): string {
  const parts = [`${cookie.name}=${value}`, `Path=${cookie.path}`];
  if (cookie.domain !== undefined) parts.push(`Domain=${cookie.domain}`);
  if (options.maxAge !== undefined) {
    parts.push(`Max-Age=${Math.trunc(options.maxAge)}`);
  }
  if (options.expires !== undefined) {
    parts.push(`Expires=${options.expires.toUTCString()}`);
  }
  const prefixed = /^__(Secure|Host)-/.test(cookie.name);
  if (options.secure || prefixed) parts.push("Secure");
  if (options.httpOnly) parts.push("HttpOnly");
  if (options.sameSite) parts.push(`SameSite=${options.sameSite}`);
  return parts.join("; ");
}

/** The Set-Cookie line that makes a browser drop the cookie: empty value, Max-Age=0, Expires 1970. */
export function clearCookieHeader(cookie: AuthCookie): string {
  return serializeCookie(cookie, "", { maxAge: 0, expires: new Date(0) });
}

/** One clearing Set-Cookie line per cookie. */
export function clearAuthCookies(cookies: readonly AuthCookie[]): string[] {
  return cookies.map(clearCookieHeader);
}

/** Parses a Cookie request header into name/value pairs, in order (duplicates kept). */
export function parseCookieHeader(header: string | null): [string, string][] {
  if (!header) return [];
  const pairs: [string, string][] = [];
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    pairs.push([part.slice(0, eq).trim(), part.slice(eq + 1).trim()]);
  }
  return pairs;
}

/**
 * The Cookie header without the named cookies, or null when nothing is left.
 *
 * @param header the request's Cookie header
 * @param names cookie names to remove
 */
export function stripCookies(
  header: string | null,
  names: ReadonlySet<string>,
): string | null {
  const kept = parseCookieHeader(header).filter(([name]) => !names.has(name));
  return kept.length === 0
    ? null
    : kept.map(([n, v]) => `${n}=${v}`).join("; ");
}

/**
 * A copy of `res` whose Set-Cookie lines for the `drop` names are removed and `append` lines
 * added after the rest, so a clear always reaches the browser and wins over an upstream set of
 * the same cookie (browsers apply Set-Cookie lines in order; here the set is gone besides).
 */
export function withCookieClears(
  res: Response,
  drop: ReadonlySet<string>,
  append: readonly string[],
): Response {
  const out = new Response(res.body, res);
  const kept = out.headers.getSetCookie().filter((line) => {
    const eq = line.indexOf("=");
    return !drop.has((eq < 0 ? line : line.slice(0, eq)).trim());
  });
  out.headers.delete("set-cookie");
  for (const line of [...kept, ...append]) {
    out.headers.append("set-cookie", line);
  }
  return out;
}
