/**
 * The revocation gate: a `beforeProxy` middleware that refuses revoked guard sessions.
 *
 * Revoked ids live in an in-memory set, preloaded from the store at start and fed by LISTEN on
 * `guard_revocations` (so a revocation on another instance lands here within milliseconds); an id
 * not in the set is checked against the store at most once per `fallbackTtlMs`, which covers a
 * missed notification (listener reconnecting).
 *
 * A request of a revoked session has the site's auth cookies and the guard cookie stripped before
 * it reaches the upstream, and gets them cleared in the response; an HTML navigation is answered
 * with a 303 to LOGIN_URL instead (the login page itself is served, stripped). On navigations the
 * guard cookie is cleared too, which is how a fresh guard session is issued:
 * the redirected request arrives without it, so the session middleware mints a new id, and the
 * visitor who logs in again is judged from scratch (their old evidence is not held against them,
 * and the old id stays revoked for anyone replaying it).
 *
 * The auth cookie VALUES seen with a session are remembered in memory (bounded), so a client that
 * drops `__guard_sid` but keeps replaying the old `session` cookie is refused too. A request with
 * a verified guard cookie (re)binds its auth values; one without (its id freshly minted) binds
 * only values not bound yet, so dropping the guard cookie cannot move a binding off a session
 * (which would shed its revocation, or its count of silent requests in detect/silence_watch.ts).
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { log } from "../../log.ts";
import type { Store } from "../../db/mod.ts";
import {
  type AuthCookie,
  clearCookieHeader,
  parseCookieHeader,
  stripCookies,
} from "./cookies.ts";

/** The store methods the gate uses. */
export type GateStore = Pick<
  Store,
  "isRevoked" | "revokeSession" | "onRevocation" | "listRevokedSince"
>;

/** Options of {@link createRevocationGate}. */
export interface RevocationGateOptions {
  store: GateStore;
  /** The site's auth cookies (AUTH_COOKIES, parsed). */
  authCookies: readonly AuthCookie[];
  /** Where revoked navigations are sent (LOGIN_URL). */
  loginUrl: string;
  /** Name of this instance, recorded with each revocation. */
  instance: string;
  /** The guard session cookie (default `__guard_sid`). */
  sessionCookie?: string;
  /** How long a "not revoked" answer from the store is trusted (default 30 s). */
  fallbackTtlMs?: number;
  /** How far back revocations are preloaded at start (default 7 days). */
  preloadMs?: number;
  /** Most remembered ids and auth cookie values (default 100,000 each). */
  maxEntries?: number;
}

/** A gate: its middleware plus the operations the detector and main.ts use. */
export interface RevocationGate {
  middleware: MiddlewareHandler;
  /** Preloads recent revocations and starts listening. */
  start(): Promise<void>;
  /** Stops listening. */
  stop(): Promise<void>;
  /** Revokes locally at once, then in the store (which notifies other instances). */
  revoke(id: string, reason: string): Promise<void>;
  /** Whether the id is revoked (memory, then store). */
  isRevoked(id: string): Promise<boolean>;
  /** The guard session an auth cookie value is bound to, if it has been seen (memory only). */
  boundSession(name: string, value: string): string | undefined;
}

function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number) {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as K);
}

function isNavigation(c: Context): boolean {
  const method = c.req.method;
  if (method !== "GET" && method !== "HEAD") return false;
  const mode = c.req.header("sec-fetch-mode");
  if (mode !== undefined) return mode === "navigate";
  return (c.req.header("accept") ?? "").includes("text/html");
}

/**
 * Builds the gate. Mount its `middleware` after the session middleware (it reads
 * `c.get("guardSessionId")`), before the proxy.
 */
