/**
 * The HTTP side of "silence is a verdict" (the rule is silence.ts): a `beforeProxy` middleware
 * that counts activity per guard session, and `noteWindow` for the ingest hook, which reports
 * behaviour evidence. When a session becomes unverified, the verdict is recorded (the session
 * row is created, so the admin list shows it); when it is logged in (carries an AUTH_COOKIES
 * cookie), an alert is enqueued and, in enforce mode with NO_BEHAVIOUR_ACTION=logout, the session
 * is revoked through the gate, so its next navigation gets a 303 to LOGIN_URL with its cookies
 * cleared. An anonymous session has nothing to log out of: it is recorded only. A session first
 * judged anonymous is acted on when it is first seen logged in.
 *
 * Keying: a request with a verified guard cookie counts for its session. A request without one
 * gets a freshly minted id from the session middleware, so a client that drops `__guard_sid`
 * would start from zero on every request; when it carries a site auth cookie, it counts for the
 * session that auth value is bound to (the gate's `boundSession`, which a cookie-less request
 * cannot take over). A client with neither cookie has no identity to hold its requests to, and
 * is logged in nowhere.
 *
 * Shared by the fleet: the counts are a versioned row per session (shared_state.ts), so requests
 * and windows of one session spread over several instances count as on one, and the logged-in
 * response is taken once. Before a verdict, the session's stored windows are checked too, and one
 * with behaviour received since the first counted request is evidence.
 *
 * Off the proxy path: a counted request waits for its write only when it may make the verdict
 * (see `count`); every other request's write lands behind it, so a person's navigations carry
 * no database round trip for this rule. A window's evidence is always read against the
 * fleet's row: its window may still sit in the ingest buffer when another instance's count
 * reaches the verdict, so the stored-window check alone could not vouch for it.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import type { Store } from "../../db/mod.ts";
import { log } from "../../log.ts";
import {
  type AuthCookie,
  parseCookieHeader,
  type RevocationGate,
} from "../response/mod.ts";
import { countsAsActivity } from "./activity.ts";
import {
  explainUnverified,
  recordUnverified,
  type UnverifiedExplanation,
} from "./record_verdict.ts";
export { recordUnverified, type UnverifiedExplanation };
import { createSharedStates, type SharedStateStore } from "./shared_state.ts";
import {
  type EvidenceWindow,
  hasBehaviour,
  initialSilence,
  isUnverified,
  newestEvidenceAt,
  noteActivity,
  noteEvidence,
  type SilenceOptions,
  type SilenceState,
} from "../../detect/mod.ts";

/** The store methods the watch uses. */
export type SilenceStore =
  & Pick<
    Store,
    "touchSession" | "recordDetection" | "enqueueAlert" | "listWindows"
  >
  & SharedStateStore;

/** Options of {@link createSilenceWatch}. */
export interface SilenceWatchOptions {
  store: SilenceStore;
  gate: Pick<RevocationGate, "revoke" | "isRevoked" | "boundSession">;
  mode: "monitor" | "enforce";
  /** NO_BEHAVIOUR_ACTION: `record` only, or `logout` (in enforce mode) a logged-in session. */
  action: "record" | "logout";
  rule: SilenceOptions;
  authCookies: readonly AuthCookie[];
  /** EXCLUDE_PATHS. */
  excludePaths: readonly string[];
  /** The guard session cookie (default `__guard_sid`). */
  sessionCookie?: string;
  /** Clock in ms (default `Date.now`). */
  now?: () => number;
  /** Sessions remembered (default 100,000; least recently active dropped). */
  maxSessions?: number;
  /** Writes let land behind their requests at once (default 1024; past it requests wait). */
  maxDeferred?: number;
}

/** The watch: its middleware and the evidence hook. */
export interface SilenceWatch {
  /** Put after the revocation gate in `beforeProxy`. */
  middleware: MiddlewareHandler;
  /** Call for every accepted window (before or after scoring); never rejects. */
  noteWindow(window: EvidenceWindow & { session: string }): Promise<void>;
}

interface Who {
  key: string;
  loggedIn: boolean;
  attributed: boolean;
}

interface Batch {
  who: Who;
  /** Times of the batch's requests, in arrival order (bounded: see `count`). */
  times: number[];
  /** Requests the batch counts. */
  counted: number;
  done: Promise<void>;
}

