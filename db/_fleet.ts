/**
 * Shared state of a fleet of guard instances (migrations/005_fleet.ts): versioned per-session
 * state rows (compare and swap), the ingest token bucket and replay check, fixed-window counters,
 * failed admin credentials and the fleet's alert mail budget. Every write is one statement (the
 * mail budget one short transaction), so an instance never holds a lock across a round trip.
 */
import { pgArray, sql } from "./_sql.ts";
import type { Driver } from "./_sql.ts";
import type {
  CasResult,
  IngestClaim,
  IngestClaimBatch,
  IngestClaimInput,
  MailBudget,
  SessionStateKind,
  SessionStateSwap,
  SharedState,
} from "./store.ts";

/** A session's shared state of one kind, or null when none was written. */
export async function getSessionState(
  db: Driver,
  session: string,
  kind: SessionStateKind,
): Promise<SharedState | null> {
  const rows = await db.run(sql`select version, state from session_state
    where session = ${session}::text and kind = ${kind}::text`);
  return rows.length === 0 ? null : toShared(rows[0]);
}

function toShared(r: Record<string, unknown>): SharedState {
  const state = typeof r.state === "string" ? JSON.parse(r.state) : r.state;
  return { version: Number(r.version), state };
}

/**
 * Writes `state` as version `expected + 1` if the row is still at `expected` (0: no row yet).
 * Otherwise nothing is written and the current row comes back, for the caller to redo its step.
 */
export async function casSessionState(
  db: Driver,
  session: string,
  kind: SessionStateKind,
  expected: number,
  state: unknown,
): Promise<CasResult> {
  const [result] = await casSessionStates(db, [{
    session,
    kind,
    expected,
    state,
  }]);
  return result;
}

/**
 * Many rows' compare and swap in one statement, each exactly as {@link casSessionState} would
 * do it alone; the results in the order of `items`. Rows are locked in (session, kind) order, so
 * two instances' statements cannot deadlock.
 *
 * @throws {RangeError} when a (session, kind) appears twice (a statement updates a row once)
 */
export async function casSessionStates(
  db: Driver,
  items: readonly SessionStateSwap[],
): Promise<CasResult[]> {
  if (items.length === 0) return [];
  const keys = items.map((i) => `${i.kind}\u0000${i.session}`);
  if (new Set(keys).size !== keys.length) {
    throw new RangeError("Cannot swap session states: a row appears twice");
  }
  const rows = await db.run(sql`with i as (
    select * from unnest(
      ${pgArray(items.map((i) => i.session))}::text::text[],
      ${pgArray(items.map((i) => i.kind))}::text::text[],
      ${pgArray(items.map((i) => i.expected))}::text::int[],
      ${pgArray(items.map((i) => JSON.stringify(i.state)))}::text::text[]
    ) as u(session, kind, expected, state)
  ), u as (
    insert into session_state as s (session, kind, version, state)
    select session, kind, expected + 1, state::jsonb from i order by session, kind
    on conflict (session, kind) do update
      set version = s.version + 1, state = excluded.state, updated_at = now()
      where s.version = excluded.version - 1
    returning session, kind, version
  )
  select true as ok, session, kind, version, null::jsonb as state from u
  union all
  select false as ok, s.session, s.kind, s.version, s.state from session_state s
  join i on s.session = i.session and s.kind = i.kind
  where not exists (select 1 from u where u.session = i.session and u.kind = i.kind)`);
  const byKey = new Map(
    rows.map((r) => [`${r.kind}\u0000${r.session}`, r]),
  );
  return await Promise.all(items.map(async (item, n) => {
    const r = byKey.get(keys[n]);
    if (r === undefined) {
      // A concurrent first insert committed after this statement's snapshot: read it now.
      return {
        ok: false,
        current: await getSessionState(db, item.session, item.kind),
      };
    }
    return r.ok === true
      ? { ok: true, version: Number(r.version) }
      : { ok: false, current: toShared(r) };
  }));
}

/**
 * One ingest post against the session's shared token bucket (capacity `capacity`, refilled at
 * `perMs` tokens per ms) and its highest accepted seq, in one statement: a post with no token is
 * `rate` (its seq is not taken), one whose seq is not above the last accepted is `replay` (its
 * token is spent, as on one instance), else `ok` and its seq becomes the last accepted.
 */
export async function claimIngestPost(
  db: Driver,
  input: IngestClaimInput,
): Promise<IngestClaim> {
  const { capacity, perMs, ...post } = input;
  const [claim] = await claimIngestPosts(db, {
    capacity,
    perMs,
    posts: [post],
  });
  return claim;
}

/**
 * Many sessions' posts claimed in one statement (one multi-row upsert), each exactly as
 * {@link claimIngestPost} would claim it alone; the claims come back in the order of `posts`.
 * Rows are locked in session order, so two instances' batches cannot deadlock.
 *
 * @throws {RangeError} when a session appears twice (one statement can update a row only once)
 */