export function createRevocationGate(
  options: RevocationGateOptions,
): RevocationGate {
  const sidName = options.sessionCookie ?? "__guard_sid";
  const max = options.maxEntries ?? 100_000;
  const ttl = options.fallbackTtlMs ?? 30_000;
  const revoked = new Set<string>();
  const checkedAt = new Map<string, number>(); // id → when the store said "not revoked"
  const boundTo = new Map<string, string>(); // "name=value" of an auth cookie → guard session
  const authNames = new Set(options.authCookies.map((c) => c.name));
  const stripNames = new Set([...authNames, sidName]);
  const authClears = options.authCookies.map(clearCookieHeader);
  const allClears = [
    ...authClears,
    clearCookieHeader({ name: sidName, path: "/" }),
  ];
  let unlisten: (() => Promise<void>) | null = null;

  function markRevoked(id: string) {
    revoked.add(id);
    checkedAt.delete(id);
  }

  async function isRevoked(id: string): Promise<boolean> {
    if (revoked.has(id)) return true;
    const at = checkedAt.get(id);
    if (at !== undefined && Date.now() - at < ttl) return false;
    try {
      if (await options.store.isRevoked(id)) {
        markRevoked(id);
        return true;
      }
      remember(checkedAt, id, Date.now(), max);
    } catch (error) {
      log("warn", "revocation check failed", { error });
    }
    return false;
  }

  async function revokedSessionOf(c: Context, pairs: [string, string][]) {
    const id = c.get("guardSessionId" as never) as string | undefined;
    const hadCookie = pairs.some(([n]) => n === sidName);
    // The session middleware kept the id of a cookie it verified; any other id is fresh.
    const verified = id !== undefined &&
      pairs.some(([n, v]) => n === sidName && v.startsWith(`${id}.`));
    if (id !== undefined && hadCookie && await isRevoked(id)) return id;
    for (const [name, value] of pairs) {
      if (!authNames.has(name)) continue;
      const owner = boundTo.get(`${name}=${value}`);
      if (owner !== undefined && owner !== id && revoked.has(owner)) {
        return owner;
      }
    }
    if (id !== undefined) {
      for (const [name, value] of pairs) {
        if (!authNames.has(name) || value.length > 4096) continue;
        const key = `${name}=${value}`;
        remember(boundTo, key, verified ? id : boundTo.get(key) ?? id, max);
      }
    }
    return null;
  }

  const middleware: MiddlewareHandler = async function revocationGate(c, next) {
    const cookieHeader = c.req.header("cookie") ?? null;
    const pairs = parseCookieHeader(cookieHeader);
    const id = await revokedSessionOf(c, pairs);
    if (id === null) return await next();
    const navigation = isNavigation(c);
    const loginPath = new URL(options.loginUrl, c.req.url).pathname;
    if (navigation && c.req.path !== loginPath) {
      const headers = new Headers({
        location: options.loginUrl,
        "cache-control": "no-store",
      });
      for (const line of allClears) headers.append("set-cookie", line);
      return new Response(null, { status: 303, headers });
    }
    // The guard cookie is cleared on navigations only: a sub-resource (favicon, XHR) clearing it
    // would hand the still-open page a fresh, unrevoked session, and its collector would never
    // hear the logout that the revoked id's ingest replies carry.
    const clears = navigation ? allClears : authClears;
    const stripped = stripCookies(cookieHeader, stripNames);
    const headers = new Headers(c.req.raw.headers);
    if (stripped === null) headers.delete("cookie");
    else headers.set("cookie", stripped);
    c.req.raw = new Request(c.req.raw, { headers });
    await next();
    const res = new Response(c.res.body, c.res);
    for (const line of clears) res.headers.append("set-cookie", line);
    c.res = res;
  };

  return {
    middleware,
    isRevoked,
    boundSession: (name, value) => boundTo.get(`${name}=${value}`),
    async start() {
      const since = new Date(
        Date.now() - (options.preloadMs ?? 7 * 86_400_000),
      );
      for (const row of await options.store.listRevokedSince(since)) {
        markRevoked(row.session);
      }
      unlisten = await options.store.onRevocation(markRevoked);
    },
    async stop() {
      await unlisten?.();
      unlisten = null;
    },
    async revoke(id, reason) {
      markRevoked(id);
      try {
        await options.store.revokeSession(id, reason, options.instance);
      } catch (error) {
        log("error", "revocation not stored", { session: id, error });
      }
    },
  };
}
