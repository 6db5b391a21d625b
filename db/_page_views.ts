/**
 * Page views of guard sessions (migrations/004_page_views.ts). Private to db/.
 *
 * One row per session, hour, path and client prefix, with a load count: a session that reloads a
 * page all day is 24 rows at most, and no session grows past `maxRows` rows (rows beyond it are
 * dropped; an insert checks the count first, so one batch may pass it by its own size). A page
 * view creates its session's row, or moves its last_seen forward, as a window does: a session
 * that only loads pages (curl, a crawler) is listed too.
 */
import { pgArray, sql } from "./_sql.ts";
import type { Driver } from "./_sql.ts";
import type { PageView, SessionPage } from "./console.ts";

/** Longest stored path; longer ones are cut. */
export const MAX_PATH = 256;

/** The path without query or fragment, cut to {@link MAX_PATH}. */
export function cleanPath(path: string): string {
  return path.replace(/[?#].*$/s, "").slice(0, MAX_PATH) || "/";
}

/** Adds page views (see the module doc); returns the rows inserted or updated. */
export async function recordPageViews(
  db: Driver,
  views: readonly PageView[],
  maxRows = 200,
): Promise<number> {
  if (views.length === 0) return 0;
  const now = new Date().toISOString();
  const rows = await db.run(sql`with u as (
    select session, date_trunc('hour', at) as hour, path, client,
      sum(hits)::int as hits, max(at) as last_at
    from unnest(
      ${pgArray(views.map((v) => v.session))}::text::text[],
      ${pgArray(views.map((v) => cleanPath(v.path)))}::text::text[],
      ${pgArray(views.map((v) => v.client.slice(0, 64)))}::text::text[],
      ${pgArray(views.map((v) => v.hits ?? 1))}::text::int[],
      ${
    pgArray(views.map((v) => v.at?.toISOString() ?? now))
  }::text::timestamptz[]
    ) as v(session, path, client, hits, at)
    group by 1, 2, 3, 4
  ), w as (
    insert into page_views (session, hour, path, client, hits, last_at)
    select session, hour, path, client, hits, last_at from u
    where (select count(*) from page_views p where p.session = u.session) < ${maxRows}::int
    order by session, hour, path, client
    on conflict (session, hour, path, client) do update
      set hits = page_views.hits + excluded.hits,
        last_at = greatest(page_views.last_at, excluded.last_at)
    returning session, last_at
  ), s as (
    insert into guard_sessions (id, first_seen, last_seen)
    select session, min(last_at), max(last_at) from w group by session order by session
    on conflict (id) do update
      set last_seen = greatest(guard_sessions.last_seen, excluded.last_seen)
  ) select count(*)::int as n from w`);
  return Number(rows[0].n);
}

/** A session's pages, first loaded first. */
export async function sessionPages(
  db: Driver,
  session: string,
  limit = 200,
): Promise<SessionPage[]> {
  const rows = await db.run(sql`select path, client, sum(hits)::int as hits,
      min(hour) as first_hour, max(last_at) as last_at
    from page_views where session = ${session}
    group by path, client order by min(hour), path, client limit ${limit}::int`);
  return rows.map((r) => ({
    path: String(r.path),
    client: String(r.client),
    hits: Number(r.hits),
    firstHour: r.first_hour as Date,
    lastAt: r.last_at as Date,
  }));
}
