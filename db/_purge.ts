/**
 * Retention: what is deleted when. Private to db/; the schedule is db/retention.ts.
 *
 * - raw events: received before `rawOlderThan` (RAW_RETENTION_HOURS);
 * - before `windowsOlderThan` (WINDOW_RETENTION_DAYS): feature windows, and what was derived from
 *   them: scores, detections, alerts already sent, sessions neither revoked nor seen since and
 *   left without a window, and user profiles trained before it whose user has not been seen since.
 *
 * Kept: revoked sessions and the revocation log (the security record, no behaviour in it), unsent
 * alerts (accepted work is never dropped), and labels (an admin's judgement, no behaviour).
 */
import { sql } from "./_sql.ts";
import type { Driver, Query } from "./_sql.ts";
import type { PurgeOptions, PurgeResult } from "./store.ts";

async function count(db: Driver, deletion: Query): Promise<number> {
  const rows = await db.run(
    sql`with d as (${deletion} returning 1) select count(*)::int as n from d`,
  );
  return Number(rows[0].n);
}

/** Deletes what has expired (see the module doc); returns the rows deleted per table. */
export async function purge(
  db: Driver,
  options: PurgeOptions,
): Promise<PurgeResult> {
  const rawCut = options.rawOlderThan.toISOString();
  const cut = options.windowsOlderThan.toISOString();
  return {
    raw: await count(
      db,
      sql`delete from raw_events where received_at < ${rawCut}::timestamptz`,
    ),
    windows: await count(
      db,
      sql`delete from feature_windows where received_at < ${cut}::timestamptz`,
    ),
    scores: await count(
      db,
      sql`delete from scores where at < ${cut}::timestamptz`,
    ),
    detections: await count(
      db,
      sql`delete from detections where at < ${cut}::timestamptz`,
    ),
    alerts: await count(
      db,
      sql`delete from alert_outbox where sent_at is not null and sent_at < ${cut}::timestamptz`,
    ),
    sessions: await count(
      db,
      sql`delete from guard_sessions s where s.state = 'active'
        and s.last_seen < ${cut}::timestamptz
        and not exists (select 1 from feature_windows w where w.session = s.id)`,
    ),
    profiles: await count(
      db,
      sql`delete from user_profiles p where p.trained_at < ${cut}::timestamptz
        and not exists (select 1 from guard_sessions s
          where s.user_identity = p.user_identity and s.last_seen >= ${cut}::timestamptz)`,
    ),
  };
}
