import assert from "node:assert/strict";
import postgres from "postgres";
import {
  ALERT_LEASE_SECONDS,
  openStore,
  purgeExpired,
  startRetention,
} from "../db/mod.ts";
import type { Store } from "../db/mod.ts";
import {
  backends,
  DATABASE_URL,
  dropSchema,
  features,
  freshSchema,
  openTestStore,
  windowRow,
} from "./db_helpers.ts";

async function withStore(
  backend: "postgres" | "pglite",
  fn: (s: Store) => Promise<void>,
) {
  const t = await openTestStore(backend);
  try {
    await fn(t.store);
  } finally {
    await t.cleanup();
  }
}

for (const backend of backends()) {
  Deno.test({
    name:
      `Store (${backend.name}) windows: insert, dedupe, NaN round trip, ingest state`,
    ignore: backend.ignore,
    fn: () =>
      withStore(backend.name, async (store) => {
        await store.ping();
        const rows = [
          windowRow("a", 1, ["typing_speed"]),
          windowRow("a", 2),
          windowRow("b", 7),
        ];
        assert.equal(await store.insertWindows(rows), 3);
        assert.equal(
          await store.insertWindows([windowRow("a", 2), windowRow("a", 3)]),
          1,
        );
        assert.equal(await store.insertWindows([]), 0);
        const listed = await store.listWindows("a");
        assert.deepEqual(listed.map((w) => w.seq), [1, 2, 3]);
        assert.deepEqual(
          listed.map(({ receivedAt: _, ...w }) => w),
          [
            windowRow("a", 1, ["typing_speed"]),
            windowRow("a", 2),
            windowRow("a", 3),
          ],
        );
        assert.ok(Number.isNaN(listed[0].features.typing_speed));
        assert.deepEqual(await store.sessionIngestState("a"), {
          revoked: false,
          lastSeq: 3,
        });
        assert.deepEqual(await store.sessionIngestState("zz"), {
          revoked: false,
          lastSeq: null,
        });
        const s = await store.getSession("a");
        assert.equal(s?.windowCount, 3);
        assert.equal(s?.state, "active");
        assert.equal(await store.getSession("nope"), null);
        assert.equal(
          await store.insertRawEvents("a", [
            { t: 1, kind: "move", x: 1, y: 2 },
            { t: 2, kind: "keydown", key: "char", id: 1 },
          ]),
          2,
        );
      }),
  });

  Deno.test({
    name:
      `Store (${backend.name}) sessions: touch, identity, labels, list, scores, detections`,
    ignore: backend.ignore,
    fn: () =>
      withStore(backend.name, async (store) => {
        await store.touchSession("s1", new Date("2026-01-01T00:00:00Z"));
        await store.touchSession("s2", new Date("2026-01-02T00:00:00Z"));
        await store.touchSession("s1", new Date("2026-01-03T00:00:00Z"));
        await store.touchSession("s1", new Date("2026-01-02T12:00:00Z"));
        await store.setUserIdentity("s1", "alice");
        await store.setLabel("s1", "human", "admin");
        await store.setLabel("s1", "bot", "admin2");
        const listed = await store.listSessions({ limit: 10 });
        assert.deepEqual(listed.map((s) => [s.id, s.label, s.userIdentity]), [
          ["s1", "bot", "alice"],
          ["s2", null, null],
        ]);
        assert.equal(
          listed[0].firstSeen.toISOString(),
          "2026-01-01T00:00:00.000Z",
        );
        assert.equal(
          listed[0].lastSeen.toISOString(),
          "2026-01-03T00:00:00.000Z",
        );
        assert.deepEqual(
          (await store.listSessions({ limit: 1 })).map((s) => s.id),
          ["s1"],
        );
        const at = new Date("2026-01-03T00:00:01Z");
        await store.recordScore({
          session: "s1",
          seq: 4,
          score: 0.75,
          verdict: "bot",
          modelVersion: "m1",
          at,
        });
        await store.recordDetection({
          session: "s1",
          verdict: "bot",
          explanation: {
            path: ["speed_mean <= 3"],
            top: [["speed_mean", 0.5]],
          },
          at,
        });
        const detail = await store.getSession("s1");
        assert.deepEqual(detail?.scores, [
          {
            session: "s1",
            seq: 4,
            score: 0.75,
            verdict: "bot",
            modelVersion: "m1",
            at,
          },
        ]);
        assert.deepEqual(detail?.detections, [{
          session: "s1",
          verdict: "bot",
          explanation: {
            path: ["speed_mean <= 3"],
            top: [["speed_mean", 0.5]],
          },
          at,
        }]);
      }),
  });

  Deno.test({
    name: `Store (${backend.name}) revokeSession() marks, records and notifies`,
    ignore: backend.ignore,
    fn: () =>
      withStore(backend.name, async (store) => {
        const heard: string[] = [];
        const { promise, resolve } = Promise.withResolvers<void>();
        const stop = await store.onRevocation((id) => {
          heard.push(id);
          if (id === "victim-r") resolve();
        });
        const before = new Date(Date.now() - 1000);
        await store.touchSession("victim-r");
        assert.equal(await store.isRevoked("victim-r"), false);
        await store.revokeSession("victim-r", "bot verdict", "inst-1");
        await promise;
        await stop();
        assert.ok(heard.includes("victim-r"));
        assert.equal(await store.isRevoked("victim-r"), true);
        assert.equal(await store.isRevoked("unknown"), false);
        assert.deepEqual(
          (await store.sessionIngestState("victim-r")).revoked,
          true,
        );
        const revoked = await store.listRevokedSince(before);
        assert.deepEqual(revoked.map(({ at: _, ...r }) => r), [
          { session: "victim-r", reason: "bot verdict", instance: "inst-1" },
        ]);
        assert.deepEqual(
          await store.listRevokedSince(new Date(Date.now() + 60_000)),
          [],
        );
        const listed = await store.listSessions({ limit: 5, state: "revoked" });
        assert.deepEqual(listed.map((s) => [s.id, s.state, s.revokedReason]), [
          ["victim-r", "revoked", "bot verdict"],
        ]);
        assert.deepEqual(
          await store.listSessions({ limit: 5, state: "active" }),
          [],
        );
      }),
  });

  Deno.test({
    name:
      `Store (${backend.name}) alert outbox: dedupe, claim with lease, sent, failed`,
    ignore: backend.ignore,
    fn: () =>
      withStore(backend.name, async (store) => {
        assert.equal(
          await store.enqueueAlert({
            session: "s",
            kind: "bot",
            payload: { n: 1 },
            dedupeKey: "k1",
          }),
          true,
        );
        assert.equal(
          await store.enqueueAlert({
            session: "s",
            kind: "bot",
            payload: { n: 2 },
            dedupeKey: "k1",
          }),
          false,
        );
        await store.enqueueAlert({
          session: "t",
          kind: "bot",
          payload: null,
          dedupeKey: "k2",
        });
        await store.enqueueAlert({
          session: "u",
          kind: "bot",
          payload: [1],
          dedupeKey: "k3",
        });
        const now = new Date(Date.now() + 1000);
        const [a, b] = await Promise.all([
          store.claimDueAlerts(2, now),
          store.claimDueAlerts(2, now),
        ]);
        const claimed = [...a, ...b].map((x) => x.dedupeKey).sort();
        assert.deepEqual(claimed, ["k1", "k2", "k3"]);
        const first = [...a, ...b].find((x) => x.dedupeKey === "k1")!;
        assert.deepEqual(first.payload, { n: 1 });
        assert.equal(
          first.nextAttemptAt.getTime(),
          now.getTime() + ALERT_LEASE_SECONDS * 1000,
        );
        assert.deepEqual(await store.claimDueAlerts(10, now), []);
        await store.markAlertSent(first.id);
        const k2 = [...a, ...b].find((x) => x.dedupeKey === "k2")!;
        const retry = new Date(now.getTime() + 5000);
        await store.markAlertFailed(k2.id, "SMTP 421", retry);
        const later = new Date(now.getTime() + ALERT_LEASE_SECONDS * 1000 + 1);
        const again = await store.claimDueAlerts(10, later);
        assert.deepEqual(
          again.map((x) => [x.dedupeKey, x.attempts, x.lastError]),
          [
            ["k2", 1, "SMTP 421"],
            ["k3", 0, null],
          ],
        );
      }),
  });

  Deno.test({
    name: `Store (${backend.name}) exportLabelledWindows() filters and pages`,
    ignore: backend.ignore,
    fn: () =>
      withStore(backend.name, async (store) => {
        const old = new Date("2020-01-01T00:00:00Z");
        await store.insertWindows([
          { ...windowRow("h", 1), receivedAt: old },
          windowRow("h", 2, ["click_count"]),
          windowRow("b", 5),
          windowRow("b", 6),
          windowRow("b", 7),
          windowRow("n", 1),
        ]);
        await store.setLabel("h", "human", "t");
        await store.setLabel("b", "bot", "t");
        const all = [];
        for await (
          const r of store.exportLabelledWindows({ batchSize: 2 })
        ) all.push(r);
        assert.deepEqual(all.map((r) => [r.session, r.seq, r.label]), [
          ["b", 5, "bot"],
          ["b", 6, "bot"],
          ["b", 7, "bot"],
          ["h", 1, "human"],
          ["h", 2, "human"],
        ]);
        assert.ok(Number.isNaN(all[4].features.click_count));
        assert.deepEqual(all[0].features, features(5));
        const humans = [];
        for await (
          const r of store.exportLabelledWindows({
            label: "human",
            since: new Date("2021-01-01"),
          })
        ) {
          humans.push([r.session, r.seq]);
        }
        assert.deepEqual(humans, [["h", 2]]);
      }),
  });

  Deno.test({
    name:
      `Store (${backend.name}) purge() and startRetention() delete only expired rows`,
    ignore: backend.ignore,
    fn: () =>
      withStore(backend.name, async (store) => {
        const now = Date.now();
        await store.insertWindows([
          { ...windowRow("p", 1), receivedAt: new Date(now - 91 * 86_400_000) },
          { ...windowRow("p", 2), receivedAt: new Date(now - 88 * 86_400_000) },
          windowRow("p", 3),
        ]);
        await store.insertRawEvents("p", [{ t: 1, kind: "move", x: 0, y: 0 }]);
        const config = { RAW_RETENTION_HOURS: 24, WINDOW_RETENTION_DAYS: 90 };
        assert.deepEqual(await purgeExpired(store, config), {
          raw: 0,
          windows: 1,
        });
        assert.deepEqual(
          await purgeExpired(store, config, new Date(now + 25 * 3_600_000)),
          { raw: 1, windows: 0 },
        );
        await store.insertWindows([{
          ...windowRow("p", 9),
          receivedAt: new Date(now - 100 * 86_400_000),
        }]);
        const stop = startRetention(store, { ...config, intervalMs: 60_000 });
        await stop();
        assert.deepEqual((await store.listWindows("p")).map((w) => w.seq), [
          2,
          3,
        ]);
      }),
  });
}

