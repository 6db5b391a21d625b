import { pgArray, sql } from "./_sql.ts";
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

/** Adds an alert unless one with the same dedupe key exists (see {@link AlertInput}). */
export async function enqueueAlert(
  db: Driver,
  alert: AlertInput,
): Promise<boolean> {
  const channel = alert.channel ?? "mail";
  const source = alert.source ?? null;
  if (source === null || !alert.incidentMs) {
    return await insertAlert(db, alert, channel, source);
  }
  return await db.begin(async (tx) => {
    // One source's alerts serialise here, so concurrent first alerts open one incident, not many.
    await tx.run(
      sql`select pg_advisory_xact_lock(hashtext(${`alert:${source}`}::text))`,
    );
    const [recent] = await tx.run(sql`select exists (select 1 from alert_outbox
      where source = ${source}::text and channel = ${channel}::text
        and created_at > now() - make_interval(secs => ${
      alert.incidentMs! / 1000
    }::float8)) as yes`);
    if (recent.yes !== true) {
      return await insertAlert(tx, alert, channel, source);
    }
    await mergeIncident(tx, alert, channel, source);
    return true;
  });
}

async function insertAlert(
  db: Driver,
  alert: AlertInput,
  channel: string,
  source: string | null,
): Promise<boolean> {
  const rows = await db.run(
    sql`insert into alert_outbox (session, kind, payload, dedupe_key, channel, source)
    values (${alert.session}, ${alert.kind}, ${
      JSON.stringify(alert.payload ?? null)
    }::text::jsonb, ${alert.dedupeKey}, ${channel}, ${source}::text)
    on conflict (dedupe_key) do nothing returning id`,
  );
  return rows.length === 1;
}

/** Most session ids an incident lists (its count keeps going). */
export const INCIDENT_SESSIONS = 20;

/**
 * Adds one alert to its source's open incident (one row per source and channel until it is
 * claimed), or opens one that is due `incidentMs` from now.
 */
async function mergeIncident(
  db: Driver,
  alert: AlertInput,
  channel: string,
  source: string,
): Promise<void> {
  const payload = JSON.stringify({
    incident: true,
    source,
    count: 1,
    sessions: [alert.session],
    kinds: { [alert.kind]: 1 },
  });
  await db.run(sql`insert into alert_outbox
      (session, kind, payload, dedupe_key, channel, source, incident_key, next_attempt_at)
    values (${alert.session}, 'incident', ${payload}::text::jsonb,
      'incident:' || gen_random_uuid()::text, ${channel}, ${source}::text,
      ${`${channel}:${source}`}::text,
      now() + make_interval(secs => ${alert.incidentMs! / 1000}::float8))
    on conflict (incident_key) do update set payload = jsonb_set(jsonb_set(jsonb_set(
        alert_outbox.payload,
        '{count}', to_jsonb((alert_outbox.payload->>'count')::int + 1)),
        '{sessions}', case
          when jsonb_array_length(alert_outbox.payload->'sessions') < ${INCIDENT_SESSIONS}::int
          then (alert_outbox.payload->'sessions') || to_jsonb(${alert.session}::text)
          else alert_outbox.payload->'sessions' end),
        array['kinds', ${alert.kind}::text],
        to_jsonb(coalesce((alert_outbox.payload->'kinds'->>${alert.kind}::text)::int, 0) + 1))`);
}

/**
 * Claims due alerts of one channel with FOR UPDATE SKIP LOCKED, leasing them for
 * {@link ALERT_LEASE_SECONDS}. A claimed incident is closed: later alerts open a new one.
 */
export async function claimDueAlerts(
  db: Driver,
  limit: number,
  now = new Date(),
  channel: "mail" | "webhook" = "mail",
): Promise<AlertRow[]> {
  const rows = await db.run(sql`update alert_outbox
    set next_attempt_at = ${
    iso(now)
  }::timestamptz + make_interval(secs => ${ALERT_LEASE_SECONDS}::int),
      incident_key = null
    where id in (select id from alert_outbox
      where sent_at is null and channel = ${channel}::text
        and next_attempt_at <= ${iso(now)}::timestamptz
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
  await recordScores(db, [row]);
}

/** Records windows' scores in one statement (one multi-row insert). */
export async function recordScores(
  db: Driver,
  rows: readonly ScoreRow[],
): Promise<void> {
  if (rows.length === 0) return;
  await db.run(
    sql`insert into scores (session, seq, score, verdict, model_version, at)
    select session, seq, score, verdict, model_version, coalesce(at, now())
    from unnest(
      ${pgArray(rows.map((r) => r.session))}::text::text[],
      ${pgArray(rows.map((r) => r.seq))}::text::int[],
      ${pgArray(rows.map((r) => r.score))}::text::float8[],
      ${pgArray(rows.map((r) => r.verdict))}::text::text[],
      ${pgArray(rows.map((r) => r.modelVersion))}::text::text[],
      ${pgArray(rows.map((r) => r.at ? iso(r.at) : null))}::text::timestamptz[]
    ) as u(session, seq, score, verdict, model_version, at)`,
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
