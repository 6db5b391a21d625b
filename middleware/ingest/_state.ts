/**
 * What the ingest route knows per session: the rate bucket, the last accepted seq, revocation.
 * Memory answers first (cheap refusals before a post is parsed); the fleet's shared bucket and
 * last seq (db `ingest_sessions`) decide last, so N instances allow what one instance would. The
 * fleet's claims of concurrent posts go to the store together, one statement per batch
 * (_claims.ts).
 *
 * @module
 */
import { log } from "../../log.ts";
import type { Store } from "../../db/mod.ts";
import { createClaimBatcher } from "./_claims.ts";

/** What the route remembers per session: the rate bucket, the last accepted seq, revocation. */
export interface SessionState {
  tokens: number;
  refilledAt: number;
  lastSeq: number | null;
  revoked: boolean;
  /** False until the DB's state has been merged in (retried on the next post if the DB was down). */
  verified: boolean;
  loading?: Promise<void>;
}

/** Options of {@link createSessionTable}. */
export interface SessionTableOptions {
  ratePerMin: number;
  /** Most sessions kept in memory; the oldest is forgotten (and reloaded from the DB). */
  maxSessions: number;
  now: () => number;
  /** A state lookup slower than this counts as failed (the DB is treated as down). */
  timeoutMs: number;
}

/** The in-memory session table of one ingest route. */
export interface SessionTable {
  get(id: string): SessionState;
  /** Takes one token; returns 0 when allowed, else the seconds until a token is available. */
  take(state: SessionState): number;
  /** Merges the DB's revocation and max(seq) into the state on first sight. */
  load(id: string, state: SessionState): Promise<void>;
  /**
   * Claims a post's seq against the fleet's shared bucket and last seq (after every local check
   * passed): null when accepted (the seq is now the session's last), else the refusal. When the
   * store cannot answer in time, the post is accepted on what memory knows.
   */
  claim(
    id: string,
    seq: number,
    state: SessionState,
  ): Promise<ClaimRefusal | null>;
  markRevoked(id: string): void;
}

/** Why the fleet refused a post that this instance's memory accepted. */
export type ClaimRefusal =
  | { reason: "rate"; retryAfter: number }
  | { reason: "replay"; next: number };

/**
 * A token bucket per session: capacity INGEST_RATE_PER_MIN, refilled continuously at that rate per
 * minute, so a session posts at most that many windows in a burst and that many per minute after.
 */
export function createSessionTable(
  store: Store,
  options: SessionTableOptions,
): SessionTable {
  const sessions = new Map<string, SessionState>();
  const perMs = options.ratePerMin / 60_000;
  const claims = createClaimBatcher(store, {
    capacity: options.ratePerMin,
    perMs,
    timeoutMs: options.timeoutMs,
  });

  function get(id: string): SessionState {
    let state = sessions.get(id);
    if (state === undefined) {
      state = {
        tokens: options.ratePerMin,
        refilledAt: options.now(),
        lastSeq: null,
        revoked: false,
        verified: false,
      };
      sessions.set(id, state);
      if (sessions.size > options.maxSessions) {
        sessions.delete(sessions.keys().next().value!);
      }
    }
    return state;
  }

  function take(state: SessionState): number {
    const now = options.now();
    state.tokens = Math.min(
      options.ratePerMin,
      state.tokens + (now - state.refilledAt) * perMs,
    );
    state.refilledAt = now;
    if (state.tokens >= 1) {
      state.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - state.tokens) / perMs / 1000));
  }

  function load(id: string, state: SessionState): Promise<void> {
    if (state.verified) return Promise.resolve();
    state.loading ??= withTimeout(
      store.sessionIngestState(id),
      options.timeoutMs,
    ).then((db) => {
      state.revoked ||= db.revoked;
      if (db.lastSeq !== null) {
        state.lastSeq = Math.max(state.lastSeq ?? -1, db.lastSeq);
      }
      state.verified = true;
    }, (error) => {
      // The DB is down: accept on what memory knows; inserts stay idempotent on (session, seq).
      log("warn", "Ingest could not load session state; retrying later", {
        error,
      });
    }).finally(() => {
      state.loading = undefined;
    });
    return state.loading;
  }

  async function claim(
    id: string,
    seq: number,
    state: SessionState,
  ): Promise<ClaimRefusal | null> {
    // PGlite is one process's store: this memory is the whole truth, no fleet to ask.
    if (store.kind === "pglite") return null;
    let shared;
    try {
      // Sent with other sessions' claims (_claims.ts), answered within timeoutMs, the wait for a
      // batch included.
      shared = await claims.claim({ session: id, seq, nowMs: options.now() });
    } catch (error) {
      log("warn", "Ingest could not claim the seq in the store; accepted", {
        error,
      });
      return null;
    }
    if (shared.lastSeq !== null) {
      state.lastSeq = Math.max(state.lastSeq ?? -1, shared.lastSeq);
    }
    if (shared.outcome === "ok") return null;
    if (shared.outcome === "replay") {
      return { reason: "replay", next: (shared.lastSeq ?? seq) + 1 };
    }
    const wait = (1 - shared.tokens) / perMs / 1000;
    return { reason: "rate", retryAfter: Math.max(1, Math.ceil(wait)) };
  }

  return {
    get,
    take,
    load,
    claim,
    markRevoked(id) {
      const state = sessions.get(id);
      if (state) state.revoked = true;
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Session state lookup timed out after ${ms} ms`)),
      ms,
    );
  });
  promise.catch(() => {}); // a late rejection after the timeout is expected
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
