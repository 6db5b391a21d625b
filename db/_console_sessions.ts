/**
 * The console's session list and label outcomes. Private to db/.
 */
import { type Query, sql } from "./_sql.ts";
import type { Driver, Row } from "./_sql.ts";
import type {
  ConsoleSessionRow,
  ConsoleVerdict,
  LabelOutcome,
  SessionSearch,
} from "./console.ts";
import type { Label, SessionState } from "./store.ts";

/** The console verdict of the session whose id is `id` (see {@link ConsoleVerdict}). */
export function verdictOf(id: Query): Query {
  const has = (verdict: string) =>
    sql`exists (select 1 from detections d
      where d.session = ${id} and d.verdict = ${verdict}::text)`;
  return sql`case when ${has("bot")} then 'bot'
    when ${has("unauthorized")} then 'unauthorized'
    when ${has("unverified")} then 'unverified'
    when exists (select 1 from scores c where c.session = ${id}) then 'human'
    else 'pending' end`;
}

function toRow(r: Row): ConsoleSessionRow {
  return {
    id: String(r.id),
    firstSeen: r.first_seen as Date,
    lastSeen: r.last_seen as Date,
    userIdentity: (r.user_identity as string | null) ?? null,
    state: r.state as SessionState,
    revokedReason: (r.revoked_reason as string | null) ?? null,
    label: (r.label as Label | null) ?? null,
    verdict: r.verdict as ConsoleVerdict,
    windows: Number(r.windows),
    maxScore: r.max_score === null ? null : Number(r.max_score),
    pages: Number(r.pages),
    cursor: String(r.cursor),
  };
}

/** Sessions matching every given filter, last seen first, one keyset page. */
export async function searchSessions(
  db: Driver,
  s: SessionSearch,
): Promise<ConsoleSessionRow[]> {
  const label = s.label ?? null;
  const user = s.user ?? null;
  const from = s.from?.toISOString() ?? null;
  const to = s.to?.toISOString() ?? null;
  const cursor = s.after?.cursor ?? null;
  const afterId = s.after?.id ?? "";
  const rows = await db.run(sql`select * from (
    select s.id, s.first_seen, s.last_seen, s.user_identity, s.state,
      s.revoked_reason, l.label, s.last_seen::text as cursor,
      ${verdictOf(sql`s.id`)} as verdict,
      (select count(*)::int from feature_windows w where w.session = s.id) as windows,
      (select max(c.score) from scores c where c.session = s.id
        and c.model_version not like 'owner:%') as max_score,
      (select coalesce(sum(p.hits), 0)::int from page_views p where p.session = s.id) as pages
    from guard_sessions s left join labels l on l.session = s.id
    where (${label}::text is null or l.label = ${label}::text
        or (${label}::text = 'none' and l.label is null))
      and (${user}::text is null or s.user_identity = ${user}::text)
      and (${from}::timestamptz is null or s.last_seen >= ${from}::timestamptz)
      and (${to}::timestamptz is null or s.first_seen < ${to}::timestamptz)
      and (${cursor}::timestamptz is null
        or (s.last_seen, s.id) < (${cursor}::timestamptz, ${afterId}::text))
  ) x where (${s.verdict ?? null}::text is null or x.verdict = ${
    s.verdict ?? null
  }::text)
  order by x.last_seen desc, x.id desc limit ${s.limit}::int`);
  return rows.map(toRow);
}

/** Per label: sessions, how many have any detection, and detections per verdict. */
export async function labelOutcomes(db: Driver): Promise<LabelOutcome[]> {
  const rows = await db.run(sql`select l.label,
      count(*)::int as sessions,
      count(*) filter (where exists (select 1 from detections d
        where d.session = l.session))::int as flagged,
      count(*) filter (where v.verdict = 'bot')::int as bot,
      count(*) filter (where v.verdict = 'unauthorized')::int as unauthorized,
      count(*) filter (where v.verdict = 'unverified')::int as unverified
    from labels l cross join lateral (select ${
    verdictOf(sql`l.session`)
  } as verdict) v
    group by l.label order by l.label`);
  return rows.map((r) => ({
    label: r.label as Label,
    sessions: Number(r.sessions),
    flagged: Number(r.flagged),
    byVerdict: {
      bot: Number(r.bot),
      unauthorized: Number(r.unauthorized),
      unverified: Number(r.unverified),
    },
  }));
}
