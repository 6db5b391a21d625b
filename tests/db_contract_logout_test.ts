/**
 * The store's side of issue 14 on both backends: credential bindings and revocation (in either
 * order), re-login risk, per-source incidents in the outbox, and retention of what expires.
 */
import assert from "node:assert/strict";
import { purgeExpired } from "../db/mod.ts";
import { backends, withStore } from "./db_helpers.ts";

const DAY = 86_400_000;
const cred = (d: string) => ({ digest: d, name: "session" });
const bindOptions = (clientKey: string | null = null) => ({
  clientKey,
  maxPerSession: 3,
  expiresAt: new Date(Date.now() + DAY),
});

for (const backend of backends()) {
  Deno.test({
    name:
      `Store (${backend.name}) revokeSession() revokes every credential bound before it, bindCredentials() those bound after it`,
    ignore: backend.ignore,
    fn: () =>
      withStore(backend.name, async (store) => {
        await store.bindCredentials(
          "s1",
          [cred("a"), cred("b")],
          bindOptions("k1"),
        );
        await store.bindCredentials("s2", [cred("a")], bindOptions("k1"));
        // At most maxPerSession (3) values per session.
        await store.bindCredentials(
          "s1",
          [cred("c"), cred("d")],
          bindOptions(),
        );
        const result = await store.revokeSession("s1", "bot", "i1", {
          credentials: [cred("e")],
        });
        assert.deepEqual(result, {
          clientKey: "k1",
          user: null,
          credentials: 4,
        });
        assert.deepEqual(
          (await store.revokedAmong(["a", "b", "c", "d", "e", "x"])).sort(),
          ["a", "b", "c", "e"],
        );
        assert.deepEqual(
          await store.bindCredentials("s1", [cred("late")], bindOptions()),
          { revoked: true },
        );
        assert.deepEqual(await store.revokedAmong(["late"]), ["late"]);
        assert.deepEqual(
          await store.revokedAmong(["a"], new Date(Date.now() + 31 * DAY)),
          [],
          "expired after the TTL",
        );
        const since = new Date(Date.now() - DAY);
        const page = (kind: "credential" | "session", after: string) =>
          store.revokedKeysPage({ kind, since, after, limit: 2 });
        assert.deepEqual(await page("credential", ""), ["a", "b"]);
        assert.deepEqual(await page("credential", "b"), ["c", "e"]);
        assert.deepEqual(await page("credential", "e"), ["late"]);
        assert.deepEqual(await page("session", ""), ["s1"]);
        assert.deepEqual(
          await store.reloginRisk({
            session: "s3",
            clientKey: "k1",
            user: null,
            since,
          }).then((r) => r.revocations),
          1,
        );
        assert.deepEqual(
          await store.reloginRisk({
            session: "s3",
            clientKey: "k2",
            user: "u",
            since,
          }),
          { revocations: 0, lastAt: null },
        );
      }),
  });

  Deno.test({
    name:
      `Store (${backend.name}) enqueueAlert() merges a source's later alerts into one incident until it is claimed`,
    ignore: backend.ignore,
    fn: () =>
      withStore(backend.name, async (store) => {
        const alert = (session: string, kind = "detection") => ({
          session,
          kind,
          payload: { n: session },
          dedupeKey: `${kind}:${session}`,
          source: "10.0.0.0/24|ua:1",
          incidentMs: 60_000,
        });
        for (let i = 0; i < 25; i++) {
          assert.equal(await store.enqueueAlert(alert(`s${i}`)), true);
        }
        await store.enqueueAlert(alert("u1", "unverified"));
        const now = new Date();
        const first = await store.claimDueAlerts(100, now);
        assert.deepEqual(first.map((a) => a.session), ["s0"]);
        await store.markAlertSent(first[0].id);
        const later = await store.claimDueAlerts(
          100,
          new Date(now.getTime() + 61_000),
        );
        assert.equal(later.length, 1);
        await store.markAlertSent(later[0].id);
        const p = later[0].payload as Record<string, unknown>;
        assert.deepEqual(
          [later[0].kind, p.count, (p.sessions as string[]).length, p.kinds],
          ["incident", 25, 20, { detection: 24, unverified: 1 }],
        );
        // Claimed: the next alert of the source opens a new incident.
        await store.enqueueAlert(alert("s99"));
        const next = await store.claimDueAlerts(
          100,
          new Date(now.getTime() + 200_000),
        );
        assert.deepEqual(
          next.map((a) => [a.kind, (a.payload as { count: number }).count]),
          [["incident", 1]],
        );
        // Webhook rows are a channel of their own.
        await store.enqueueAlert({ ...alert("w1"), channel: "webhook" });
        // A second ahead: the row's due time is the database's clock, in µs, and `new Date()`
        // truncates to the ms, so "now" could fall before it within the same millisecond.
        const soon = new Date(Date.now() + 1000);
        assert.deepEqual(
          (await store.claimDueAlerts(10, soon, "webhook")).map((a) =>
            a.session
          ),
          ["w1"],
        );
      }),
  });

  Deno.test({
    name:
      `Store (${backend.name}) purge() drops expired revocations, old bindings and unsent alerts beyond the bound`,
    ignore: backend.ignore,
    fn: () =>
      withStore(backend.name, async (store) => {
        await store.bindCredentials("old", [cred("o")], bindOptions());
        await store.revokeSession("old", "bot", "i1", {
          expiresAt: new Date(Date.now() + 1000),
        });
        await store.revokeSession("kept", "bot", "i1");
        for (let i = 0; i < 5; i++) {
          await store.enqueueAlert({
            session: `a${i}`,
            kind: "detection",
            payload: {},
            dedupeKey: `k${i}`,
          });
        }
        const later = new Date(Date.now() + 2000);
        const result = await purgeExpired(store, {
          RAW_RETENTION_HOURS: 24,
          WINDOW_RETENTION_DAYS: 90,
          REVOCATION_TTL_MS: 1000,
          ALERT_OUTBOX_MAX: 3,
        }, later);
        assert.deepEqual(
          [
            result.revocations,
            result.credentials,
            result.bindings,
            result.unsentAlerts,
          ],
          [1, 1, 1, 2],
        );
        assert.deepEqual(await store.revokedAmong(["o"]), []);
        assert.equal(await store.isRevoked("kept"), true);
        assert.deepEqual(
          (await store.claimDueAlerts(10, later)).map((a) => a.session),
          ["a2", "a3", "a4"],
        );
      }),
  });
}
