import { sql } from "./_sql.ts";
import type { Driver, Row } from "./_sql.ts";
import type {
  Label,
  RevocationRow,
  SessionDetail,
  SessionIngestState,
  SessionRow,
  SessionState,
} from "./store.ts";

/** The NOTIFY channel of revocations; the payload is the session id. */
export const REVOCATION_CHANNEL = "guard_revocations";

const iso = (d: Date) => d.toISOString();

function toSession(r: Row): SessionRow {
  return {
    id: String(r.id),
    firstSeen: r.first_seen as Date,
    lastSeen: r.last_seen as Date,
    userIdentity: (r.user_identity as string | null) ?? null,
    state: r.state as SessionState,
    revokedReason: (r.revoked_reason as string | null) ?? null,
    label: (r.label as Label | null) ?? null,
  };
}

/** Creates the session or moves its last_seen forward. */
export async function touchSession(
  db: Driver,
  id: string,
  now = new Date(),
): Promise<void> {
  await db.run(sql`insert into guard_sessions (id, first_seen, last_seen)
    values (${id}, ${iso(now)}::timestamptz, ${iso(now)}::timestamptz)
    on conflict (id) do update
      set last_seen = greatest(guard_sessions.last_seen, excluded.last_seen)`);
}

/** Sets the user identity seen for a session. */
export async function setUserIdentity(
  db: Driver,
  id: string,
  identity: string | null,
): Promise<void> {
  await db.run(sql`insert into guard_sessions (id, user_identity)
    values (${id}, ${identity}::text)
    on conflict (id) do update set user_identity = excluded.user_identity`);
}

/** True when the session exists and is revoked. */
export async function isRevoked(db: Driver, id: string): Promise<boolean> {
  const rows = await db.run(
    sql`select state from guard_sessions where id = ${id}`,
  );
  return rows.length > 0 && rows[0].state === "revoked";
}

/** Revocation state and highest stored seq, in one round trip. */
export async function sessionIngestState(
  db: Driver,
  id: string,
): Promise<SessionIngestState> {
  const rows = await db.run(sql`select
    (select state from guard_sessions where id = ${id}::text) as state,
    (select max(seq) from feature_windows where session = ${id}::text) as last_seq`);
  const r = rows[0];
  return {
    revoked: r.state === "revoked",
    lastSeq: r.last_seq === null ? null : Number(r.last_seq),
  };
}

/** Revocations at or after `since`, oldest first. */
export async function listRevokedSince(
  db: Driver,
  since: Date,
): Promise<RevocationRow[]> {
  const rows = await db.run(
    sql`select session, at, reason, instance from revocations
    where at >= ${iso(since)}::timestamptz order by at, id`,
  );
  return rows.map((r) => ({
    session: String(r.session),
    at: r.at as Date,
    reason: String(r.reason),
    instance: String(r.instance),
  }));
}

/** Sets (or replaces) a session's label. */
export async function setLabel(
  db: Driver,
  session: string,
  label: Label,
  setBy: string,
): Promise<void> {
  await db.run(
    sql`insert into labels (session, label, set_by) values (${session}, ${label}, ${setBy})
    on conflict (session) do update
      set label = excluded.label, set_by = excluded.set_by, set_at = now()`,
  );
}

/** Most recently seen sessions first. */
export async function listSessions(
  db: Driver,
  options: { limit: number; state?: SessionState },
): Promise<SessionRow[]> {
  const state = options.state ?? null;
  const rows = await db.run(
    sql`select s.id, s.first_seen, s.last_seen, s.user_identity,
      s.state, s.revoked_reason, l.label
    from guard_sessions s left join labels l on l.session = s.id
    where (${state}::text is null or s.state = ${state}::text)
    order by s.last_seen desc, s.id limit ${options.limit}::int`,
  );
  return rows.map(toSession);
}

/** One session with its window count, scores and detections, or null. */
export async function getSession(
  db: Driver,
  id: string,
): Promise<SessionDetail | null> {
  const rows = await db.run(
    sql`select s.id, s.first_seen, s.last_seen, s.user_identity,
      s.state, s.revoked_reason, l.label,
      (select count(*)::int from feature_windows w where w.session = s.id) as window_count
    from guard_sessions s left join labels l on l.session = s.id where s.id = ${id}`,
  );
  if (rows.length === 0) return null;
  const scores = await db.run(
    sql`select session, seq, score, verdict, model_version, at
    from scores where session = ${id} order by at, seq`,
  );
  const detections = await db.run(sql`select session, at, verdict, explanation
    from detections where session = ${id} order by at, id`);
  return {
    ...toSession(rows[0]),
    windowCount: Number(rows[0].window_count),
    scores: scores.map((r) => ({
      session: String(r.session),
      seq: Number(r.seq),
      score: Number(r.score),
      verdict: String(r.verdict),
      modelVersion: String(r.model_version),
      at: r.at as Date,
    })),
    detections: detections.map((r) => ({
      session: String(r.session),
      at: r.at as Date,
      verdict: String(r.verdict),
      explanation: r.explanation,
    })),
  };
}
