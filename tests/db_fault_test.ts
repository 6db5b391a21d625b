import assert from "node:assert/strict";
import postgres from "postgres";
import { setLogLevel } from "../log.ts";
import { backends, DATABASE_URL, openTestStore } from "./db_helpers.ts";
import { post, startIngest, validPost } from "./ingest_helpers.ts";

const SESSIONS = 20;
const WINDOWS = 15;

Deno.test({
  name:
    "ingest survives Postgres connections killed mid-ingest: every accepted window is stored",
  ignore: backends()[0].ignore,
  fn: async () => {
    setLogLevel("error");
    const app = `guard-fault-${crypto.randomUUID().slice(0, 8)}`;
    const t = await openTestStore("postgres", {
      applicationName: app,
      maxConnections: 4,
    });
    const rig = await startIngest("postgres", {}, t);
    const killer = postgres(DATABASE_URL!, { max: 1, onnotice: () => {} });
    let killing = true;
    let kills = 0;
    const killLoop = (async () => {
      while (killing) {
        const rows =
          await killer`select pg_terminate_backend(pid) as ok from pg_stat_activity
          where application_name = ${app}`;
        kills += rows.filter((r) => r.ok).length;
        await new Promise((r) => setTimeout(r, 15));
      }
    })();
    try {
      const accepted = new Map<string, number[]>();
      let posted = 0;
      // At least WINDOWS per session, and on until a write has met a killed connection (a fast
      // box can otherwise finish between kills); at most 600 (the test page is an hour old:
      // 720 windows of page time) and 20 s.
      const until = Date.now() + 20_000;
      const more = (seq: number) =>
        seq <= WINDOWS ||
        (rig.buffer.stats().failures === 0 && seq <= 600 &&
          Date.now() < until);
      await Promise.all(Array.from({ length: SESSIONS }, async (_, i) => {
        const session = `fault-${String(i).padStart(2, "0")}-${
          app.slice(-8)
        }xxxxxx`;
        accepted.set(session, []);
        for (let seq = 1; more(seq); seq++) {
          posted++;
          const res = await post(rig.url, session, validPost(seq));
          if (res.status === 200) accepted.get(session)!.push(seq);
          await new Promise((r) => setTimeout(r, 5));
        }
      }));
      console.log("posted", performance.now());
      killing = false;
      await killLoop;
      console.log("killer stopped", performance.now());
      assert.ok(kills > 0, "connections were killed");
      assert.ok(
        rig.buffer.stats().failures > 0,
        "writes failed while connections died",
      );
      let flushed = false;
      for (let i = 0; i < 20 && !flushed; i++) {
        flushed = await rig.buffer.flush().then(() => true, () => false);
      }
      assert.equal(flushed, true);
      console.log("flushed", performance.now());
      const total = [...accepted.values()].reduce((n, s) => n + s.length, 0);
      assert.ok(posted >= SESSIONS * WINDOWS);
      assert.equal(
        total,
        posted,
        "every post was accepted while the DB flapped",
      );
      for (const [session, seqs] of accepted) {
        const stored = (await t.store.listWindows(session)).map((w) => w.seq);
        assert.deepEqual(stored, seqs, session);
      }
      assert.equal(rig.buffer.stats().dropped, 0);
      assert.equal(await rig.count("feature_windows"), total);
    } finally {
      console.log("finally", performance.now());
      killing = false;
      await killLoop.catch(() => {});
      await killer.end();
      console.log("killer ended", performance.now());
      await rig.close().catch(() => {});
      console.log("rig closed", performance.now());
      await new Promise((r) => setTimeout(r, 1000));
      await t.store.close();
      console.log("store closed", performance.now());
      await t.cleanup();
      setLogLevel("warn");
      console.log("done", performance.now());
    }
  },
});
