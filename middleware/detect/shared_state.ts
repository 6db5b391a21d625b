/**
 * Per-session state shared by every guard instance on one store (no sticky sessions): a bounded
 * local cache in front of a versioned row (db `session_state`), advanced by compare and swap.
 *
 * `update(session, step)` applies `step` to the newest state the fleet has: the cached copy is
 * tried first (one round trip, the single-instance hot path); when another instance wrote since,
 * the swap fails, the store hands back the newer row, and `step` runs again on it. So a stale
 * cache costs a retry, never a lost window, and two instances never both see the same transition
 * (e.g. the first bot verdict): exactly one swap from a given version succeeds.
 *
 * A store without the shared-state methods (unit-test fakes, `deno task replay`), or PGlite (one
 * process's store, so never shared), keeps the state in the cache only, as one instance did before. When the store fails, the step is kept locally
 * and logged; the next update reads the store again.
 *
 * @module
 */
import { createGroupCommit } from "../../db/mod.ts";
import type {
  SessionStateKind,
  SessionStateSwap,
  Store,
} from "../../db/mod.ts";
import { log } from "../../log.ts";

/** The store methods shared state uses; absent, state stays in this instance's memory. */
export type SharedStateStore = Partial<
  Pick<
    Store,
    "kind" | "getSessionState" | "casSessionState" | "casSessionStates"
  >
>;

/** Options of {@link createSharedStates}. */
export interface SharedStatesOptions<T> {
  store: SharedStateStore;
  kind: SessionStateKind;
  /** The state of a session the store has no row for (e.g. rebuilt from stored scores). */
  initial: (session: string) => Promise<T>;
  /** Sessions cached (default 100,000; least recently updated dropped). */
  max?: number;
  /** Swaps tried before giving up on a session under heavy contention (default 16). */
  retries?: number;
}

/** One update: the state it started from (the fleet's newest) and the state written. */
export interface SharedUpdate<T> {
  prev: T;
  next: T;
}

/** Shared per-session state of one kind. */
export interface SharedStates<T> {
  /** Applies `step` to the fleet's newest state of the session and writes the result. */
  update(
    session: string,
    step: (prev: T) => T | Promise<T>,
  ): Promise<SharedUpdate<T>>;
  /** The state as this instance last read or wrote it (no round trip), if cached. */
  peek(session: string): T | undefined;
  /** The fleet's newest state of the session (one round trip when shared). */
  read(session: string): Promise<T>;
}

interface Cached<T> {
  version: number;
  state: T;
}

/** Builds shared states of one kind. */
export function createSharedStates<T>(
  options: SharedStatesOptions<T>,
): SharedStates<T> {
  const { store, kind } = options;
  // PGlite is one process's store: the cache is the whole truth there, no round trip.
  const shared = store.kind !== "pglite" &&
    store.getSessionState !== undefined &&
    store.casSessionState !== undefined;
  // Swaps of different sessions that are asked for while one statement runs go together in the
  // next (db/group_commit.ts): one round trip and one commit for many windows.
  const cas = store.casSessionStates === undefined
    ? (swap: SessionStateSwap) =>
      store.casSessionState!(swap.session, kind, swap.expected, swap.state)
    : createGroupCommit(
      (swaps: SessionStateSwap[]) => store.casSessionStates!(swaps),
      { keyOf: (swap) => swap.session },
    );
  const cache = new Map<string, Cached<T>>();
  const max = options.max ?? 100_000;
  const retries = options.retries ?? 16;

  function remember(session: string, entry: Cached<T>) {
    cache.delete(session);
    cache.set(session, entry);
    if (cache.size > max) cache.delete(cache.keys().next().value!);
  }

  async function load(session: string): Promise<Cached<T>> {
    const row = shared
      ? await store.getSessionState!(session, kind).catch((error) => {
        log("warn", "Cannot read shared session state", {
          session,
          kind,
          error,
        });
        return null;
      })
      : null;
    return row === null
      ? { version: 0, state: await options.initial(session) }
      : { version: row.version, state: row.state as T };
  }

  // Updates of one session on this instance run one after another: an instance never races
  // itself (a client hammering one session costs queueing here, not swap retries).
  const queues = new Map<string, Promise<unknown>>();

  function update(
    session: string,
    step: (prev: T) => T | Promise<T>,
  ): Promise<SharedUpdate<T>> {
    const before = queues.get(session) ?? Promise.resolve();
    const run = before.catch(() => {}).then(() => swap(session, step));
    queues.set(session, run);
    run.catch(() => {}).finally(() => {
      if (queues.get(session) === run) queues.delete(session);
    });
    return run;
  }

  async function swap(
    session: string,
    step: (prev: T) => T | Promise<T>,
  ): Promise<SharedUpdate<T>> {
    let current = cache.get(session) ?? await load(session);
    for (let attempt = 0;; attempt++) {
      const next = await step(current.state);
      if (!shared) {
        remember(session, { version: 0, state: next });
        return { prev: current.state, next };
      }
      let result;
      try {
        result = await cas({
          session,
          kind,
          expected: current.version,
          state: next,
        });
      } catch (error) {
        log("warn", "Cannot write shared session state; kept locally", {
          session,
          kind,
          error,
        });
        remember(session, { version: current.version, state: next });
        return { prev: current.state, next };
      }
      if (result.ok) {
        remember(session, { version: result.version, state: next });
        return { prev: current.state, next };
      }
      if (attempt >= retries) {
        throw new Error(
          `Cannot update ${kind} of session "${session}": ${retries} concurrent writes won`,
        );
      }
      current = result.current === null
        ? { version: 0, state: await options.initial(session) }
        : { version: result.current.version, state: result.current.state as T };
    }
  }

  return {
    update,
    peek: (session) => cache.get(session)?.state,
    async read(session) {
      const known = cache.get(session);
      if (!shared && known !== undefined) return known.state;
      const entry = await load(session);
      remember(session, entry);
      return entry.state;
    },
  };
}
