import { log } from "../../log.ts";
import type { Store } from "../../db/mod.ts";

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
  markRevoked(id: string): void;
}

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

  return {
    get,
    take,
    load,
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
