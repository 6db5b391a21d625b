/**
 * The revocation gate: a `beforeProxy` middleware that refuses revoked guard sessions AND the
 * site's own auth cookie values seen on them, on every instance, after any restart, whatever
 * guard cookie (or none) comes with them.
 *
 * Binding: the auth values a request carries with a verified guard cookie, and the auth values
 * the upstream sets on a response to a guard session (the login), are bound to that session: in
 * memory (bounded) and in the store as keyed digests (credentials.ts; at most
 * `maxValuesPerSession` per session). Revoking the session revokes every value bound to it, in
 * the store, until REVOCATION_TTL_MS; a value bound after the revocation is revoked as it is bound
 * (db/_revocations.ts serialises the two). Nothing a client sends removes a binding.
 *
 * Checking: every auth value of a request is looked up in the revoked state (_revoked.ts: a
 * fixed-size filter, a bounded cache, the store on a filter hit), so memory stays bounded and no
 * flood of junk values can evict a revocation. A request carrying more than `maxAuthPairs` auth
 * cookie pairs is refused with 400: no browser sends that many.
 *
 * A refused request has the site's auth cookies and the guard cookie stripped before it reaches
 * the upstream, and gets them cleared in the response (appended after the upstream's own lines,
 * an upstream set of an auth cookie removed: the clear wins); an HTML navigation is answered with
 * a 303 to LOGIN_URL instead (the login page itself is served, stripped). The guard cookie is
 * cleared on navigations only (see below), which is how a fresh guard session is issued.
 *
 * The auth values remembered per session also serve detect/silence_watch.ts (`boundSession`,
 * first binding wins; a request without a verified guard cookie never takes one over).
 *
 * @module
 */
import type { Context, MiddlewareHandler, Next } from "hono";
import { log } from "../../log.ts";
import type { Store } from "../../db/mod.ts";
import {
  type AuthCookie,
  clearCookieHeader,
  parseCookieHeader,
  stripCookies,
  withCookieClears,
} from "./cookies.ts";
import {
  createDigester,
  createSessionValues,
  type SeenCredential,
  setAuthValues,
} from "./credentials.ts";
import { createRevokedState, type RevokedState } from "./_revoked.ts";
import type { SessionEnder } from "./end_session.ts";

/** The store methods the gate uses. */
export type GateStore = Pick<
  Store,
  | "isRevoked"
  | "revokeSession"
  | "onRevocation"
  | "bindCredentials"
  | "revokedAmong"
  | "revokedKeysPage"
>;

/** Options of {@link createRevocationGate}. */
export interface RevocationGateOptions {
  store: GateStore;
  /** GUARD_SECRET: the key of the credential digests (the same on every instance). */
  secret: string;
  /** The site's auth cookies (AUTH_COOKIES, parsed). */
  authCookies: readonly AuthCookie[];
  /** Where revoked navigations are sent (LOGIN_URL). */
  loginUrl: string;
  /** Name of this instance, recorded with each revocation. */
  instance: string;
  /** REVOCATION_TTL_MS: how long revoked values stay refused (default 30 days). */
  ttlMs?: number;
  /** Logs out at the site and sends the webhook (end_session.ts). */
  ender?: SessionEnder;
  /** The guard session cookie (default `__guard_sid`). */
  sessionCookie?: string;
  /** How often revoked state is resynced from the store (default 30 s). */
  resyncMs?: number;
  /** Sessions whose values and client key are remembered (default 100,000). */
  maxEntries?: number;
  /** Auth cookie pairs one request may carry (default 8). */
  maxAuthPairs?: number;
  /** Values bound per session (default 16). */
  maxValuesPerSession?: number;
  /** Bits of the revoked-state filter (default 2^23). */
  bloomBits?: number;
}

