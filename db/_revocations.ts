/**
 * Revocation that binds to what the site trusts: the digests of the auth cookie values seen on a
 * guard session, revoked with it and kept until their expiry, shared by every instance.
 *
 * Ordering: binding and revoking both start by upserting the session's `guard_sessions` row, which
 * takes its row lock, so they serialise per session. A value bound after the revocation committed
 * sees `state = 'revoked'` and is revoked at once; a revocation after a binding committed copies
 * it. No interleaving leaves a value of a revoked session unrevoked.
 */
import { pgArray, sql } from "./_sql.ts";
import type { Driver } from "./_sql.ts";
import type {
  BindResult,
  Credential,
  ReloginRisk,
  RevokeOptions,
  RevokeResult,
} from "./store.ts";
import { REVOCATION_CHANNEL } from "./_sessions.ts";

const iso = (d: Date) => d.toISOString();

function credentialArrays(credentials: readonly Credential[]) {
  return sql`select * from unnest(
    ${pgArray(credentials.map((c) => c.digest))}::text::text[],
    ${pgArray(credentials.map((c) => c.name))}::text::text[]
  ) as u(digest, cookie_name)`;
}

/**
 * Records that `credentials` were seen on `session` (at most `maxPerSession` per session), and
 * the session's client key when first known; revokes them at once when the session is revoked.
 */
export async function bindCredentials(
  db: Driver,
  session: string,
  credentials: readonly Credential[],
  options: { clientKey: string | null; maxPerSession: number; expiresAt: Date },
): Promise<BindResult> {
  return await db.begin(async (tx) => {
    const [row] = await tx.run(
      sql`insert into guard_sessions (id, client_key) values (${session}, ${options.clientKey}::text)
      on conflict (id) do update set
        client_key = coalesce(guard_sessions.client_key, excluded.client_key),
        last_seen = greatest(guard_sessions.last_seen, now())
      returning state`,
    );
    if (credentials.length === 0) return { revoked: row.state === "revoked" };
    await tx.run(
      sql`insert into session_credentials (session, digest, cookie_name)
      select ${session}::text, u.digest, u.cookie_name from (${
        credentialArrays(credentials)
      }) u
      where not exists (select 1 from session_credentials s
        where s.session = ${session}::text and s.digest = u.digest)
      limit greatest(0, ${options.maxPerSession}::int -
        (select count(*) from session_credentials s where s.session = ${session}::text))
      on conflict (session, digest) do nothing`,
    );
    if (row.state !== "revoked") return { revoked: false };
    await tx.run(
      sql`insert into revoked_credentials (digest, cookie_name, session, expires_at)
      select u.digest, u.cookie_name, ${session}::text, ${
        iso(options.expiresAt)
      }::timestamptz
      from (${credentialArrays(credentials)}) u
      on conflict (digest) do update set expires_at = greatest(
        revoked_credentials.expires_at, excluded.expires_at)`,
    );
    await tx.run(
      sql`select pg_notify(${REVOCATION_CHANNEL}, ${session}::text)`,
    );
    return { revoked: true };
  });
}

/**
 * Revokes a session with every credential bound to it (and `options.credentials`), logs the
 * revocation with the session's client key and user, and notifies listeners; one transaction.
 */
export async function revokeSession(
  db: Driver,
  id: string,
  reason: string,
  instance: string,
  options: RevokeOptions & { expiresAt: Date },
): Promise<RevokeResult> {
  const credentials = options.credentials ?? [];
  const expires = iso(options.expiresAt);
  return await db.begin(async (tx) => {
    const [row] = await tx.run(
      sql`insert into guard_sessions (id, state, revoked_reason, client_key)
      values (${id}, 'revoked', ${reason}, ${options.clientKey ?? null}::text)
      on conflict (id) do update set state = 'revoked',
        revoked_reason = excluded.revoked_reason,
        client_key = coalesce(guard_sessions.client_key, excluded.client_key)
      returning client_key, user_identity`,
    );
    if (credentials.length > 0) {
      await tx.run(
        sql`insert into session_credentials (session, digest, cookie_name)
        select ${id}::text, u.digest, u.cookie_name from (${
          credentialArrays(credentials)
        }) u
        on conflict (session, digest) do nothing`,
      );
    }
    const revoked = await tx.run(
      sql`insert into revoked_credentials (digest, cookie_name, session, expires_at)
      select digest, cookie_name, session, ${expires}::timestamptz
      from session_credentials where session = ${id}::text
      on conflict (digest) do update set expires_at = greatest(
        revoked_credentials.expires_at, excluded.expires_at)
      returning digest`,
    );
    await tx.run(sql`insert into revocations
      (session, reason, instance, client_key, user_identity, expires_at)
      values (${id}, ${reason}, ${instance}, ${row.client_key ?? null}::text,
        ${row.user_identity ?? null}::text, ${expires}::timestamptz)`);
    await tx.run(sql`select pg_notify(${REVOCATION_CHANNEL}, ${id}::text)`);
    return {
      clientKey: (row.client_key as string | null) ?? null,
      user: (row.user_identity as string | null) ?? null,
      credentials: revoked.length,
    };
  });
}

/** The digests among `digests` that are revoked and unexpired at `now`. */
export async function revokedAmong(
  db: Driver,
  digests: readonly string[],
  now = new Date(),
): Promise<string[]> {
  if (digests.length === 0) return [];
  const rows = await db.run(sql`select digest from revoked_credentials
    where digest = any(${pgArray(digests)}::text::text[])
      and expires_at > ${iso(now)}::timestamptz`);
  return rows.map((r) => String(r.digest));
}

/**
 * One page of revoked state, for a process's bounded filter: unexpired credential digests
 * (`kind: "credential"`) or revoked session ids (`"session"`) revoked at or after `since`, in key
 * order after `after` (keyset paging on the primary key / session index).
 */
export async function revokedKeysPage(
  db: Driver,
  options: {
    kind: "credential" | "session";
    since: Date;
    after: string;
    limit: number;
    now?: Date;
  },
): Promise<string[]> {
  const now = iso(options.now ?? new Date());
  const since = iso(options.since);
  const rows = options.kind === "credential"
    ? await db.run(sql`select digest as k from revoked_credentials
      where digest > ${options.after}::text and expires_at > ${now}::timestamptz
        and revoked_at >= ${since}::timestamptz
      order by digest limit ${options.limit}::int`)
    : await db.run(sql`select distinct session as k from revocations
      where session > ${options.after}::text and at >= ${since}::timestamptz
        and coalesce(expires_at, 'infinity'::timestamptz) > ${now}::timestamptz
      order by session limit ${options.limit}::int`);
  return rows.map((r) => String(r.k));
}

/**
 * Revocations of other sessions within `since` that share the client key or the user, the most
 * recent first: what a new session carries as prior risk.
 */
export async function reloginRisk(
  db: Driver,
  options: {
    session: string;
    clientKey: string | null;
    user: string | null;
    since: Date;
  },
): Promise<ReloginRisk> {
  const rows = await db.run(
    sql`select count(*)::int as n, max(at) as last from revocations
    where session <> ${options.session}::text and at >= ${
      iso(options.since)
    }::timestamptz
      and ((${options.clientKey}::text is not null and client_key = ${options.clientKey}::text)
        or (${options.user}::text is not null and user_identity = ${options.user}::text))`,
  );
  return {
    revocations: Number(rows[0].n),
    lastAt: (rows[0].last as Date | null) ?? null,
  };
}
