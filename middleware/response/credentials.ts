/**
 * What the gate knows about the site's auth cookie values: their keyed digests (the only form the
 * store ever holds), the values seen per guard session (memory, bounded, for UPSTREAM_LOGOUT and
 * the webhook), and the values the upstream sets on a response.
 *
 * @module
 */
import type { Credential } from "../../db/mod.ts";
import { base64url, createKeyedMac } from "../_hmac.ts";

const encoder = new TextEncoder();

/** One auth cookie value seen with a session. */
export interface SeenCredential extends Credential {
  value: string;
}

/** Digests auth cookie values with GUARD_SECRET. */
export type Digester = (name: string, value: string) => Promise<string>;

/** Digests remembered, so a session's requests skip the HMAC. */
const DIGEST_CACHE = 10_000;

/**
 * base64url HMAC-SHA256(secret, "auth|" + name + "=" + value). The "auth|" label keeps these
 * apart from the guard cookie's and page tokens' MACs. Keyed, so a leaked store reveals no value
 * and cannot be searched for a guessed one without the secret.
 */
export function createDigester(secret: string): Digester {
  const hmac = createKeyedMac(secret);
  const cache = new Map<string, string>();
  return function digest(name, value) {
    const input = `auth|${name}=${value}`;
    const hit = cache.get(input);
    if (hit !== undefined) return Promise.resolve(hit);
    const out = base64url(hmac.sign(input));
    if (cache.size >= DIGEST_CACHE) cache.clear();
    cache.set(input, out);
    return Promise.resolve(out);
  };
}

/** Hex SHA-256 of a value: what the revocation webhook tells the site (it can hash its own). */
export async function sha256Hex(value: string): Promise<string> {
  const bytes = new Uint8Array(
    await crypto.subtle.digest("SHA-256", encoder.encode(value)),
  );
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Auth cookie values a response sets (name, value), in order; clears (empty value, Max-Age ≤ 0,
 * an Expires in the past) are not values.
 */
export function setAuthValues(
  setCookies: readonly string[],
  authNames: ReadonlySet<string>,
  now = Date.now(),
): [string, string][] {
  const out: [string, string][] = [];
  for (const line of setCookies) {
    const [pair, ...attrs] = line.split(";");
    const eq = pair.indexOf("=");
    if (eq < 0) continue;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (!authNames.has(name) || value === "" || value.length > 4096) continue;
    const gone = attrs.some((a) => {
      const [k, v = ""] = a.trim().split("=");
      if (k.toLowerCase() === "max-age") return Number(v) <= 0;
      if (k.toLowerCase() === "expires") return Date.parse(v) <= now;
      return false;
    });
    if (!gone) out.push([name, value]);
  }
  return out;
}

/** The cookie name of one Set-Cookie line. */
export function setCookieName(line: string): string {
  const eq = line.indexOf("=");
  return (eq < 0 ? line : line.slice(0, eq)).trim();
}

/** Per guard session, the auth values seen with it (bounded: sessions and values per session). */
export interface SessionValues {
  /** Adds values; returns those new to the session (to bind durably). */
  add(session: string, seen: readonly SeenCredential[]): SeenCredential[];
  get(session: string): readonly SeenCredential[];
}

/** Creates the table. */
export function createSessionValues(
  maxSessions: number,
  maxPerSession: number,
): SessionValues {
  const table = new Map<string, SeenCredential[]>();
  return {
    add(session, seen) {
      const list = table.get(session) ?? [];
      const fresh: SeenCredential[] = [];
      for (const c of seen) {
        if (list.length >= maxPerSession) break;
        if (list.some((x) => x.digest === c.digest)) continue;
        list.push(c);
        fresh.push(c);
      }
      table.delete(session);
      table.set(session, list);
      if (table.size > maxSessions) table.delete(table.keys().next().value!);
      return fresh;
    },
    get: (session) => table.get(session) ?? [],
  };
}
