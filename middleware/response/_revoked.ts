/**
 * Revoked state with bounded memory: the store is the truth, memory only saves round trips.
 *
 * - A Bloom filter (fixed size) holds every revoked key this process knows of: loaded from the
 *   store at start (unexpired credential digests, session ids revoked within the TTL), fed by
 *   local revocations at once, by NOTIFY (each notification triggers a resync of what was
 *   revoked since the last one) and by a periodic resync (covers a notification missed while the
 *   listener reconnected). A key not in the filter is not revoked: no store round trip.
 * - A key in the filter is confirmed by the store once and the answer cached in a bounded map
 *   (least recently used dropped). A dropped answer is asked again; nothing a client sends can
 *   turn a revoked key into a served one, it can only cost a lookup.
 *
 * Keys: `s:<guard session id>` and `c:<credential digest>`.
 */
import type { Store } from "../../db/mod.ts";
import { log } from "../../log.ts";
import { createBloom } from "./_bloom.ts";

/** The store methods revoked state reads. */
export type RevokedStore = Pick<
  Store,
  "isRevoked" | "revokedAmong" | "revokedKeysPage"
>;

/** Options of {@link createRevokedState}. */
export interface RevokedStateOptions {
  /** How far back revocations are loaded (REVOCATION_TTL_MS). */
  ttlMs: number;
  /** Confirmed answers cached (default 10,000). */
  maxConfirmed?: number;
  /** Bits of the filter (default 2^23, 1 MiB). */
  bloomBits?: number;
  /** Rows per page when loading (default 5,000). */
  pageSize?: number;
}

/** The process's view of what is revoked. */
export interface RevokedState {
  /** Loads everything revoked within the TTL from the store. */
  load(): Promise<number>;
  /** Adds what was revoked since the last sync (minus a minute of clock skew). */
  resync(): Promise<number>;
  /**
   * Follows the store: a NOTIFY marks the session and resyncs (its credentials come with the
   * resync), and a timer resyncs every `resyncMs`. Resolves to the stop function.
   */
  follow(
    store: Pick<Store, "onRevocation">,
    resyncMs: number,
  ): Promise<() => Promise<void>>;
  /** Marks a key revoked (a local revocation). */
  add(key: string): void;
  /** Whether the key is revoked: filter, then cache, then store. A store error on a key the filter holds
   * counts as revoked. */
  has(key: string): Promise<boolean>;
  /** Memory in bytes of the filter, and counts. */
  stats(): { bloomBytes: number; keys: number; confirmed: number };
}

/** Creates revoked state over a store. */
export function createRevokedState(
  store: RevokedStore,
  options: RevokedStateOptions,
): RevokedState {
  const bloom = createBloom(options.bloomBits);
  const confirmed = new Map<string, boolean>();
  const max = options.maxConfirmed ?? 10_000;
  const page = options.pageSize ?? 5_000;
  let syncedAt = 0;

  function remember(key: string, value: boolean) {
    confirmed.delete(key);
    confirmed.set(key, value);
    if (confirmed.size > max) confirmed.delete(confirmed.keys().next().value!);
  }

  function add(key: string) {
    bloom.add(key);
    remember(key, true);
  }

  async function loadSince(since: Date, mark: (key: string) => void) {
    let n = 0;
    for (
      const [kind, prefix] of [["credential", "c:"], ["session", "s:"]] as const
    ) {
      let after = "";
      for (;;) {
        const keys = await store.revokedKeysPage({
          kind,
          since,
          after,
          limit: page,
        });
        for (const k of keys) mark(prefix + k);
        n += keys.length;
        if (keys.length < page) break;
        after = keys[keys.length - 1];
      }
    }
    return n;
  }

  async function lookup(key: string): Promise<boolean> {
    const value = key.slice(2);
    if (key.startsWith("s:")) return await store.isRevoked(value);
    return (await store.revokedAmong([value])).length > 0;
  }

  let resyncing: Promise<unknown> | null = null;
  function resyncSoon() {
    resyncing ??= resync().catch((error) =>
      log("warn", "revoked state resync failed", { error })
    ).finally(() => resyncing = null);
  }
  async function resync() {
    const started = Date.now();
    const since = new Date(Math.max(0, syncedAt - 60_000));
    const n = await loadSince(since, add);
    syncedAt = started;
    return n;
  }

  return {
    async follow(notifier, resyncMs) {
      const unlisten = await notifier.onRevocation((id) => {
        add(`s:${id}`);
        resyncSoon();
      });
      const timer = setInterval(resyncSoon, resyncMs);
      return async () => {
        clearInterval(timer);
        await unlisten();
        await resyncing;
      };
    },
    async load() {
      const started = Date.now();
      const n = await loadSince(
        new Date(started - options.ttlMs),
        (k) => bloom.add(k),
      );
      syncedAt = started;
      return n;
    },
    resync,
    add,
    async has(key) {
      if (!bloom.has(key)) return false;
      const known = confirmed.get(key);
      if (known !== undefined) return known;
      try {
        const yes = await lookup(key);
        remember(key, yes);
        return yes;
      } catch (error) {
        // Fail closed: the filter says "probably revoked" (false positives are rare), and serving
        // a revoked value because the store is down is the one outcome this must not have.
        log("warn", "revocation check failed: refusing", { error });
        return true;
      }
    },
    stats: () => ({
      bloomBytes: bloom.bytes,
      keys: bloom.added,
      confirmed: confirmed.size,
    }),
  };
}
