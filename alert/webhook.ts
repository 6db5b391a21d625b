/**
 * The revocation webhook: each revocation's notice (middleware/response/end_session.ts) waits in
 * the durable outbox (channel `webhook`) and is POSTed to REVOKE_WEBHOOK_URL as JSON, signed, and
 * retried with backoff until the receiver answers 2xx.
 *
 * Signature (Stripe's scheme): header `X-Guard-Signature: t=<unix seconds>,v1=<hex>` where hex is
 * HMAC-SHA256(REVOKE_WEBHOOK_SECRET, "<t>.<raw body>"). A receiver recomputes it over the raw
 * body, compares in constant time, and refuses a `t` more than 5 minutes from its clock (so a
 * captured request cannot be replayed later). {@link verifyWebhookSignature} does exactly that.
 *
 * @module
 */
import type { AlertRow, Store } from "../db/mod.ts";
import { log } from "../log.ts";
import { startPolling } from "./_poll.ts";
import { backoffMs } from "./worker.ts";

const encoder = new TextEncoder();

/** The signature header's name. */
export const SIGNATURE_HEADER = "x-guard-signature";

async function hmacHex(secret: string, text: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(
    await crypto.subtle.sign("HMAC", key, encoder.encode(text)),
  );
  return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The `X-Guard-Signature` value of a body sent at `unixSeconds`. */
export async function signWebhook(
  secret: string,
  body: string,
  unixSeconds: number,
): Promise<string> {
  return `t=${unixSeconds},v1=${await hmacHex(
    secret,
    `${unixSeconds}.${body}`,
  )}`;
}

/**
 * Whether a signature header matches the raw body and is fresh (|now − t| ≤ toleranceS).
 *
 * @param nowS the receiver's clock, unix seconds
 */
export async function verifyWebhookSignature(
  secret: string,
  header: string | null,
  body: string,
  nowS = Math.floor(Date.now() / 1000),
  toleranceS = 300,
): Promise<boolean> {
  const match = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header ?? "");
  if (match === null) return false;
  const t = Number(match[1]);
  if (Math.abs(nowS - t) > toleranceS) return false;
  const want = await hmacHex(secret, `${t}.${body}`);
  let diff = 0;
  for (let i = 0; i < want.length; i++) {
    diff |= want.charCodeAt(i) ^ match[2].charCodeAt(i);
  }
  return diff === 0;
}

/** Options of {@link startWebhookWorker}. */
export interface WebhookWorkerOptions {
  /** REVOKE_WEBHOOK_URL. */
  url: string;
  /** REVOKE_WEBHOOK_SECRET. */
  secret: string;
  /** Poll interval in ms (default 1000); 0: call `tick()` yourself. */
  pollMs?: number;
  /** First retry delay (default 2000 ms), doubled per attempt up to `backoffMaxMs` (10 min). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Timeout of one POST (default 5000 ms). */
  timeoutMs?: number;
}

/** A running webhook worker. */
export interface WebhookWorker {
  /** One pass; resolves to the notices delivered. */
  tick(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts delivering webhook notices from the outbox. */
export function startWebhookWorker(
  store: Pick<Store, "claimDueAlerts" | "markAlertSent" | "markAlertFailed">,
  options: WebhookWorkerOptions,
): WebhookWorker {
  async function deliver(row: AlertRow): Promise<boolean> {
    const body = JSON.stringify(row.payload);
    const signature = await signWebhook(
      options.secret,
      body,
      Math.floor(Date.now() / 1000),
    );
    try {
      const res = await fetch(options.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          [SIGNATURE_HEADER]: signature,
        },
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      });
      await res.body?.cancel();
      if (res.status >= 200 && res.status < 300) return true;
      throw new Error(`Webhook answered ${res.status}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log("warn", "revocation webhook failed", {
        session: row.session,
        error: message,
      });
      const delay = backoffMs(
        row.attempts,
        options.backoffBaseMs ?? 2000,
        options.backoffMaxMs ?? 600_000,
      );
      await store.markAlertFailed(
        row.id,
        message,
        new Date(Date.now() + delay),
      );
      return false;
    }
  }

  async function pass(): Promise<number> {
    const rows = await store.claimDueAlerts(50, new Date(), "webhook");
    let sent = 0;
    for (const row of rows) {
      if (await deliver(row)) {
        await store.markAlertSent(row.id);
        sent++;
      }
    }
    return sent;
  }

  return startPolling("webhook worker", pass, options.pollMs);
}
