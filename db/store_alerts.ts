/**
 * The alert outbox's rows, as the Store (db/store.ts) takes and gives them; db/_alerts.ts stores
 * them.
 *
 * @module
 */

/** A new alert for the outbox. */
export interface AlertInput {
  session: string;
  kind: string;
  payload: unknown;
  /** One alert per key, ever: a second enqueue with the same key is ignored. */
  dedupeKey: string;
  /** Where it goes: `mail` (the admin, default) or `webhook` (REVOKE_WEBHOOK_URL). */
  channel?: "mail" | "webhook";
  /** The client key the alert is about (middleware/session/client_key.ts). */
  source?: string;
  /**
   * With `source`: an alert of a source that already had one in the last `incidentMs` joins the
   * source's open incident (one row: a count, the first 20 sessions, counts per kind), which is
   * due `incidentMs` after it opened. So a flood from one source is one email, not thousands.
   */
  incidentMs?: number;
}

/** One outbox entry. */
export interface AlertRow {
  id: number;
  session: string;
  kind: string;
  payload: unknown;
  createdAt: Date;
  attempts: number;
  nextAttemptAt: Date;
  sentAt: Date | null;
  lastError: string | null;
  dedupeKey: string;
}
