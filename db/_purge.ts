/**
 * Retention: what is deleted when. Private to db/; the schedule is db/retention.ts.
 *
 * - raw events: received before `rawOlderThan` (RAW_RETENTION_HOURS);
 * - before `windowsOlderThan` (WINDOW_RETENTION_DAYS): feature windows, and what was derived from
 *   them: scores, detections, page views, alerts already sent, sessions neither revoked nor seen since and
 *   left without a window, and user profiles trained before it whose user has not been seen since.
 *
 * - at `revocationsExpiredAt` (now; each revocation expires REVOCATION_TTL_MS after it was made):
 *   expired revoked credential digests and revocation log rows, and revoked sessions idle since
 *   the window cut-off with no window left; credential bindings first seen before
 *   `bindingsOlderThan` (a binding older than the revocation TTL could only revoke values the
 *   site has long expired);
 * - unsent alerts older than the window cut-off (the detection they describe is gone), and the
 *   oldest unsent alerts beyond `maxUnsentAlerts` (a flood from many sources cannot grow the
 *   outbox without bound; one source's flood is one incident row already);
 * - fleet state (db/_fleet.ts): session state and ingest rows idle since the window cut-off;
 *   rate windows, failed credentials and the mail log after an hour (their windows are shorter).
 *
 * Kept: labels (an admin's judgement, no behaviour).
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
  const cut = options.windowsOlderThan.toISOString();
  const behaviour = await purgeBehaviour(db, options);
  const expired = (options.revocationsExpiredAt ?? new Date()).toISOString();
  const bindCut = options.bindingsOlderThan?.toISOString() ?? null;
  return {
    ...behaviour,
    revocations: await count(
      db,
      sql`delete from revocations where expires_at < ${expired}::timestamptz`,
    ) + await count(
      db,
      sql`delete from guard_sessions s where s.state = 'revoked'
        and s.last_seen < ${cut}::timestamptz
        and not exists (select 1 from feature_windows w where w.session = s.id)
        and not exists (select 1 from revocations r where r.session = s.id)`,
    ),
    credentials: await count(
      db,
      sql`delete from revoked_credentials where expires_at < ${expired}::timestamptz`,
    ),
    bindings: await count(
      db,
      sql`delete from session_credentials
        where ${bindCut}::timestamptz is not null and first_seen < ${bindCut}::timestamptz`,
    ),
    shared: await purgeShared(db, cut),
    unsentAlerts: await count(
      db,
      sql`delete from alert_outbox where sent_at is null and created_at < ${cut}::timestamptz`,
    ) + await count(
      db,
      sql`delete from alert_outbox where id in (select id from alert_outbox
        where sent_at is null order by created_at desc, id desc
        offset ${options.maxUnsentAlerts ?? null}::int)
        and ${options.maxUnsentAlerts ?? null}::int is not null`,
    ),
  };
}

async function purgeBehaviour(db: Driver, options: PurgeOptions) {
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
    pageViews: await count(
      db,
      sql`delete from page_views where hour < date_trunc('hour', ${cut}::timestamptz)`,
    ),
    profiles: await count(
      db,
      sql`delete from user_profiles p where p.trained_at < ${cut}::timestamptz
        and not exists (select 1 from guard_sessions s
          where s.user_identity = p.user_identity and s.last_seen >= ${cut}::timestamptz)`,
    ),
  };
}

/** Fleet state (db/_fleet.ts): idle session rows at the window cut-off, counters after an hour. */
async function purgeShared(db: Driver, cut: string): Promise<number> {
  const hourAgo = new Date(Date.now() - 3_600_000);
  return await count(
    db,
    sql`delete from session_state where updated_at < ${cut}::timestamptz`,
  ) + await count(
    db,
    sql`delete from ingest_sessions where updated_at < ${cut}::timestamptz`,
  ) + await count(
    db,
    sql`delete from rate_windows where updated_at < ${hourAgo.toISOString()}::timestamptz`,
  ) + await count(
    db,
    sql`delete from auth_failures where at_ms < ${hourAgo.getTime()}::float8`,
  ) + await count(
    db,
    sql`delete from alert_mail_log where at < ${hourAgo.toISOString()}::timestamptz`,
  );
}
