/**
 * The silence watch keeps its fleet write off the proxy path unless the request may decide:
 * a store whose swaps the test holds open shows which requests wait for them.
 */
import assert from "node:assert/strict";
import { Hono } from "hono";
import { createSilenceWatch, type SilenceStore } from "./silence_watch.ts";

/** A shared store whose every swap waits until the test lets it through. */
function heldStore() {
  const rows = new Map<string, { version: number; state: unknown }>();
  const held: (() => void)[] = [];
  const detections: string[] = [];
  const store: SilenceStore = {
    kind: "postgres",
    getSessionState: (session: string) =>
      Promise.resolve(rows.get(session) ?? null),
    casSessionState: async (
      session: string,
      _kind: string,
      expected: number,
      state: unknown,
    ) => {
      await new Promise<void>((go) => held.push(go));
      const version = expected + 1;
      rows.set(session, { version, state });
      return { ok: true, version };
    },
    touchSession: () => Promise.resolve(),
    recordDetection: (d: { session: string }) => {
      detections.push(d.session);
      return Promise.resolve();
    },
    enqueueAlert: () => Promise.resolve(),
    listWindows: () => Promise.resolve([]),
  } as unknown as SilenceStore;
  return {
    store,
    detections,
    /** Swaps waiting now. */
    waiting: () => held.length,
    release() {
      for (const go of held.splice(0)) go();
    },
  };
}

function guardFor(maxDeferred?: number) {
  const db = heldStore();
  const clock = { ms: 1_000_000 };
  const watch = createSilenceWatch({
    store: db.store,
    gate: {
      revoke: () => Promise.resolve(),
      isRevoked: () => Promise.resolve(false),
      boundSession: () => undefined,
    },
    mode: "enforce",
    action: "logout",
    rule: { requests: 3, graceMs: 15_000 },
    authCookies: [],
    excludePaths: [],
    now: () => clock.ms,
    maxDeferred,
  });
  const app = new Hono();
  app.use("*", async (c, next) => {
    const sid = /__guard_sid=([^.]+)\./.exec(c.req.header("cookie") ?? "");
    if (sid !== null) c.set("guardSessionId" as never, sid[1] as never);
    await next();
  });
  app.use("*", watch.middleware);
  app.get("*", (c) => c.text("page"));
  /** A navigation of session `id`, and whether its response has come. */
  function visit(id: string) {
    const seen = { done: false };
    const reply = Promise.resolve(
      app.request("/page", { headers: { cookie: `__guard_sid=${id}.mac` } }),
    ).then((r) => {
      seen.done = true;
      return r;
    });
    return { reply, seen };
  }
  return { db, clock, visit };
}

/** Lets pending promise callbacks and timers run. */
const settle = () => new Promise((ok) => setTimeout(ok, 20));

Deno.test("silence watch: a navigation that cannot decide is served while its count's write is still in flight", async () => {
  const { db, visit } = guardFor();
  const first = visit("a");
  assert.equal((await first.reply).status, 200);
  assert.equal(db.waiting(), 1, "the count's swap is still held");
  db.release();
  await settle();
  assert.equal(db.waiting(), 0);
});

Deno.test("silence watch: a scripted client firing requests back to back is counted with its writes in flight, and the request that decides waits for the verdict", async () => {
  const { db, clock, visit } = guardFor();
  assert.equal((await visit("bot").reply).status, 200);
  assert.equal((await visit("bot").reply).status, 200);
  assert.equal(db.waiting(), 1, "both writes in flight (the second queued)");
  // After the grace, the third counts with the two unlanded ones: it decides, so it waits.
  clock.ms += 15_000;
  const three = visit("bot");
  await settle();
  assert.equal(
    three.seen.done,
    false,
    "the deciding request waits for its swap",
  );
  assert.deepEqual(db.detections, []);
  while (!three.seen.done) {
    db.release();
    await settle();
  }
  assert.equal((await three.reply).status, 200);
  assert.deepEqual(
    db.detections,
    ["bot"],
    "the verdict is recorded before the reply",
  );
});

Deno.test("silence watch: a flood of fresh sessions cannot pile up deferred writes past the bound", async () => {
  const { db, visit } = guardFor(2);
  await visit("s1").reply;
  await visit("s2").reply;
  const third = visit("s3");
  await settle();
  assert.equal(
    third.seen.done,
    false,
    "past 2 deferred writes, requests wait again",
  );
  assert.equal(db.waiting(), 3);
  db.release();
  assert.equal((await third.reply).status, 200);
});
