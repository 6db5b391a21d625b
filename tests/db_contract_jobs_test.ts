import assert from "node:assert/strict";
import {
  ALERT_LEASE_SECONDS,
  purgeExpired,
  startRetention,
} from "../db/mod.ts";
import { backends, features, windowRow, withStore } from "./db_helpers.ts";

// The second half of the store contract suite (see db_contract_test.ts): outbox, export, retention.

for (const backend of backends()) {
  Deno.test({
    name:
      `Store (${backend.name}) scores of many windows in one statement, as one by one`,
    ignore: backend.ignore,
    fn: () =>
      withStore(backend.name, async (store) => {
        const at = new Date("2026-01-03T00:00:01Z");
        const later = new Date("2026-01-03T00:00:02Z");
        // Scores are listed under a session's row.
        await store.touchSession('s"1', at);
        await store.touchSession("other", at);
        await store.recordScores([]);
        await store.recordScores([
          {
            session: 's"1',
            seq: 2,
            score: 0.1,
            verdict: "pending",
            modelVersion: "m,1",
            at: later,
          },
          {
            session: 's"1',
            seq: 1,
            score: 1 / 3,
            verdict: "bot",
            modelVersion: "m,1",
            at,
          },
          {
            session: "other",
            seq: 1,
            score: 0,
            verdict: "pending",
            modelVersion: "owner:v2",
          },
        ]);
        await store.recordScore({
          session: 's"1',
          seq: 3,
          score: 0.5,
          verdict: "bot",
          modelVersion: "m2",
          at: later,
        });
        const detail = await store.getSession('s"1');
        assert.deepEqual(detail?.scores, [
          {
            session: 's"1',
            seq: 1,
            score: 1 / 3,
            verdict: "bot",
            modelVersion: "m,1",
            at,
          },
          {
            session: 's"1',
            seq: 2,
            score: 0.1,
            verdict: "pending",
            modelVersion: "m,1",
            at: later,
          },
          {
            session: 's"1',
            seq: 3,
            score: 0.5,
            verdict: "bot",
            modelVersion: "m2",
            at: later,
          },
        ]);
        const other = await store.getSession("other");
        assert.deepEqual(
          other?.scores.map((r) => [r.seq, r.score, r.modelVersion]),
          [[1, 0, "owner:v2"]],
        );
        // Without `at`, the database's clock: not before the statement was sent.
        assert.ok(other!.scores[0].at.getTime() > at.getTime());
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
        const none = {
          scores: 0,
          detections: 0,
          alerts: 0,
          sessions: 0,
          profiles: 0,
          revocations: 0,
          credentials: 0,
          bindings: 0,
          unsentAlerts: 0,
          pageViews: 0,
          shared: 0,
        };
        assert.deepEqual(await purgeExpired(store, config), {
          raw: 0,
          windows: 1,
          ...none,
        });
        assert.deepEqual(
          await purgeExpired(store, config, new Date(now + 25 * 3_600_000)),
          { raw: 1, windows: 0, ...none },
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

  Deno.test({
    name:
      `Store (${backend.name}) purge() deletes derived records and idle sessions, keeps revoked sessions and unsent alerts`,
    ignore: backend.ignore,
    fn: () =>
      withStore(backend.name, async (store) => {
        const now = Date.now();
        const old = new Date(now - 100 * 86_400_000);
        for (const id of ["idle", "revoked", "windowed"]) {
          await store.touchSession(id, old);
        }
        await store.touchSession("recent");
        await store.revokeSession("revoked", "bot", "i1");
        await store.insertWindows([windowRow("windowed", 1)]);
        const score = { seq: 1, score: 0.9, verdict: "bot", modelVersion: "m" };
        await store.recordScore({ ...score, session: "idle", at: old });
        await store.recordScore({ ...score, session: "recent" });
        const detection = { verdict: "bot", explanation: { why: 1 } };
        await store.recordDetection({ ...detection, session: "idle", at: old });
        await store.recordDetection({ ...detection, session: "recent" });
        for (const key of ["sent", "unsent"]) {
          await store.enqueueAlert({
            session: "idle",
            kind: "bot",
            payload: {},
            dedupeKey: key,
          });
        }
        const [sent] = await store.claimDueAlerts(1);
        await store.markAlertSent(sent.id, old);
        const profile = {
          model: "{}",
          version: "v",
          ownerWindows: 40,
          calibration: 0.5,
        };
        for (const identity of ["gone", "back"]) {
          await store.saveProfile({ ...profile, identity, trainedAt: old });
        }
        await store.setUserIdentity("recent", "back");
        const config = { RAW_RETENTION_HOURS: 24, WINDOW_RETENTION_DAYS: 90 };
        assert.deepEqual(await purgeExpired(store, config), {
          raw: 0,
          windows: 0,
          scores: 1,
          detections: 1,
          alerts: 1,
          sessions: 1,
          profiles: 1,
          revocations: 0,
          credentials: 0,
          bindings: 0,
          unsentAlerts: 0,
          pageViews: 0,
          shared: 0,
        });
        assert.equal(await store.getSession("idle"), null);
        assert.equal(await store.getProfile("gone"), null);
        assert.equal((await store.getProfile("back"))?.identity, "back");
        for (const id of ["revoked", "windowed", "recent"]) {
          assert.equal((await store.getSession(id))?.id, id);
        }
        const recent = await store.getSession("recent");
        assert.deepEqual(
          [recent?.scores.length, recent?.detections.length],
          [1, 1],
        );
        const left = await store.claimDueAlerts(10, new Date(now + 120_000));
        assert.deepEqual(left.map((a) => a.dedupeKey), ["unsent"]);
      }),
  });
}
