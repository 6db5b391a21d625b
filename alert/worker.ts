/**
 * The alert worker: drains the durable outbox (alert_outbox) into email.
 *
 * - Durable: an alert is enqueued in the database with the detection, and only marked sent after the
 *   SMTP server accepted it; a crash or a dead SMTP server leaves it due, so none is lost.
 * - Retry: a failed send is retried after base·2^attempts ms (capped), per alert.
 * - Dedupe: the outbox's unique dedupe key (`detection:<session>`) allows one alert per session.
 * - Rate limit: at most `maxPerHour` emails per rolling hour from the whole fleet (the store's
 *   `reserveAlertMails`, one row per email; a store without it, or failing, falls back to this
 *   worker's own count). When the due alerts exceed what is left of the budget, they go out as ONE
 *   digest; with no budget left they wait until the oldest send of the hour ages out.
 *
 * @module
 */
import { log } from "../log.ts";
import { startPolling } from "./_poll.ts";
import type { AlertRow, MailBudget, Store } from "../db/mod.ts";
import { composeAlertMail, composeDigestMail } from "./compose.ts";
import type { Mailer } from "./mailer.ts";

/** The store methods the worker uses. */
export type AlertStore =
  & Pick<Store, "claimDueAlerts" | "markAlertSent" | "markAlertFailed">
  & Partial<Pick<Store, "reserveAlertMails" | "releaseAlertMails">>;

/** Options of {@link startAlertWorker}. */
export interface AlertWorkerOptions {
  /** Absolute admin URL of a session (the link in the mail). */
  linkFor: (session: string) => string;
  /** ALERT_MAX_PER_HOUR. */
  maxPerHour: number;
  /** Poll interval in ms (default 1000). 0 disables the timer: call `tick()` yourself (tests). */
  pollMs?: number;
  /** Alerts claimed per tick (default 100). */
  batch?: number;
  /** First retry delay in ms (default 2000), doubled per attempt. */
  backoffBaseMs?: number;
  /** Longest retry delay in ms (default 10 minutes). */
  backoffMaxMs?: number;
  /** Clock (tests move it forward instead of sleeping). */
  now?: () => Date;
}

/** A running worker. */
export interface AlertWorker {
  /** One pass over the due alerts; resolves to the number of alerts sent (a digest counts all). */
  tick(): Promise<number>;
  /** Stops polling and waits for the pass in flight. The mailer is left to its owner. */
  stop(): Promise<void>;
}

const HOUR_MS = 3_600_000;

/** Delay before retry number `attempts + 1`. */
export function backoffMs(
  attempts: number,
  baseMs: number,
  maxMs: number,
): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(attempts, 30));
}

/**
 * Starts polling the outbox.
 *
 * @param store where alerts wait
 * @param mailer where they go
 */
export function startAlertWorker(
  store: AlertStore,
  mailer: Mailer,
  options: AlertWorkerOptions,
): AlertWorker {
  const now = options.now ?? (() => new Date());
  const base = options.backoffBaseMs ?? 2000;
  const max = options.backoffMaxMs ?? 600_000;
  const sentAt: number[] = []; // send times of the rolling hour, oldest first

  async function fail(alerts: readonly AlertRow[], error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    log("warn", "alert send failed", { error: message, alerts: alerts.length });
    for (const a of alerts) {
      const retryAt = new Date(
        now().getTime() + backoffMs(a.attempts, base, max),
      );
      await store.markAlertFailed(a.id, message, retryAt);
    }
  }

  /** Emails granted for `wanted` alerts: the fleet's budget, else this worker's own count. */
  async function reserve(
    wanted: number,
    t: number,
  ): Promise<MailBudget & { shared?: boolean }> {
    while (sentAt.length > 0 && sentAt[0] <= t - HOUR_MS) sentAt.shift();
    if (store.reserveAlertMails !== undefined) {
      try {
        const grant = await store.reserveAlertMails({
          maxPerHour: options.maxPerHour,
          wanted,
          now: new Date(t),
        });
        return { ...grant, shared: true };
      } catch (error) {
        log("warn", "Cannot reserve alert emails in the store", { error });
      }
    }
    const budget = options.maxPerHour - sentAt.length;
    if (budget <= 0) {
      return { emails: 0, retryAt: new Date(sentAt[0] + HOUR_MS) };
    }
    return { emails: wanted <= budget ? wanted : 1, retryAt: null };
  }

  async function deliver(
    alerts: readonly AlertRow[],
    t: number,
  ): Promise<number> {
    const grant = await reserve(alerts.length, t);
    if (grant.emails === 0) {
      for (const a of alerts) {
        await store.markAlertFailed(
          a.id,
          "Rate limited: ALERT_MAX_PER_HOUR reached",
          grant.retryAt!,
        );
      }
      return 0;
    }
    const groups: AlertRow[][] = grant.emails === alerts.length
      ? alerts.map((a) => [a])
      : [[...alerts]];
    let sent = 0;
    for (const group of groups) {
      const mail = group.length === 1
        ? composeAlertMail(group[0], options.linkFor(group[0].session))
        : composeDigestMail(group, options.linkFor);
      try {
        await mailer.send(mail);
      } catch (error) {
        await fail(group, error);
        // A failed send spends no budget.
        if (grant.shared) {
          await store.releaseAlertMails?.(new Date(t), 1).catch(() => {});
        }
        continue;
      }
      sentAt.push(now().getTime());
      for (const a of group) await store.markAlertSent(a.id, now());
      sent += group.length;
    }
    return sent;
  }

  async function pass(): Promise<number> {
    const t = now();
    const alerts = await store.claimDueAlerts(options.batch ?? 100, t);
    if (alerts.length === 0) return 0;
    return await deliver(alerts, t.getTime());
  }

  return startPolling("alert worker", pass, options.pollMs);
}
