/**
 * The console overview's aggregates. Private to db/. Each is bounded by `since` (or the outbox's
 * own bound, ALERT_OUTBOX_MAX) and returns a handful of rows.
 */
import { sql } from "./_sql.ts";
import type { Driver } from "./_sql.ts";
import { verdictOf } from "./_console_sessions.ts";
import type {
  ConsoleVerdict,
  FlaggedTop,
  MonitorImpact,
  OutboxHealth,
  ScoreHistogram,
  TrafficBucket,
} from "./console.ts";

const iso = (d: Date) => d.toISOString();

/** Sessions, page loads and windows per time bucket and session verdict. */
export async function traffic(
  db: Driver,
  since: Date,
  unit: "hour" | "day",
): Promise<TrafficBucket[]> {
  const rows = await db.run(sql`with act as (
      select session, date_trunc(${unit}::text, hour) as b, hits as pages, 0 as windows
      from page_views where hour >= date_trunc('hour', ${
    iso(since)
  }::timestamptz)
      union all
      select session, date_trunc(${unit}::text, received_at), 0, 1
      from feature_windows where received_at >= ${iso(since)}::timestamptz
    ), v as (
      select x.session, ${verdictOf(sql`x.session`)} as verdict
      from (select distinct session from act) x
    )
    select a.b as at, v.verdict, count(distinct a.session)::int as sessions,
      sum(a.pages)::int as pages, sum(a.windows)::int as windows
    from act a join v on v.session = a.session
    group by a.b, v.verdict order by a.b, v.verdict`);
  return rows.map((r) => ({
    at: r.at as Date,
    verdict: r.verdict as ConsoleVerdict,
    sessions: Number(r.sessions),
    pages: Number(r.pages),
    windows: Number(r.windows),
  }));
}

/** Bot-model window scores since `since` in `bins` bins, per session label. */
export async function scoreHistogram(
  db: Driver,
  since: Date,
  bins: number,
): Promise<ScoreHistogram> {
  const rows = await db.run(sql`select
      least(floor(c.score * ${bins}::int)::int, ${bins - 1}::int) as bin,
      coalesce(l.label, 'unlabelled') as label, count(*)::int as n
    from scores c left join labels l on l.session = c.session
    where c.at >= ${
    iso(since)
  }::timestamptz and c.model_version not like 'owner:%'
    group by 1, 2 order by 2, 1`);
  const counts: Record<string, number[]> = {};
  for (const r of rows) {
    const label = String(r.label);
    counts[label] ??= Array(bins).fill(0);
    counts[label][Math.max(0, Number(r.bin))] += Number(r.n);
  }
  return { bins, counts };
}

/** Monitor-mode detections whose action was held back (`none (monitor mode)`), per verdict. */
export async function monitorImpact(
  db: Driver,
  since: Date,
): Promise<MonitorImpact[]> {
  const rows = await db.run(sql`with d as (
      select distinct on (session, verdict) session, verdict, at,
        explanation->>'loggedIn' = 'true' as logged_in
      from detections
      where at >= ${iso(since)}::timestamptz
        and explanation->>'action' = 'none (monitor mode)'
      order by session, verdict, at
    )
    select d.verdict, count(*)::int as sessions,
      count(*) filter (where d.logged_in)::int as logged_in,
      count(*) filter (where l.label = 'human')::int as labelled_human,
      coalesce(sum((select count(*) from feature_windows w
        where w.session = d.session and w.received_at > d.at)), 0)::int as windows_after,
      coalesce(sum((select sum(p.hits) from page_views p
        where p.session = d.session and p.last_at > d.at)), 0)::int as pages_after
    from d left join labels l on l.session = d.session
    group by d.verdict order by d.verdict`);
  return rows.map((r) => ({
    verdict: String(r.verdict),
    sessions: Number(r.sessions),
    loggedIn: Number(r.logged_in),
    labelledHuman: Number(r.labelled_human),
    windowsAfter: Number(r.windows_after),
    pagesAfter: Number(r.pages_after),
  }));
}

/** The paths or client prefixes of sessions with a detection, most sessions first. */
export async function topFlagged(
  db: Driver,
  since: Date,
  by: "path" | "client",
  limit: number,
): Promise<FlaggedTop[]> {
  const key = by === "path" ? sql`p.path` : sql`p.client`;
  const rows = await db.run(sql`select ${key} as key,
      count(distinct p.session)::int as sessions, sum(p.hits)::int as hits
    from page_views p
    where p.hour >= date_trunc('hour', ${iso(since)}::timestamptz)
      and exists (select 1 from detections d where d.session = p.session)
    group by 1 order by 2 desc, 3 desc, 1 limit ${limit}::int`);
  return rows.map((r) => ({
    key: String(r.key),
    sessions: Number(r.sessions),
    hits: Number(r.hits),
  }));
}

/** Per channel: unsent, failing, sent in the last day, the oldest unsent, the last error. */
export async function outboxHealth(
  db: Driver,
  now = new Date(),
): Promise<OutboxHealth[]> {
  const day = iso(new Date(now.getTime() - 86_400_000));
  const rows = await db.run(sql`select o.channel,
      count(*) filter (where o.sent_at is null)::int as unsent,
      count(*) filter (where o.sent_at is null and o.attempts > 0)::int as failing,
      count(*) filter (where o.sent_at >= ${day}::timestamptz)::int as sent_day,
      min(o.created_at) filter (where o.sent_at is null) as oldest_unsent,
      coalesce(max(o.attempts) filter (where o.sent_at is null), 0)::int as max_attempts,
      (select e.last_error from alert_outbox e
        where e.channel = o.channel and e.sent_at is null and e.last_error is not null
        order by e.next_attempt_at desc, e.id desc limit 1) as last_error
    from alert_outbox o group by o.channel order by o.channel`);
  return rows.map((r) => ({
    channel: String(r.channel),
    unsent: Number(r.unsent),
    failing: Number(r.failing),
    sentLastDay: Number(r.sent_day),
    oldestUnsent: (r.oldest_unsent as Date | null) ?? null,
    maxAttempts: Number(r.max_attempts),
    lastError: (r.last_error as string | null) ?? null,
  }));
}
