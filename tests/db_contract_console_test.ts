/**
 * The console's store queries (db/console.ts) on both backends, against a seeded store with one
 * session of each verdict; every count is worked out from tests/_console_seed.ts by hand.
 */
import assert from "node:assert/strict";
import { backends, withStore } from "./db_helpers.ts";
import { seedConsole, SEEDED } from "./_console_seed.ts";

// 12:59 UTC: every seeded time (up to 50 minutes back) falls in the 12:00 hour.
const NOW = Date.UTC(2025, 5, 1, 12, 59);
const HOUR = new Date(Date.UTC(2025, 5, 1, 12));
const SINCE = new Date(NOW - 86_400_000);

for (const backend of backends()) {
  Deno.test({
    name:
      `Store (${backend.name}) console: traffic, scores, monitor impact, tops, outbox`,
    ignore: backend.ignore,
    fn: () =>
      withStore(backend.name, async (store) => {
        await seedConsole(store, NOW);
        const c = store.console;
        assert.deepEqual(await c.traffic(SINCE, "hour"), [
          { at: HOUR, verdict: "bot", sessions: 2, pages: 4, windows: 7 },
          { at: HOUR, verdict: "human", sessions: 1, pages: 3, windows: 6 },
          { at: HOUR, verdict: "pending", sessions: 1, pages: 1, windows: 0 },
          {
            at: HOUR,
            verdict: "unauthorized",
            sessions: 1,
            pages: 0,
            windows: 6,
          },
          {
            at: HOUR,
            verdict: "unverified",
            sessions: 1,
            pages: 3,
            windows: 0,
          },
        ]);
        const hist = await c.scoreHistogram(SINCE, 10);
        assert.deepEqual(hist.counts.human, [2, 3, 1, 0, 0, 0, 0, 1, 1, 1]);
        assert.deepEqual(hist.counts.bot, [0, 0, 0, 0, 0, 0, 0, 0, 0, 4]);
        assert.deepEqual(hist.counts.unlabelled, [
          0,
          3,
          2,
          1,
          0,
          0,
          0,
          0,
          0,
          0,
        ]);
        assert.deepEqual(await c.monitorImpact(SINCE), [
          {
            verdict: "bot",
            sessions: 2,
            loggedIn: 0,
            labelledHuman: 1,
            windowsAfter: 1,
            pagesAfter: 2,
          },
          {
            verdict: "unauthorized",
            sessions: 1,
            loggedIn: 0,
            labelledHuman: 0,
            windowsAfter: 0,
            pagesAfter: 0,
          },
          {
            verdict: "unverified",
            sessions: 1,
            loggedIn: 1,
            labelledHuman: 0,
            windowsAfter: 0,
            pagesAfter: 1,
          },
        ]);
        assert.deepEqual(await c.topFlagged(SINCE, "path", 3), [
          { key: "/account", sessions: 2, hits: 4 },
          { key: "/article", sessions: 1, hits: 1 },
          { key: "/export", sessions: 1, hits: 1 },
        ]);
        assert.deepEqual(await c.topFlagged(SINCE, "client", 5), [
          { key: "203.0.113.0/24", sessions: 2, hits: 6 },
          { key: "192.0.2.0/24", sessions: 1, hits: 1 },
        ]);
        const outbox = await c.outboxHealth(new Date(NOW));
        assert.equal(outbox.length, 1);
        assert.equal(outbox[0].channel, "mail");
        assert.equal(outbox[0].unsent, 1);
        assert.equal(outbox[0].failing, 1);
        assert.equal(outbox[0].sentLastDay, 1);
        assert.equal(outbox[0].maxAttempts, 1);
        assert.equal(
          outbox[0].lastError,
          "connect ECONNREFUSED 127.0.0.1:25",
        );
      }),
  });

  Deno.test({
    name:
      `Store (${backend.name}) console: session search, pages, label outcomes`,
    ignore: backend.ignore,
    fn: () =>
      withStore(backend.name, async (store) => {
        await seedConsole(store, NOW);
        const c = store.console;
        const ids = async (s: Parameters<typeof c.searchSessions>[0]) =>
          (await c.searchSessions(s)).map((r) => r.id);
        assert.deepEqual(await ids({ limit: 10 }), [
          SEEDED.pending,
          SEEDED.unverified,
          SEEDED.falsePositive,
          SEEDED.bot,
          SEEDED.unauthorized,
          SEEDED.human,
        ]);
        assert.deepEqual(await ids({ verdict: "bot", limit: 10 }), [
          SEEDED.falsePositive,
          SEEDED.bot,
        ]);
        assert.deepEqual(await ids({ label: "none", limit: 10 }), [
          SEEDED.pending,
          SEEDED.unverified,
          SEEDED.unauthorized,
        ]);
        assert.deepEqual(await ids({ user: "alice", limit: 10 }), [
          SEEDED.human,
        ]);
        assert.deepEqual(
          await ids({ from: new Date(NOW - 12 * 60_000), limit: 10 }),
          [SEEDED.pending, SEEDED.unverified],
        );
        const first = await c.searchSessions({ limit: 2 });
        const last = first[1];
        assert.deepEqual(
          await ids({ after: { cursor: last.cursor, id: last.id }, limit: 2 }),
          [SEEDED.falsePositive, SEEDED.bot],
        );
        const [bot] = await c.searchSessions({ verdict: "bot", limit: 1 });
        assert.equal(bot.id, SEEDED.falsePositive);
        assert.equal(bot.windows, 3);
        assert.equal(bot.maxScore, 0.9);
        assert.equal(bot.pages, 1);
        assert.equal(bot.label, "human");
        assert.deepEqual(
          (await c.sessionPages(SEEDED.bot)).map((p) => [p.path, p.hits]),
          [["/account", 2], ["/login", 1]],
        );
        assert.deepEqual(await c.labelOutcomes(), [
          {
            label: "bot",
            sessions: 1,
            flagged: 1,
            byVerdict: { bot: 1, unauthorized: 0, unverified: 0 },
          },
          {
            label: "human",
            sessions: 2,
            flagged: 1,
            byVerdict: { bot: 1, unauthorized: 0, unverified: 0 },
          },
        ]);
      }),
  });

  Deno.test({
    name:
      `Store (${backend.name}) recordPageViews() strips queries and bounds rows per session`,
    ignore: backend.ignore,
    fn: () =>
      withStore(backend.name, async (store) => {
        const at = new Date(NOW);
        const views = Array.from({ length: 5 }, (_, i) => ({
          session: "s1",
          path: `/p${i}?secret=x#frag`,
          client: "198.51.100.0/24",
          at,
        }));
        assert.equal(await store.console.recordPageViews(views, 3), 5);
        assert.equal(await store.console.recordPageViews(views, 3), 0);
        const pages = await store.console.sessionPages("s1");
        assert.deepEqual(pages.map((p) => [p.path, p.hits]), [
          ["/p0", 1],
          ["/p1", 1],
          ["/p2", 1],
          ["/p3", 1],
          ["/p4", 1],
        ]);
        const other = [{ ...views[0], session: "s2" }, {
          ...views[0],
          session: "s2",
        }];
        assert.equal(await store.console.recordPageViews(other, 3), 1);
        assert.deepEqual(
          (await store.console.sessionPages("s2")).map((p) => p.hits),
          [2],
        );
      }),
  });
}
