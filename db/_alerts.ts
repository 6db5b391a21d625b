import { sql } from "./_sql.ts";
import type { Driver, Row } from "./_sql.ts";
import type { AlertInput, AlertRow, DetectionRow, ScoreRow } from "./store.ts";

/** How long a claimed alert is hidden from other claimers. */
export const ALERT_LEASE_SECONDS = 60;

const iso = (d: Date) => d.toISOString();

function toAlert(r: Row): AlertRow {
  return {
    id: Number(r.id),
    session: String(r.session),
    kind: String(r.kind),
    payload: r.payload,
    createdAt: r.created_at as Date,
    attempts: Number(r.attempts),
    nextAttemptAt: r.next_attempt_at as Date,
    sentAt: (r.sent_at as Date | null) ?? null,
    lastError: (r.last_error as string | null) ?? null,
    dedupeKey: String(r.dedupe_key),
  };
}

/** Adds an alert unless one with the same dedupe key exists. */
export async function enqueueAlert(
  db: Driver,
  alert: AlertInput,
): Promise<boolean> {
  const rows = await db.run(
    sql`insert into alert_outbox (session, kind, payload, dedupe_key)
    values (${alert.session}, ${alert.kind}, ${
      JSON.stringify(alert.payload ?? null)
    }::text::jsonb, ${alert.dedupeKey})
    on conflict (dedupe_key) do nothing returning id`,
  );
  return rows.length === 1;
}

/** Claims due alerts with FOR UPDATE SKIP LOCKED, leasing them for {@link ALERT_LEASE_SECONDS}. */
export async function claimDueAlerts(
  db: Driver,
  limit: number,
  now = new Date(),
): Promise<AlertRow[]> {
  const rows = await db.run(sql`update alert_outbox
    set next_attempt_at = ${
    iso(now)
  }::timestamptz + make_interval(secs => ${ALERT_LEASE_SECONDS}::int)
    where id in (select id from alert_outbox
      where sent_at is null and next_attempt_at <= ${iso(now)}::timestamptz
      order by next_attempt_at, id limit ${limit}::int
      for update skip locked)
    returning id, session, kind, payload, created_at, attempts, next_attempt_at, sent_at,
      last_error, dedupe_key`);
  return rows.map(toAlert).sort((a, b) => a.id - b.id);
}

/** Marks an alert delivered. */
export async function markAlertSent(
  db: Driver,
  id: number,
  now = new Date(),
): Promise<void> {
  await db.run(
    sql`update alert_outbox set sent_at = ${
      iso(now)
    }::timestamptz, last_error = null
    where id = ${id}::int`,
  );
}

/** Records a failed delivery and when to retry. */
export async function markAlertFailed(
  db: Driver,
  id: number,
  error: string,
  nextAttemptAt: Date,
): Promise<void> {
  await db.run(
    sql`update alert_outbox set attempts = attempts + 1, last_error = ${error},
    next_attempt_at = ${iso(nextAttemptAt)}::timestamptz where id = ${id}::int`,
  );
}

/** Records one window's score. */
export async function recordScore(db: Driver, row: ScoreRow): Promise<void> {
  await db.run(
    sql`insert into scores (session, seq, score, verdict, model_version, at)
    values (${row.session}, ${row.seq}::int, ${row.score}::float8, ${row.verdict},
      ${row.modelVersion}, coalesce(${
      row.at ? iso(row.at) : null
    }::timestamptz, now()))`,
  );
}

/** Records a detection with its explanation. */
export async function recordDetection(
  db: Driver,
  row: DetectionRow,
): Promise<void> {
  await db.run(sql`insert into detections (session, at, verdict, explanation)
    values (${row.session}, coalesce(${
    row.at ? iso(row.at) : null
  }::timestamptz, now()),
      ${row.verdict}, ${
    JSON.stringify(row.explanation ?? null)
  }::text::jsonb)`);
}
