/**
 * The store contract of the fleet's shared state (db/_fleet.ts, issue 14 item 5), on PostgreSQL
 * and PGlite: two instances racing on one session's state, the shared ingest bucket and replay
 * check, the new-session window, failed admin credentials and the hourly mail budget.
 */
import assert from "node:assert/strict";
import { backends, withStore } from "./db_helpers.ts";

for (const backend of backends()) {
  Deno.test({
    name:
      `Store (${backend.name}) casSessionStates(): many rows in one statement, each as casSessionState alone`,
    ignore: backend.ignore,
    fn: () =>
      withStore(backend.name, async (store) => {
        assert.deepEqual(await store.casSessionStates([]), []);
        await store.casSessionState("old", "evidence", 0, { n: 1 });
        await store.casSessionState("old", "evidence", 1, { n: 2 });
        const results = await store.casSessionStates([
          { session: "new", kind: "evidence", expected: 0, state: { n: 1 } },
          { session: "old", kind: "evidence", expected: 2, state: { n: 3 } },
          { session: "old", kind: "silence", expected: 0, state: { q: "'\"" } },
        ]);
        assert.deepEqual(results, [
          { ok: true, version: 1 },
          { ok: true, version: 3 },
          { ok: true, version: 1 },
        ]);
        // A stale writer gets the newer row back and writes nothing.
        const again = await store.casSessionStates([
          { session: "old", kind: "evidence", expected: 2, state: { n: 99 } },
          { session: "new", kind: "evidence", expected: 1, state: { n: 2 } },
          { session: "gone", kind: "evidence", expected: 4, state: { n: 5 } },
        ]);
        assert.deepEqual(again, [
          { ok: false, current: { version: 3, state: { n: 3 } } },
          { ok: true, version: 2 },
          // No row at all: written as version expected + 1, as casSessionState does.
          { ok: true, version: 5 },
        ]);
        assert.deepEqual(await store.getSessionState("old", "silence"), {
          version: 1,
          state: { q: "'\"" },
        });
        await assert.rejects(
          store.casSessionStates([
            { session: "x", kind: "evidence", expected: 0, state: {} },
            { session: "x", kind: "evidence", expected: 0, state: {} },
          ]),
          RangeError,
        );
        assert.equal(await store.getSessionState("x", "evidence"), null);
      }),
  });

  Deno.test({
    name:
      `Store (${backend.name}) casSessionState(): of two instances writing from the same version, one wins and the other gets the newer row`,
    ignore: backend.ignore,
    fn: () =>
      withStore(backend.name, async (store) => {
        assert.equal(await store.getSessionState("s", "evidence"), null);
        assert.deepEqual(
          await store.casSessionState("s", "evidence", 0, { windows: 1 }),
          { ok: true, version: 1 },
        );
        // A second instance that never saw version 1 tries to create the row: refused.
        assert.deepEqual(
          await store.casSessionState("s", "evidence", 0, { windows: 1 }),
          { ok: false, current: { version: 1, state: { windows: 1 } } },
        );
        const [a, b] = await Promise.all([
          store.casSessionState("s", "evidence", 1, { windows: 2, by: "a" }),
          store.casSessionState("s", "evidence", 1, { windows: 2, by: "b" }),
        ]);
        const wins = [a, b].filter((r) => r.ok);
        assert.equal(wins.length, 1);
        const winner = a.ok ? "a" : "b";
        const loser = a.ok ? b : a;
        assert.deepEqual(loser, {
          ok: false,
          current: { version: 2, state: { windows: 2, by: winner } },
        });
        // Kinds are separate rows.
        assert.equal(await store.getSessionState("s", "silence"), null);
        assert.deepEqual(await store.getSessionState("s", "evidence"), {
          version: 2,
          state: { windows: 2, by: winner },
        });
      }),
  });

  Deno.test({
    name:
      `Store (${backend.name}) claimIngestPost(): a session posting through two instances shares one bucket and one last seq`,
    ignore: backend.ignore,
    fn: () =>
      withStore(backend.name, async (store) => {
        const post = (seq: number, nowMs: number) =>
          store.claimIngestPost({
            session: "s",
            seq,
            capacity: 3,
            perMs: 0.001, // a token a second
            nowMs,
          });
        const t = 1_000_000;
        assert.deepEqual(await post(10, t), {
          outcome: "ok",
          tokens: 2,
          lastSeq: 10,
        });
        // The replay spends a token, as on one instance, and does not move the seq.
        assert.deepEqual(await post(10, t), {
          outcome: "replay",
          tokens: 1,
          lastSeq: 10,
        });
        assert.deepEqual(await post(11, t), {
          outcome: "ok",
          tokens: 0,
          lastSeq: 11,
        });
        // No token: refused, and its seq is not taken (the collector's retry is accepted later).
        assert.deepEqual(await post(12, t + 500), {
          outcome: "rate",
          tokens: 0.5,
          lastSeq: 11,
        });
        assert.deepEqual(await post(12, t + 1500), {
          outcome: "ok",
          tokens: 0.5,
          lastSeq: 12,
        });
      }),
  });

  Deno.test({
    name:
      `Store (${backend.name}) claimIngestPosts(): one statement answers each session's post as claimIngestPost() alone would`,
    ignore: backend.ignore,
    fn: () =>
      withStore(backend.name, async (store) => {
        const bucket = { capacity: 2, perMs: 0.001 };
        const t = 2_000_000;
        // Two sessions, claimed one post at a time, and their twins, claimed in batches.
        const steps = [
          [{ seq: 4, nowMs: t }, { seq: 1, nowMs: t }],
          [{ seq: 4, nowMs: t }, { seq: 2, nowMs: t }], // a replay; a second token
          [{ seq: 5, nowMs: t + 100 }, { seq: 3, nowMs: t + 100 }], // out of tokens
          [{ seq: 5, nowMs: t + 1200 }, { seq: 3, nowMs: t + 1200 }],
        ];
        const outcomes: string[] = [];
        for (const [a, b] of steps) {
          const alone = [
            await store.claimIngestPost({ session: "a", ...a, ...bucket }),
            await store.claimIngestPost({ session: "b", ...b, ...bucket }),
          ];
          const batched = await store.claimIngestPosts({
            ...bucket,
            // Not in session order: the answers still come back in the posts' order.
            posts: [{ session: "twin-b", ...b }, { session: "twin-a", ...a }],
          });
          assert.deepEqual(batched, [alone[1], alone[0]]);
          outcomes.push(...alone.map((c) => c.outcome));
        }
        assert.deepEqual(outcomes, [
          ..."ok ok replay ok rate rate ok ok".split(" "),
        ]);
        assert.deepEqual(
          await store.claimIngestPosts({ ...bucket, posts: [] }),
          [],
        );
        assert.deepEqual(
          (await store.claimIngestPosts({
            ...bucket,
            posts: [{ session: "twin-a", seq: 9, nowMs: t + 5000 }],
          })).map((c) => [c.outcome, c.lastSeq]),
          [["ok", 9]],
        );
        await assert.rejects(
          store.claimIngestPosts({
            ...bucket,
            posts: [
              { session: "c", seq: 1, nowMs: t },
              { session: "c", seq: 2, nowMs: t },
            ],
          }),
          { name: "RangeError", message: /a session appears twice/ },
        );
      }),
  });

  Deno.test({
    name:
      `Store (${backend.name}) hitRateWindow(): hits of one key from many instances share one fixed window`,
    ignore: backend.ignore,
    fn: () =>
      withStore(backend.name, async (store) => {
        const t = 5_000_000;
        const hits = await Promise.all(
          Array.from({ length: 5 }, () => store.hitRateWindow("k", 60_000, t)),
        );
        assert.deepEqual(hits.sort(), [1, 2, 3, 4, 5]);
        assert.equal(await store.hitRateWindow("other", 60_000, t), 1);
        assert.equal(await store.hitRateWindow("k", 60_000, t + 59_999), 6);
        assert.equal(await store.hitRateWindow("k", 60_000, t + 60_000), 1);
        assert.equal(await store.hitRateWindow("k", 60_000, t + 60_001), 2);
      }),
  });

  Deno.test({
    name:
      `Store (${backend.name}) recentAuthFailures(): a guesser's failures on every instance count together`,
    ignore: backend.ignore,
    fn: () =>
      withStore(backend.name, async (store) => {
        for (const at of [100, 200, 300, 400]) {
          await store.recordAuthFailure("10.0.0.1", at, 60_000);
        }
        await store.recordAuthFailure("10.0.0.2", 250, 60_000);
        assert.deepEqual(
          await store.recentAuthFailures("10.0.0.1", 0, 3),
          [200, 300, 400],
        );
        assert.deepEqual(
          await store.recentAuthFailures("10.0.0.1", 250, 10),
          [300, 400],
        );
        // A failure a window later drops the client's older ones.
        await store.recordAuthFailure("10.0.0.1", 60_250, 60_000);
        assert.deepEqual(
          await store.recentAuthFailures("10.0.0.1", 0, 10),
          [300, 400, 60_250],
        );
      }),
  });

  Deno.test({
    name:
      `Store (${backend.name}) reserveAlertMails(): instances share ALERT_MAX_PER_HOUR: singles, then a digest, then none until the oldest send ages out`,
    ignore: backend.ignore,
    fn: () =>
      withStore(backend.name, async (store) => {
        const t0 = new Date("2026-01-01T10:00:00Z");
        const at = (ms: number) => new Date(t0.getTime() + ms);
        const reserve = (wanted: number, now: Date) =>
          store.reserveAlertMails({ maxPerHour: 3, wanted, now });
        assert.deepEqual(await reserve(2, t0), { emails: 2, retryAt: null });
        // Two instances with 4 and 1 due alerts at once: one more email is left.
        const [a, b] = await Promise.all([
          reserve(4, at(1000)),
          reserve(1, at(1000)),
        ]);
        assert.deepEqual(
          [a.emails, b.emails].sort(),
          [0, 1],
        );
        assert.deepEqual(await reserve(1, at(2000)), {
          emails: 0,
          retryAt: at(3_600_000),
        });
        assert.deepEqual(await reserve(5, at(3_600_001)), {
          emails: 1,
          retryAt: null,
        });
      }),
  });
}