Deno.test({
  name: "openStore() migrates once when two instances start at once (postgres)",
  ignore: backends()[0].ignore,
  fn: async () => {
    const schema = freshSchema();
    const url = DATABASE_URL;
    if (!url) {
      throw new Error(
        "DATABASE_URL must be set for the Postgres store tests under CI=true",
      );
    }
    const stores = await Promise.all([
      openStore({ databaseUrl: url, schema }),
      openStore({ databaseUrl: url, schema }),
      openStore({ databaseUrl: url, schema }),
    ]);
    try {
      const sql = postgres(url, { max: 1 });
      const rows = await sql`select version, name from ${
        sql(schema)
      }.schema_migrations`;
      await sql.end();
      assert.deepEqual(rows.map((r) => [r.version, r.name]), [[1, "init"]]);
      assert.equal(await stores[0].insertWindows([windowRow("m", 1)]), 1);
      assert.equal((await stores[2].listWindows("m")).length, 1);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await dropSchema(schema);
    }
  },
});

Deno.test("openStore() rejects a schema that is not a plain identifier", async () => {
  await assert.rejects(
    openStore({ pgliteDir: "memory://", schema: 'x"; drop table y; --' }),
    new TypeError(
      'Cannot open store: schema "x"; drop table y; --" must match /^[a-z_][a-z0-9_]{0,62}$/',
    ),
  );
});