export async function claimIngestPosts(
  db: Driver,
  batch: IngestClaimBatch,
): Promise<IngestClaim[]> {
  const { posts, capacity, perMs } = batch;
  if (posts.length === 0) return [];
  const sessions = posts.map((p) => p.session);
  if (new Set(sessions).size !== sessions.length) {
    throw new RangeError("Cannot claim ingest posts: a session appears twice");
  }
  // `excluded` is the proposed row: its refilled_ms is the post's clock, its last_seq the seq.
  const refill = sql`least(${capacity}::float8, i.tokens
    + greatest(0, excluded.refilled_ms - i.refilled_ms) * ${perMs}::float8)`;
  const fresh = sql`(i.last_seq is null or excluded.last_seq > i.last_seq)`;
  const rows = await db.run(sql`insert into ingest_sessions as i
      (session, tokens, refilled_ms, last_seq, outcome)
    select session, ${capacity - 1}::float8, now_ms, seq, 'ok' from unnest(
      ${pgArray(sessions)}::text::text[],
      ${pgArray(posts.map((p) => p.seq))}::text::int[],
      ${pgArray(posts.map((p) => p.nowMs))}::text::float8[]
    ) as u(session, seq, now_ms) order by session
    on conflict (session) do update set
      tokens = ${refill} - case when ${refill} >= 1 then 1 else 0 end,
      refilled_ms = greatest(i.refilled_ms, excluded.refilled_ms),
      outcome = case when ${refill} < 1 then 'rate'
        when not ${fresh} then 'replay' else 'ok' end,
      last_seq = case when ${refill} >= 1 and ${fresh} then excluded.last_seq
        else i.last_seq end,
      updated_at = now()
    returning session, tokens, last_seq, outcome`);
  const bySession = new Map(rows.map((r) => [String(r.session), r]));
  return sessions.map((session) => {
    const r = bySession.get(session)!;
    return {
      outcome: r.outcome as IngestClaim["outcome"],
      tokens: Number(r.tokens),
      lastSeq: r.last_seq === null ? null : Number(r.last_seq),
    };
  });
}

/**
 * Counts one hit of `key` in fixed windows of `windowMs` (a window starts at the first hit after
 * the last one ended, as the in-memory limiter did); returns the hits of the current window.
 */
export async function hitRateWindow(
  db: Driver,
  key: string,
  windowMs: number,
  nowMs: number,
): Promise<number> {
  const over = sql`${nowMs}::float8 - r.start_ms >= ${windowMs}::float8`;
  const rows = await db.run(sql`insert into rate_windows as r (key, start_ms, n)
    values (${key}::text, ${nowMs}::float8, 1)
    on conflict (key) do update set
      n = case when ${over} then 1 else r.n + 1 end,
      start_ms = case when ${over} then ${nowMs}::float8 else r.start_ms end,
      updated_at = now()
    returning n`);
  return Number(rows[0].n);
}

/** Records a failed credential of `client` at `atMs`, dropping its failures older than `windowMs`. */
export async function recordAuthFailure(
  db: Driver,
  client: string,
  atMs: number,
  windowMs: number,
): Promise<void> {
  await db.run(sql`with d as (delete from auth_failures
      where client = ${client}::text and at_ms <= ${atMs - windowMs}::float8)
    insert into auth_failures (client, at_ms) values (${client}::text, ${atMs}::float8)`);
}

/** The times (ms) of the newest `limit` failures of `client` after `sinceMs`, oldest first. */
export async function recentAuthFailures(
  db: Driver,
  client: string,
  sinceMs: number,
  limit: number,
): Promise<number[]> {
  const rows = await db.run(sql`select at_ms from auth_failures
    where client = ${client}::text and at_ms > ${sinceMs}::float8
    order by at_ms desc limit ${limit}::int`);
  return rows.map((r) => Number(r.at_ms)).reverse();
}

const HOUR_MS = 3_600_000;

/**
 * Reserves emails from the fleet's hourly budget for `wanted` due alerts: all of them one by one
 * when the budget allows, else one digest, else none (and when the oldest send of the hour ages
 * out). Serialised by an advisory lock, so two instances never both spend the last email.
 */
export async function reserveAlertMails(
  db: Driver,
  input: { maxPerHour: number; wanted: number; now: Date },
): Promise<MailBudget> {
  const now = input.now.toISOString();
  return await db.begin(async (tx) => {
    await tx.run(
      sql`select pg_advisory_xact_lock(hashtext('guard_alert_mail'))`,
    );
    const [r] = await tx.run(sql`select count(*)::int as n, min(at) as oldest
      from alert_mail_log where at > ${now}::timestamptz - interval '1 hour'`);
    const budget = input.maxPerHour - Number(r.n);
    if (budget <= 0) {
      const oldest = new Date(r.oldest as Date).getTime();
      return { emails: 0, retryAt: new Date(oldest + HOUR_MS) };
    }
    const emails = input.wanted <= budget ? input.wanted : 1;
    await tx.run(sql`insert into alert_mail_log (at, alerts)
      select ${now}::timestamptz, ${input.wanted}::int from generate_series(1, ${emails}::int)`);
    return { emails, retryAt: null };
  });
}

/** Gives back `emails` reserved at `at` whose send failed (a failed send spends no budget). */
export async function releaseAlertMails(
  db: Driver,
  at: Date,
  emails: number,
): Promise<void> {
  await db.run(
    sql`delete from alert_mail_log where id in (select id from alert_mail_log
    where at = ${at.toISOString()}::timestamptz order by id desc limit ${emails}::int)`,
  );
}
