import { log } from "../log.ts";
import type { PurgeResult, Store } from "./store.ts";

/** The configuration slice {@link startRetention} reads. */
export interface RetentionOptions {
  RAW_RETENTION_HOURS: number;
  WINDOW_RETENTION_DAYS: number;
  /** How long a revocation binds its credentials; bindings older than this are dropped. */
  REVOCATION_TTL_MS?: number;
  /** Unsent alerts kept at most (the oldest beyond are dropped). */
  ALERT_OUTBOX_MAX?: number;
  /** How often to purge (default one hour). The first purge runs at once. */
  intervalMs?: number;
}

/**
 * Purges once: raw events older than the raw retention, windows older than the window retention,
 * expired revocations, old credential bindings, and unsent alerts beyond the bound (db/_purge.ts).
 */
export function purgeExpired(
  store: Store,
  options: RetentionOptions,
  now = new Date(),
): Promise<PurgeResult> {
  return store.purge({
    rawOlderThan: new Date(
      now.getTime() - options.RAW_RETENTION_HOURS * 3_600_000,
    ),
    windowsOlderThan: new Date(
      now.getTime() - options.WINDOW_RETENTION_DAYS * 86_400_000,
    ),
    revocationsExpiredAt: now,
    bindingsOlderThan: options.REVOCATION_TTL_MS === undefined
      ? undefined
      : new Date(now.getTime() - options.REVOCATION_TTL_MS),
    maxUnsentAlerts: options.ALERT_OUTBOX_MAX,
  });
}

/**
 * Starts the periodic retention job. A failed purge is logged and retried at the next tick.
 *
 * @returns a function that stops the job and waits for a purge in progress
 */
export function startRetention(
  store: Store,
  options: RetentionOptions,
): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = running.then(async () => {
      try {
        const result = await purgeExpired(store, options);
        log("info", "Retention purge done", { ...result });
      } catch (error) {
        log("warn", "Retention purge failed", { error });
      }
    });
  };
  tick();
  const timer = setInterval(tick, options.intervalMs ?? 3_600_000);
  return async () => {
    clearInterval(timer);
    await running;
  };
}
