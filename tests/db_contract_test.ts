// The store contract suite, first half: windows, sessions, revocation, migrations. The second half
// (outbox, export, retention) is db_contract_jobs_test.ts. Each runs on Postgres and PGlite.
import assert from "node:assert/strict";
import postgres from "postgres";
import { openStore } from "../db/mod.ts";
import {
  backends,
  DATABASE_URL,
  dropSchema,
  freshSchema,
  windowRow,
  withStore,
} from "./db_helpers.ts";

for (const backend of backends()) {
  Deno.test({
    name:
      `Store (${backend.name}) windows: insert, dedupe, NaN round trip, ingest state, raw events`,
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
            { t: 2, kind: "keydown", key: "char", id: 1 },
            { t: 1, kind: "move", x: 1, y: 2 },
          ]),
          2,
        );
        await store.insertRawEvents("b", [{
          t: 0,
          kind: "wheel",
          dx: 0,
          dy: 120,
        }]);
        await store.insertRawEvents("a", [
          { t: 2, kind: "keyup", key: "char", id: 1 },
          { t: 3, kind: "meta", webdriver: true },
        ]);
        // Time order; same time in stored order; each event carries its session.
        assert.deepEqual(await store.listRawEvents("a"), [
          { session: "a", t: 1, kind: "move", x: 1, y: 2 },
          { session: "a", t: 2, kind: "keydown", key: "char", id: 1 },
          { session: "a", t: 2, kind: "keyup", key: "char", id: 1 },
          { session: "a", t: 3, kind: "meta", webdriver: true },
        ]);
        assert.deepEqual(await store.listRawEvents("nope"), []);
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
      assert.deepEqual(rows.map((r) => [r.version, r.name]), [
        [1, "init"],
        [2, "user profiles"],
        [3, "logout that holds"],
        [4, "page views"],
        [5, "fleet shared state"],
        [6, "interval mode share"],
        [7, "owner features"],
        [8, "owner vectors as bytes"],
      ]);
      assert.equal(await stores[0].insertWindows([windowRow("m", 1)]), 1);
      assert.equal((await stores[2].listWindows("m")).length, 1);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await dropSchema(schema);
    }
  },
});

Deno.test({
  name:
    "openStore() adds the column of a feature added to FEATURE_NAMES after the schema was made (postgres)",
  ignore: backends()[0].ignore,
  fn: async () => {
    const schema = freshSchema();
    const url = DATABASE_URL!;
    const first = await openStore({ databaseUrl: url, schema });
    await first.close();
    // A database made before "webdriver" existed: drop its column, as if it never had it.
    const sql = postgres(url, { max: 1 });
    await sql`alter table ${sql(schema)}.feature_windows drop column webdriver`;
    const store = await openStore({ databaseUrl: url, schema });
    try {
      const cols = await sql`select column_name from information_schema.columns
        where table_schema = ${schema} and table_name = 'feature_windows'
          and column_name = 'webdriver'`;
      assert.equal(cols.length, 1);
      assert.equal(await store.insertWindows([windowRow("f", 1)]), 1);
      const [row] = await store.listWindows("f");
      assert.equal(
        row.features.webdriver,
        windowRow("f", 1).features.webdriver,
      );
    } finally {
      await sql.end();
      await store.close();
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