/** A gate: its middleware plus the operations the detector and main.ts use. */
export interface RevocationGate {
  middleware: MiddlewareHandler;
  /** Loads revoked state and starts listening and resyncing. */
  start(): Promise<void>;
  /** Stops listening and waits for bindings in flight. */
  stop(): Promise<void>;
  /** Revokes at once locally, then in the store (notifying others), then ends it at the site. */
  revoke(id: string, reason: string): Promise<void>;
  /** Whether the guard session is revoked. */
  isRevoked(id: string): Promise<boolean>;
  /** The guard session an auth cookie value was first seen with on this instance. */
  boundSession(name: string, value: string): string | undefined;
  /** The client key this instance last saw a session's requests come from. */
  clientKeyOf(session: string): string | undefined;
  /** The revoked state's memory and counts. */
  stats(): ReturnType<RevokedState["stats"]>;
}

function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number) {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as K);
}

function isNavigation(c: Context): boolean {
  const { method } = c.req;
  if (method !== "GET" && method !== "HEAD") return false;
  const mode = c.req.header("sec-fetch-mode");
  return mode !== undefined
    ? mode === "navigate"
    : (c.req.header("accept") ?? "").includes("text/html");
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
  const ttlMs = options.ttlMs ?? 30 * 86_400_000;
  const maxPairs = options.maxAuthPairs ?? 8;
  const perSession = options.maxValuesPerSession ?? 16;
  const store = options.store;
  const digest = createDigester(options.secret);
  const revoked = createRevokedState(store, {
    ttlMs,
    bloomBits: options.bloomBits,
  });
  const values = createSessionValues(max, perSession);
  const boundTo = new Map<string, string>(); // "name=value" → first guard session
  const keyOf = new Map<string, string>(); // guard session → client key
  const loggedOutAtSite = new Set<string>(); // digests already logged out here
  const pending = new Set<Promise<unknown>>();
  const authNames = new Set(options.authCookies.map((c) => c.name));
  const stripNames = new Set([...authNames, sidName]);
  const authClears = options.authCookies.map(clearCookieHeader);
  const allClears = [
    ...authClears,
    clearCookieHeader({ name: sidName, path: "/" }),
  ];
  let unfollow: (() => Promise<void>) | null = null;

  const track = (p: Promise<unknown>) => {
    pending.add(p);
    p.finally(() => pending.delete(p));
  };
  const seen = (pairs: readonly [string, string][]) =>
    Promise.all(
      pairs.map(async ([name, value]): Promise<SeenCredential> => ({
        name,
        value,
        digest: await digest(name, value),
      })),
    );

  /** Binds values to a session in memory, and the new ones durably (in the background). */
  function bind(session: string, creds: readonly SeenCredential[]) {
    const fresh = values.add(session, creds);
    if (fresh.length === 0) return;
    const p = store.bindCredentials(
      session,
      fresh.map(({ digest, name }) => ({ digest, name })),
      {
        clientKey: keyOf.get(session) ?? null,
        maxPerSession: perSession,
        expiresAt: new Date(Date.now() + ttlMs),
      },
    ).then((r) => {
      if (!r.revoked) return;
      for (const c of fresh) revoked.add(`c:${c.digest}`);
      return options.ender?.logoutAtSite(fresh);
    }).catch((error) =>
      log("warn", "Cannot bind auth cookies", { session, error })
    );
    track(p);
  }

  /** Logs revoked values out at the site once per value per instance (bounded). */
  function endAtSite(creds: readonly SeenCredential[]) {
    const todo = creds.filter((c) => !loggedOutAtSite.has(c.digest));
    if (todo.length === 0 || options.ender === undefined) return;
    for (const c of todo) {
      if (loggedOutAtSite.size >= 10_000) loggedOutAtSite.clear();
      loggedOutAtSite.add(c.digest);
    }
    track(options.ender.logoutAtSite(todo));
  }

  /** Whether the request is refused: its verified session or one of its values is revoked. */
  async function refused(
    id: string | undefined,
    verified: boolean,
    creds: readonly SeenCredential[],
  ): Promise<boolean> {
    if (id !== undefined && verified && await revoked.has(`s:${id}`)) {
      endAtSite(creds);
      return true;
    }
    const hits = [];
    for (const c of creds) {
      if (await revoked.has(`c:${c.digest}`)) hits.push(c);
    }
    endAtSite(hits);
    return hits.length > 0;
  }

  const middleware: MiddlewareHandler = async function revocationGate(c, next) {
    const cookieHeader = c.req.header("cookie") ?? null;
    const pairs = parseCookieHeader(cookieHeader);
    const auth = pairs.filter(([n, v]) => authNames.has(n) && v !== "");
    if (auth.length > maxPairs) {
      return c.json({ error: "too_many_auth_cookies" }, 400);
    }
    const id = c.get("guardSessionId" as never) as string | undefined;
    // The session middleware kept the id of a cookie it verified; any other id is fresh.
    const verified = id !== undefined &&
      pairs.some(([n, v]) => n === sidName && v.startsWith(`${id}.`));
    const key = c.get("guardClientKey" as never) as string | undefined;
    if (id !== undefined && key !== undefined) remember(keyOf, id, key, max);
    const creds = await seen(auth.filter(([, v]) => v.length <= 4096));
    if (await refused(id, verified, creds)) return await refuse(c, next);
    if (id !== undefined) {
      for (const [name, value] of auth) {
        const k = `${name}=${value}`;
        if (value.length > 4096 || (!verified && boundTo.has(k))) continue;
        remember(boundTo, k, verified ? boundTo.get(k) ?? id : id, max);
      }
      if (verified) bind(id, creds);
    }
    await next();
    const set = setAuthValues(c.res.headers.getSetCookie(), authNames);
    if (id !== undefined && set.length > 0) bind(id, await seen(set));
  };

  async function refuse(c: Context, next: Next): Promise<Response | void> {
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
    const stripped = stripCookies(c.req.header("cookie") ?? null, stripNames);
    const headers = new Headers(c.req.raw.headers);
    if (stripped === null) headers.delete("cookie");
    else headers.set("cookie", stripped);
    c.req.raw = new Request(c.req.raw, { headers });
    await next();
    // Values the upstream sets on a refused response (a login) never reach the browser; they are
    // ended at the site like the revoked ones.
    const set = setAuthValues(c.res.headers.getSetCookie(), authNames);
    if (set.length > 0) endAtSite(await seen(set));
    const res = withCookieClears(
      c.res,
      navigation ? stripNames : authNames,
      clears,
    );
    // Hono's `res` setter copies the old response's Set-Cookie lines over the new one's; with
    // the old one unset first, the new lines are kept as they are.
    c.res = undefined;
    c.res = res;
  }

  return {
    middleware,
    isRevoked: (id) => revoked.has(`s:${id}`),
    boundSession: (name, value) => boundTo.get(`${name}=${value}`),
    clientKeyOf: (session) => keyOf.get(session),
    stats: () => revoked.stats(),
    async start() {
      const n = await revoked.load();
      log("info", "revoked state loaded", { loaded: n, ...revoked.stats() });
      unfollow = await revoked.follow(store, options.resyncMs ?? 30_000);
    },
    async stop() {
      await unfollow?.();
      unfollow = null;
      await Promise.all([...pending]);
    },
    async revoke(id, reason) {
      const creds = values.get(id);
      revoked.add(`s:${id}`);
      for (const c of creds) revoked.add(`c:${c.digest}`);
      try {
        const result = await store.revokeSession(id, reason, options.instance, {
          credentials: creds.map(({ digest, name }) => ({ digest, name })),
          clientKey: keyOf.get(id) ?? null,
          expiresAt: new Date(Date.now() + ttlMs),
        });
        for (const c of creds) loggedOutAtSite.add(c.digest);
        await options.ender?.ended({
          session: id,
          user: result.user,
          reason,
          time: new Date().toISOString(),
        }, creds);
      } catch (error) {
        log("error", "revocation not stored", { session: id, error });
      }
    },
  };
}
