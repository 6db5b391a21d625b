import assert from "node:assert/strict";
import { setLogLevel } from "../log.ts";
import { openTestStore, windowRow } from "../tests/db_helpers.ts";
import { createWindowBuffer } from "./buffer.ts";
import type { Store } from "./store.ts";

/** The real store behind a gate (writes wait for it) and a switch (writes fail while down). */
function gated(store: Store) {
  const state = { down: false, calls: [] as number[], gate: Promise.resolve() };
  const wrapped: Store = {
    ...store,
    async insertWindows(rows) {
      state.calls.push(rows.length);
      await state.gate;
      if (state.down) throw new Error("connection refused");
      return store.insertWindows(rows);
    },
  };
  return { store: wrapped, state };
}

/** Tracks whether a promise has settled, and how. */
function watch(promise: Promise<void>) {
  const w = { settled: "no" as "no" | "resolved" | "rejected", error: null };
  promise.then(
    () => (w.settled = "resolved"),
    (e) => {
      w.settled = "rejected";
      w.error = e;
    },
  );
  return w as { settled: string; error: unknown };
}

const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));

Deno.test("createWindowBuffer() pushDurable() resolves only once its batch is committed, group-committing what arrives meanwhile", async () => {
  const t = await openTestStore("pglite");
  try {
    const { store, state } = gated(t.store);
    let open!: () => void;
    state.gate = new Promise((r) => (open = r));
    // A flush interval no test waits for: durable pushes must not wait for the timer.
    const buffer = createWindowBuffer(store, { max: 100, flushMs: 60_000 });
    const first = watch(buffer.pushDurable(windowRow("d", 1)));
    await tick();
    assert.deepEqual(state.calls, [1], "the first write starts at once");
    const rest = Array.from(
      { length: 9 },
      (_, i) => watch(buffer.pushDurable(windowRow("d", i + 2))),
    );
    await tick();
    assert.equal(first.settled, "no");
    assert.deepEqual(rest.map((w) => w.settled), Array(9).fill("no"));
    assert.equal((await t.store.listWindows("d")).length, 0);
    open();
    await tick(100);
    assert.deepEqual(state.calls, [1, 9], "one write for the nine that waited");
    assert.equal(first.settled, "resolved");
    assert.deepEqual(rest.map((w) => w.settled), Array(9).fill("resolved"));
    assert.deepEqual(
      (await t.store.listWindows("d")).map((w) => w.seq),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
    assert.equal(buffer.stats().written, 10);
    await buffer.close();
  } finally {
    await t.cleanup();
  }
});

Deno.test("createWindowBuffer() pushDurable() waits through a database outage and resolves after the retry", async () => {
  setLogLevel("error");
  const t = await openTestStore("pglite");
  try {
    const { store, state } = gated(t.store);
    state.down = true;
    const buffer = createWindowBuffer(store, { max: 100, flushMs: 10 });
    const w = watch(buffer.pushDurable(windowRow("o", 1)));
    await tick(100);
    assert.equal(w.settled, "no");
    assert.ok(buffer.stats().failures >= 2);
    state.down = false;
    await tick(400);
    assert.equal(w.settled, "resolved");
    assert.equal((await t.store.listWindows("o")).length, 1);
    await buffer.close();
  } finally {
    setLogLevel("warn");
    await t.cleanup();
  }
});

Deno.test("createWindowBuffer() pushDurable() rejects when the full buffer drops the window", async () => {
  setLogLevel("error");
  const t = await openTestStore("pglite");
  try {
    const { store, state } = gated(t.store);
    state.down = true;
    const buffer = createWindowBuffer(store, { max: 2, flushMs: 10 });
    const a = watch(buffer.pushDurable(windowRow("f", 1)));
    const b = watch(buffer.pushDurable(windowRow("f", 2)));
    const c = watch(buffer.pushDurable(windowRow("f", 3)));
    await tick();
    assert.equal(b.settled, "rejected");
    assert.ok(b.error instanceof RangeError);
    assert.equal(
      (b.error as Error).message,
      "Ingest buffer full: the window was dropped unwritten",
    );
    assert.equal(buffer.stats().dropped, 1);
    state.down = false;
    await tick(400);
    assert.deepEqual([a.settled, c.settled], ["resolved", "resolved"]);
    assert.deepEqual(
      (await t.store.listWindows("f")).map((w) => w.seq),
      [1, 3],
    );
    await buffer.close();
  } finally {
    setLogLevel("warn");
    await t.cleanup();
  }
});
