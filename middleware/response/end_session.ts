/**
 * Ending a revoked session at the site too, so the old `session` value is dead even sent straight
 * to the upstream:
 *
 * - UPSTREAM_LOGOUT (`POST /logout`): the guard calls that method and path on the upstream with
 *   the revoked session's auth cookies, as the browser would when its user clicks "log out"
 *   (header `X-Guard-Logout: 1` says who calls). Made at once, up to 3 attempts (0.2 s, 1 s
 *   apart); the values exist only in memory (the store holds digests), so this is not queued in
 *   the store: an instance that later sees a revoked value arrive calls it again with that value.
 * - REVOKE_WEBHOOK_URL: a signed JSON notice through the durable outbox (alert/webhook.ts sends
 *   and retries it), for sites that end sessions by their own means.
 *
 * @module
 */
import type { Store } from "../../db/mod.ts";
import { log } from "../../log.ts";
import { type SeenCredential, sha256Hex } from "./credentials.ts";

/** A parsed UPSTREAM_LOGOUT. */
export interface UpstreamLogout {
  method: string;
  path: string;
}

/** Parses `METHOD /path` (UPSTREAM_LOGOUT). */
export function parseUpstreamLogout(text: string): UpstreamLogout {
  const match = /^(GET|POST|PUT|PATCH|DELETE) (\/\S*)$/.exec(text.trim());
  if (match === null) {
    throw new SyntaxError(
      `Cannot parse UPSTREAM_LOGOUT "${text}": expected a method and a path, like "POST /logout"`,
    );
  }
  return { method: match[1], path: match[2] };
}

/** The webhook notice's JSON body (documented in the README). */
export interface RevocationNotice {
  /** The guard session id. */
  session: string;
  /** USER_HEADER's user of the session, or null. */
  user: string | null;
  reason: string;
  /** ISO time of the revocation. */
  time: string;
  /** The auth cookies seen with the session: name and hex SHA-256 of the value. */
  cookies: { name: string; sha256: string }[];
}

/** Options of {@link createSessionEnder}. */
export interface SessionEnderOptions {
  /** The upstream base URL (UPSTREAM_URL or the demo's). */
  upstream?: string;
  logout?: UpstreamLogout;
  /** Enqueue webhook notices (REVOKE_WEBHOOK_URL is set). */
  webhook: boolean;
  store: Pick<Store, "enqueueAlert">;
  /** Timeout of one logout call (default 5 s). */
  timeoutMs?: number;
}

/** What happens after a revocation. */
export interface SessionEnder {
  /** Logs the values out at the site and enqueues the notice; never throws. */
  ended(
    notice: Omit<RevocationNotice, "cookies">,
    values: readonly SeenCredential[],
  ): Promise<void>;
  /** Logs values out at the site (a revoked value seen again); never throws. */
  logoutAtSite(values: readonly SeenCredential[]): Promise<void>;
}

/** Builds the session ender. */
export function createSessionEnder(
  options: SessionEnderOptions,
): SessionEnder {
  async function logoutAtSite(values: readonly SeenCredential[]) {
    const { upstream, logout } = options;
    if (!upstream || !logout || values.length === 0) return;
    const url = new URL(logout.path, upstream);
    const cookie = values.map((v) => `${v.name}=${v.value}`).join("; ");
    for (const delay of [0, 200, 1000]) {
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      try {
        const res = await fetch(url, {
          method: logout.method,
          headers: { cookie, "x-guard-logout": "1" },
          redirect: "manual",
          signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
        });
        await res.body?.cancel();
        if (res.status < 500) return;
        log("warn", "upstream logout answered", { status: res.status });
      } catch (error) {
        log("warn", "upstream logout failed", { error });
      }
    }
  }
  return {
    logoutAtSite,
    async ended(notice, values) {
      await logoutAtSite(values);
      if (!options.webhook) return;
      try {
        const cookies = await Promise.all(
          values.map(async (v) => ({
            name: v.name,
            sha256: await sha256Hex(v.value),
          })),
        );
        const body: RevocationNotice = { ...notice, cookies };
        await options.store.enqueueAlert({
          session: notice.session,
          kind: "revocation",
          channel: "webhook",
          payload: body,
          dedupeKey: `webhook:${notice.session}`,
        });
      } catch (error) {
        log("error", "Cannot enqueue the revocation webhook", {
          session: notice.session,
          error,
        });
      }
    },
  };
}
