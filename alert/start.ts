/**
 * Starts the mailer and the outbox worker from the configuration, or nothing when SMTP_URL or
 * ALERT_TO is unset (alerts then wait in the outbox, and go out once SMTP is configured).
 *
 * @module
 */
import type { Config } from "../config.ts";
import type { Store } from "../db/mod.ts";
import { log } from "../log.ts";
import { createMailer } from "./mailer.ts";
import { startAlertWorker } from "./worker.ts";
import { startWebhookWorker } from "./webhook.ts";

/** The config slice alerts read. */
export type AlertConfig = Pick<
  Config,
  | "SMTP_URL"
  | "ALERT_FROM"
  | "ALERT_TO"
  | "ALERT_MAX_PER_HOUR"
  | "PUBLIC_ORIGIN"
  | "PORT"
  | "GUARD_PREFIX"
  | "REVOKE_WEBHOOK_URL"
  | "REVOKE_WEBHOOK_SECRET"
>;

/**
 * Starts alerting (mail, and the revocation webhook when REVOKE_WEBHOOK_URL is set); resolves to
 * its stop function (stops polling, closes the SMTP transport).
 *
 * @param options.pollMs how often the outbox is polled (default 1000)
 */
export function startAlerts(
  store: Store,
  config: AlertConfig,
  options: { pollMs?: number; backoffBaseMs?: number } = {},
): () => Promise<void> {
  const webhook = config.REVOKE_WEBHOOK_URL && config.REVOKE_WEBHOOK_SECRET
    ? startWebhookWorker(store, {
      url: config.REVOKE_WEBHOOK_URL,
      secret: config.REVOKE_WEBHOOK_SECRET,
      pollMs: options.pollMs ?? 1000,
      backoffBaseMs: options.backoffBaseMs,
    })
    : null;
  const mail = startMail(store, config, options);
  return async () => {
    await webhook?.stop();
    await mail();
  };
}

function startMail(
  store: Store,
  config: AlertConfig,
  options: { pollMs?: number },
): () => Promise<void> {
  if (!config.SMTP_URL || config.ALERT_TO.length === 0) {
    log("warn", "Alerts are off: SMTP_URL or ALERT_TO is unset", {});
    return () => Promise.resolve();
  }
  const mailer = createMailer({
    smtpUrl: config.SMTP_URL,
    from: config.ALERT_FROM,
    to: config.ALERT_TO,
  });
  const origin = config.PUBLIC_ORIGIN ?? `http://localhost:${config.PORT}`;
  const base = new URL(`${config.GUARD_PREFIX}/admin/sessions/`, origin);
  const worker = startAlertWorker(store, mailer, {
    maxPerHour: config.ALERT_MAX_PER_HOUR,
    pollMs: options.pollMs ?? 1000,
    linkFor: (id) => new URL(encodeURIComponent(id), base).href,
  });
  return async () => {
    await worker.stop();
    mailer.close();
  };
}
