/**
 * Admin alerts: detections become emails through a durable outbox, with retry, dedupe, incidents
 * (one email per flooding source) and a rate limit that turns a swarm into a digest; and the
 * signed revocation webhook through the same outbox (channel `webhook`).
 *
 * @example
 * ```ts
 * const mailer = createMailer({ smtpUrl: "smtp://127.0.0.1:25", from: "guard@x", to: ["ops@x"] });
 * const worker = startAlertWorker(store, mailer, {
 *   maxPerHour: 20,
 *   linkFor: (id) => `https://site.example/__guard/admin/sessions/${id}`,
 * });
 * // on shutdown
 * await worker.stop();
 * mailer.close();
 * ```
 *
 * @module
 */
export {
  createMailer,
  type Mail,
  type Mailer,
  type MailerOptions,
} from "./mailer.ts";
export {
  type AlertStore,
  type AlertWorker,
  type AlertWorkerOptions,
  backoffMs,
  startAlertWorker,
} from "./worker.ts";
export {
  type AlertLike,
  composeAlertMail,
  composeDigestMail,
  DETECTION_PAYLOAD,
  type DetectionPayload,
} from "./compose.ts";
export { type AlertConfig, startAlerts } from "./start.ts";
export {
  SIGNATURE_HEADER,
  signWebhook,
  startWebhookWorker,
  verifyWebhookSignature,
  type WebhookWorker,
  type WebhookWorkerOptions,
} from "./webhook.ts";
