/**
 * User profiles and the windows they are trained on. Private to db/.
 *
 * A "clean" window belongs to a session that carries the identity, was never revoked, has no
 * detection, and is not labelled bot or unauthorized: what a profile may learn as its owner.
 */

import { sql } from "./_sql.ts";
import type { Driver, Query } from "./_sql.ts";
import { readWindowVector } from "./_windows.ts";
import type {
  ForgetResult,
  ProfileCandidate,
  ProfileRow,
  ProfileWindow,
  ProfileWindowOptions,
} from "./store.ts";

const iso = (d: Date) => d.toISOString();

/** Inserts or replaces the profile of an identity. */
export async function saveProfile(db: Driver, p: ProfileRow): Promise<void> {
  await db.run(sql`insert into user_profiles
      (user_identity, model, version, owner_windows, calibration, calibration_spread,
        trained_at)
    values (${p.identity}, ${p.model}, ${p.version}, ${p.ownerWindows},
      ${p.calibration}, ${p.spread ?? null}, ${iso(p.trainedAt)}::timestamptz)
    on conflict (user_identity) do update set model = excluded.model,
      version = excluded.version, owner_windows = excluded.owner_windows,
      calibration = excluded.calibration,
      calibration_spread = excluded.calibration_spread, trained_at = excluded.trained_at`);
}

/** The profile of an identity, or null. */
export async function getProfile(
  db: Driver,
  identity: string,
): Promise<ProfileRow | null> {
  const rows = await db.run(sql`select user_identity, model, version,
    owner_windows, calibration, calibration_spread, trained_at from user_profiles where user_identity = ${identity}`);
  if (rows.length === 0) return null;
  const r = rows[0];
  return {
    identity: String(r.user_identity),
    model: String(r.model),
    version: String(r.version),
    ownerWindows: Number(r.owner_windows),
    calibration: Number(r.calibration),
    ...(r.calibration_spread === null || r.calibration_spread === undefined
      ? {}
      : { spread: Number(r.calibration_spread) }),
    trainedAt: new Date(r.trained_at as string | Date),
  };
}

/**
 * Clean windows (see the module doc), joined with their session's identity, received at or after
 * `since` when given.
 */
function cleanWindows(where: Query, since?: Date): Query {
  const from = since?.toISOString() ?? null;
  return sql`select w.*, s.user_identity from feature_windows w
    join guard_sessions s on s.id = w.session
    left join labels l on l.session = w.session
    where s.user_identity is not null and s.state = 'active'
      and (l.label is null or l.label = 'human')
      and not exists (select 1 from detections d where d.session = w.session)
      and (${from}::timestamptz is null or w.received_at >= ${from}::timestamptz)
      and ${where}`;
}

/** Identities with at least `minWindows` clean windows, most windows first. */
export async function profileCandidates(
  db: Driver,
  minWindows: number,
  options: ProfileWindowOptions = {},
): Promise<ProfileCandidate[]> {
  const rows = await db.run(sql`select user_identity, count(*)::int as n
    from (${cleanWindows(sql`true`, options.since)}) c group by user_identity
    having count(*) >= ${minWindows} order by n desc, user_identity`);
  return rows.map((r) => ({
    identity: String(r.user_identity),
    windows: Number(r.n),
  }));
}

/**
 * Clean windows of `identity` (owner) or of every other identity (others), at most `limit`,
 * newest first for the owner; for others a fixed pseudo-random order (md5 of session and seq), so
 * a sample is reproducible.
 */
export async function profileWindows(
  db: Driver,
  identity: string,
  side: "owner" | "others",
  limit: number,
  options: ProfileWindowOptions = {},
): Promise<ProfileWindow[]> {
  const { since } = options;
  const rows = side === "owner"
    ? await db.run(
      sql`${
        cleanWindows(sql`s.user_identity = ${identity}`, since)
      } order by w.received_at desc, w.session, w.seq limit ${limit}`,
    )
    : await db.run(
      sql`${
        cleanWindows(sql`s.user_identity <> ${identity}`, since)
      } order by md5(w.session || ':' || w.seq), w.session, w.seq limit ${limit}`,
    );
  return rows.map(readWindowVector);
}

/**
 * Forgets a user (GDPR art. 17): in one transaction, deletes the windows, scores and raw events of
 * every session carrying the identity and the identity's profile, then sets those sessions'
 * identity to null. Sessions, detections, labels and revocations stay (the operator's record).
 */
export async function forgetUser(
  db: Driver,
  identity: string,
): Promise<ForgetResult> {
  return await db.begin(async (tx) => {
    const theirs =
      sql`select id from guard_sessions where user_identity = ${identity}`;
    const count = async (deletion: Query) =>
      Number(
        (await tx.run(
          sql`with d as (${deletion} returning 1) select count(*)::int as n from d`,
        ))[0].n,
      );
    const windows = await count(
      sql`delete from feature_windows where session in (${theirs})`,
    );
    const scores = await count(
      sql`delete from scores where session in (${theirs})`,
    );
    const rawEvents = await count(
      sql`delete from raw_events where session in (${theirs})`,
    );
    const profiles = await count(
      sql`delete from user_profiles where user_identity = ${identity}`,
    );
    const sessions = await count(
      sql`update guard_sessions set user_identity = null where user_identity = ${identity}`,
    );
    return { sessions, windows, scores, rawEvents, profiles };
  });
}
