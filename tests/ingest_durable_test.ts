/**
 * INGEST_ACK=durable through the real guard (main.ts as a child process) on real Postgres: a
 * `kill -9` under load loses no window the guard acknowledged. Control: with the buffered default
 * and a flush interval the run never reaches, the same kill loses every acknowledged window, so
 * the comparison can fail.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import {
  createGuardSigner,
  createPageTokens,
  GUARD_COOKIE,
  newSessionId,
} from "../middleware/session/mod.ts";
import type { Store } from "../db/mod.ts";
import { setLogLevel } from "../log.ts";
import { backends, DATABASE_URL, openTestStore } from "./db_helpers.ts";
import { post, startIngest, validPost } from "./ingest_helpers.ts";
import { freshDatabase, type GuardChild, spawnMain } from "./_guard_child.ts";

const SECRET = "crash-secret-0123456789abcdefghijklmnop";
const CLIENTS = 24;
const LOAD_MS = 2000;

type Acked = { session: string; acked: number[]; unexpected: string[] };

/**
 * CLIENTS sessions post windows back to back, counting each 200 `{"ok":true}` they read in full,
 * until the guard is killed with SIGKILL after LOAD_MS.
 */
async function loadAndKill(guard: GuardChild): Promise<Acked[]> {
  const signer = createGuardSigner(SECRET);
  const pages = createPageTokens(SECRET, { ttlMs: 43_200_000 });
  let dead = false;
  const clients = Array.from({ length: CLIENTS }, async (): Promise<Acked> => {
    const session = newSessionId();
    const cookie = `${GUARD_COOKIE}=${await signer.sign(session)}`;
    // Served three hours ago: the page's age admits every window this run posts.
    const page = await pages.issue(session, Date.now() - 3 * 3_600_000);
    const acked: number[] = [];
    const unexpected: string[] = [];
    for (let seq = 1; !dead; seq++) {
      try {
        const res = await fetch(`${guard.url}/__guard/ingest`, {
          method: "POST",
          headers: { cookie, "content-type": "application/json" },
          body: JSON.stringify(validPost(seq, { page })),
        });
        const body = await res.json();
        if (res.status === 200 && body.ok === true) acked.push(seq);
        else unexpected.push(`${res.status} ${JSON.stringify(body)}`);
      } catch {
        break; // the guard died before the answer was read: not acknowledged
      }
    }
    return { session, acked, unexpected };
  });
  await new Promise((r) => setTimeout(r, LOAD_MS));
  guard.child.kill("SIGKILL");
  dead = true;
  assert.equal((await guard.child.status).signal, "SIGKILL");
  return await Promise.all(clients);
}

/** Stored (session, seq) pairs of the given sessions, as `session/seq`. */
async function storedWindows(url: string, sessions: string[]) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ session: string; seq: number }[]>`
      select session, seq from feature_windows where session in ${
      sql(sessions)
    }`;
    return new Set(rows.map((r) => `${r.session}/${r.seq}`));
  } finally {
    await sql.end();
  }
}

const acknowledged = (clients: Acked[]) =>
  clients.flatMap((c) => c.acked.map((seq) => `${c.session}/${seq}`));

Deno.test({
  name:
    "ingest with INGEST_ACK=durable: kill -9 under load loses no acknowledged window (Postgres)",
  ignore: backends()[0].ignore,
  fn: async (t) => {
    const db = await freshDatabase(DATABASE_URL!);
    const env = {
      DATABASE_URL: db.url,
      GUARD_SECRET: SECRET,
      UPSTREAM_URL: "http://127.0.0.1:9",
      INGEST_RATE_PER_MIN: "10000",
    };
    try {
      await t.step("durable: every acknowledged window is stored", async () => {
        const guard = await spawnMain({ ...env, INGEST_ACK: "durable" });
        const clients = await loadAndKill(guard);
        assert.deepEqual(clients.flatMap((c) => c.unexpected), []);
        const acked = acknowledged(clients);
        const stored = await storedWindows(
          db.url,
          clients.map((c) => c.session),
        );
        console.log(
          `durable: ${acked.length} acknowledged, ${stored.size} stored`,
        );
        assert.ok(acked.length >= 50, `load: ${acked.length} acknowledged`);
        assert.deepEqual(acked.filter((w) => !stored.has(w)), []);
        // Stored but unanswered: at most the one post each client had in flight at the kill.
        assert.ok(stored.size - acked.length <= CLIENTS);
      });
      await t.step(
        "control, buffered with a 60 s flush: every acknowledged window is lost",
        async () => {
          const guard = await spawnMain({
            ...env,
            INGEST_ACK: "buffered",
            INGEST_FLUSH_MS: "60000",
          });
          const clients = await loadAndKill(guard);
          assert.deepEqual(clients.flatMap((c) => c.unexpected), []);
          const acked = acknowledged(clients);
          const stored = await storedWindows(
            db.url,
            clients.map((c) => c.session),
          );
          console.log(
            `buffered: ${acked.length} acknowledged, ${stored.size} stored`,
          );
          assert.ok(acked.length >= 50, `load: ${acked.length} acknowledged`);
          assert.equal(stored.size, 0);
        },
      );
    } finally {
      await db.drop();
    }
  },
});

Deno.test("ingest with INGEST_ACK=durable answers 200 only once the window is stored, 503 not_stored while the database does not commit", async () => {
  setLogLevel("error");
  const t = await openTestStore("pglite");
  let release!: () => void;
  let gate = Promise.resolve();
  const store: Store = {
    ...t.store,
    insertWindows: (rows) => gate.then(() => t.store.insertWindows(rows)),
  };
  const rig = await startIngest(
    "pglite",
    { ack: "durable", durableTimeoutMs: 300 },
    { ...t, store },
  );
  try {
    const ok = await post(rig.url, "durable-session-0001", validPost(1));
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json, { ok: true, action: "none" });
    // No flush: the answer itself says the row is there.
    assert.deepEqual(
      (await t.store.listWindows("durable-session-0001")).map((w) => w.seq),
      [1],
    );
    gate = new Promise((r) => (release = r));
    const slow = await post(rig.url, "durable-session-0001", validPost(2));
    assert.equal(slow.status, 503);
    assert.equal(slow.headers.get("retry-after"), "5");
    assert.deepEqual(slow.json, { error: "not_stored" });
    // Not acknowledged, but still queued: written once the database answers.
    release();
    await rig.buffer.flush();
    assert.deepEqual(
      (await t.store.listWindows("durable-session-0001")).map((w) => w.seq),
      [1, 2],
    );
  } finally {
    await rig.close();
    await t.cleanup();
    setLogLevel("warn");
  }
});