interface Entry {
  state: SilenceState;
  /** The logged-in response (alert, and logout when configured) has been taken. */
  actedLoggedIn: boolean;
}

/** Builds the watch. */
export function createSilenceWatch(options: SilenceWatchOptions): SilenceWatch {
  const sidName = options.sessionCookie ?? "__guard_sid";
  const authNames = new Set(options.authCookies.map((c) => c.name));
  const now = options.now ?? Date.now;
  const entries = createSharedStates<Entry>({
    store: options.store,
    kind: "silence",
    initial: () =>
      Promise.resolve({ state: initialSilence(), actedLoggedIn: false }),
    max: options.maxSessions,
  });

  const middleware: MiddlewareHandler = async function silenceWatch(c, next) {
    if (!countsAsActivity(c.req.raw, { excludePaths: options.excludePaths })) {
      return await next();
    }
    const who = keyOf(c);
    if (who !== null) await count(who);
    await next();
  };

  // Requests of one session that arrive while its previous update is in flight join one batch:
  // one swap per round trip, whatever the concurrency (group commit), each request still
  // waiting for the swap that counted it.
  const open = new Map<string, Batch>();

  // Requests counted here whose writes have not landed in the cache yet, per session: how
  // many, and the earliest (an upper bound on the span they add).
  const unsettled = new Map<string, { n: number; first: number }>();
  let deferred = 0;
  const maxDeferred = options.maxDeferred ?? 1024;

  /**
   * Counts one request; resolves when it may go on. It waits for its swap only if it may decide
   * ({@link mayDecide}: the cached state plus this instance's unlanded counts), so on one
   * instance the navigation after a verdict is refused; across a fleet the cache may miss other
   * instances' counts, and the verdict comes one round trip behind. At most `maxDeferred`
   * writes land behind their requests; past that, requests wait again.
   */
  function count(who: Who): Promise<void> {
    // A latched verdict whose response is taken (or that has none to take) cannot change: no
    // write. The latch is never undone anywhere, so the cached copy is enough to know it.
    const key = who.key;
    const known = entries.peek(key);
    if (
      known !== undefined && isUnverified(known.state) &&
      (known.actedLoggedIn || !who.loggedIn)
    ) return Promise.resolve();
    const at = now();
    const wait = deferred >= maxDeferred || mayDecide(known, who, at);
    const before = unsettled.get(key);
    unsettled.set(key, {
      n: (before?.n ?? 0) + 1,
      first: Math.min(before?.first ?? at, at),
    });
    let batch = open.get(key);
    if (batch !== undefined) {
      // Bounded: past the rule's count only the last time matters (the span and lastAt).
      if (batch.times.length > options.rule.requests) batch.times.pop();
      batch.times.push(at);
      // The newest request speaks for the batch (the verdict's `at` is its time).
      batch.who = { ...who, loggedIn: batch.who.loggedIn || who.loggedIn };
      batch.counted++;
    } else {
      batch = { who, times: [at], counted: 1, done: Promise.resolve() };
      open.set(key, batch);
      batch.done = settle(batch);
    }
    if (wait) return batch.done;
    deferred++;
    batch.done.finally(() => deferred--);
    return Promise.resolve();
  }

  /** Runs a batch's swap; errors are logged, and its requests are no longer unsettled. */
  async function settle(batch: Batch): Promise<void> {
    const key = batch.who.key;
    try {
      await run(batch);
    } catch (error) {
      log("error", "Cannot count activity for the silence rule", {
        session: key,
        error,
      });
    } finally {
      const left = unsettled.get(key);
      if (left !== undefined && left.n > batch.counted) {
        unsettled.set(key, { ...left, n: left.n - batch.counted });
      } else unsettled.delete(key);
    }
  }

  /** Whether one more request at `at` may make the verdict or act on it (this instance's view). */
  function mayDecide(known: Entry | undefined, who: Who, at: number) {
    const state = known?.state ?? initialSilence();
    if (isUnverified(state)) return who.loggedIn && !known?.actedLoggedIn;
    const pending = unsettled.get(who.key);
    const counted = state.counted + (pending?.n ?? 0) + 1;
    const first = Math.min(state.firstAt ?? at, pending?.first ?? at, at);
    return counted >= options.rule.requests &&
      Math.max(0, at - first) >= options.rule.graceMs;
  }

  async function run(batch: Batch) {
    const key = batch.who.key;
    let act = false;
    const { next } = await entries.update(key, async (entry) => {
      if (open.get(key) === batch) open.delete(key); // later requests: the next batch
      let state = entry.state;
      let became = false;
      for (const at of batch.times) {
        let step = noteActivity(state, at, options.rule);
        if (step.becameUnverified) {
          // Windows may have reached another instance: stored evidence since the first
          // counted request starts the count over.
          const stored = await storedEvidenceAt(key, state.firstAt ?? at);
          if (stored !== null) {
            const reset = noteEvidence(state, stored).state;
            step = noteActivity(reset, at, options.rule);
          }
        }
        state = step.state;
        became ||= step.becameUnverified;
      }
      const loggedIn = batch.who.loggedIn;
      const pending = isUnverified(state) && loggedIn && !entry.actedLoggedIn;
      act = became || pending;
      // The logged-in response is claimed in the same swap: one instance takes it.
      return {
        state,
        actedLoggedIn: entry.actedLoggedIn || (act && loggedIn),
      };
    });
    if (act) await judge(batch.who, next);
  }

  /**
   * The session a request counts for, and whether it is logged in. Null for a request with
   * neither a verified guard cookie nor a bound auth cookie: its id was minted for it and is
   * seen again only if the client keeps the cookie (then it counts from its next request).
   * Keeping an entry per such request would let a cookie-less flood evict counted sessions.
   */
  function keyOf(c: Context): Who | null {
    const id = c.get("guardSessionId" as never) as string | undefined;
    if (id === undefined) return null;
    const pairs = parseCookieHeader(c.req.header("cookie") ?? null);
    const auth = pairs.filter(([n]) => authNames.has(n));
    const loggedIn = auth.length > 0;
    if (pairs.some(([n, v]) => n === sidName && v.startsWith(`${id}.`))) {
      return { key: id, loggedIn, attributed: false };
    }
    for (const [name, value] of auth) {
      const bound = options.gate.boundSession(name, value);
      if (bound !== undefined) {
        return bound === id ? null : { key: bound, loggedIn, attributed: true };
      }
    }
    return null;
  }

  async function judge(who: Who, entry: Entry) {
    const key = who.key;
    // Already logged out (a bot verdict, or another instance): nothing more to do.
    if (await options.gate.isRevoked(key)) return;
    const logout = who.loggedIn && options.action === "logout" &&
      options.mode === "enforce";
    const explanation = explainUnverified(entry.state, {
      mode: options.mode,
      action: logout
        ? "logged out"
        : !who.loggedIn
        ? "none (anonymous)"
        : options.action === "record"
        ? "none (NO_BEHAVIOUR_ACTION=record)"
        : "none (monitor mode)",
      loggedIn: who.loggedIn,
      attributed: who.attributed,
      rule: options.rule,
    });
    log("warn", "session unverified: no behaviour evidence", {
      session: key,
      requests: explanation.requests,
      loggedIn: who.loggedIn,
      action: explanation.action,
    });
    if (logout) {
      await options.gate.revoke(key, "no behaviour evidence (unverified)");
    }
    const alert = who.loggedIn && options.action === "logout";
    await recordUnverified(options.store, key, explanation, alert);
  }

  /** Receipt time (ms) of the newest stored window with behaviour since `sinceMs`, or null. */
  async function storedEvidenceAt(session: string, sinceMs: number) {
    try {
      return newestEvidenceAt(
        await options.store.listWindows(session),
        sinceMs,
      );
    } catch (error) {
      log("warn", "Cannot read stored windows for the silence check", {
        session,
        error,
      });
      return null;
    }
  }

  return {
    middleware,
    async noteWindow(window) {
      if (!hasBehaviour(window)) return;
      const at = now();
      try {
        const { state } = await entries.read(window.session);
        const untouched = state.counted === 0 && state.evidenceAt === null &&
          state.unverifiedAt === null;
        if (untouched) return; // nothing counted yet: nothing to start over
        await entries.update(window.session, (entry) => ({
          ...entry,
          state: noteEvidence(entry.state, at).state,
        }));
      } catch (error) {
        log("error", "Cannot note behaviour evidence for the silence rule", {
          session: window.session,
          error,
        });
      }
    },
  };
}
