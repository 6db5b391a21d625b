import type { Store } from "../../db/mod.ts";
import { log } from "../../log.ts";

/**
 * Failed-credential counting per client address: a sliding window of the last failures of each
 * address. Past `max` failures within `windowMs`, the address is refused (429) until its oldest
 * counted failure leaves the window, whatever it presents, so a guesser cannot learn that a later
 * guess was right.
 */

/** Options of {@link createFailureLimiter}. */
export interface FailureLimiterOptions {
  /** Failures allowed per address per window (default 10). */
  max?: number;
  /** The window (default 60 000 ms). */
  windowMs?: number;
  /** Addresses remembered; past it the least recently failing are forgotten (default 10 000). */
  maxClients?: number;
  /** Clock in ms (default `Date.now`). */
  now?: () => number;
}

/** Counts failed credentials per client address. */
export interface FailureLimiter {
  /** Seconds the address must wait before its next attempt; 0 when it may try now. */
  retryAfter(client: string): number | Promise<number>;
  /** Counts one failed attempt of the address. */
  fail(client: string): void | Promise<void>;
}

/** The store methods the shared limiter uses (db `auth_failures`). */
export type FailureStore = Pick<
  Store,
  "recordAuthFailure" | "recentAuthFailures"
>;

/**
 * A limiter shared by every guard instance on the store: a guesser spreading attempts over N
 * instances gets the limit of one. Memory still counts (and answers when the store cannot), so the
 * store only ever makes the limit stricter.
 */
export function createSharedFailureLimiter(
  store: FailureStore,
  options: FailureLimiterOptions = {},
): FailureLimiter {
  const max = options.max ?? 10;
  const windowMs = options.windowMs ?? 60_000;
  const now = options.now ?? Date.now;
  const local = createFailureLimiter(options);
  return {
    async retryAfter(client) {
      const t = now();
      const mine = local.retryAfter(client) as number;
      try {
        const times = await store.recentAuthFailures(client, t - windowMs, max);
        if (times.length < max) return mine;
        return Math.max(mine, 1, Math.ceil((times[0] + windowMs - t) / 1000));
      } catch (error) {
        log("warn", "Cannot read shared credential failures", { error });
        return mine;
      }
    },
    async fail(client) {
      local.fail(client);
      await store.recordAuthFailure(client, now(), windowMs).catch((error) =>
        log("warn", "Cannot record a credential failure", { error })
      );
    },
  };
}

/** Creates a limiter; memory is bounded by `maxClients × max` timestamps. */
export function createFailureLimiter(
  options: FailureLimiterOptions = {},
): {
  retryAfter(client: string): number;
  fail(client: string): void;
} {
  const max = options.max ?? 10;
  const windowMs = options.windowMs ?? 60_000;
  const maxClients = options.maxClients ?? 10_000;
  const now = options.now ?? Date.now;
  const failures = new Map<string, number[]>();

  function recent(client: string, t: number): number[] {
    const times = failures.get(client);
    if (times === undefined) return [];
    while (times.length > 0 && times[0] <= t - windowMs) times.shift();
    if (times.length === 0) failures.delete(client);
    return times;
  }

  return {
    retryAfter(client) {
      const t = now();
      const times = recent(client, t);
      if (times.length < max) return 0;
      return Math.max(1, Math.ceil((times[0] + windowMs - t) / 1000));
    },
    fail(client) {
      const t = now();
      const times = recent(client, t);
      times.push(t);
      if (times.length > max) times.shift();
      // Re-inserting keeps the Map in order of last failure: the first key is the stalest.
      failures.delete(client);
      failures.set(client, times);
      if (failures.size > maxClients) {
        failures.delete(failures.keys().next().value!);
      }
    },
  };
}
