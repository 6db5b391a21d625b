import assert from "node:assert/strict";
import { setLogLevel } from "../log.ts";
import { openTestStore, windowRow } from "../tests/db_helpers.ts";
import { createWindowBuffer } from "./buffer.ts";
import type { Store } from "./store.ts";

/** The real store behind a switch that makes writes fail as if the database were down. */
function switchable(store: Store) {
  const state = { down: false, calls: 0 };
  const wrapped: Store = {
    ...store,
    insertWindows(rows) {
      state.calls++;
      return state.down
        ? Promise.reject(new Error("connection refused"))
        : store.insertWindows(rows);
    },
  };
  return { store: wrapped, state };
}

Deno.test("createWindowBuffer() writes in batches and counts", async () => {
  const t = await openTestStore("pglite");
  try {
    const { store, state } = switchable(t.store);
    const buffer = createWindowBuffer(store, {
      max: 100,
      flushMs: 10,
      batchSize: 4,
    });
    for (let seq = 1; seq <= 10; seq++) buffer.push(windowRow("b", seq));
    assert.deepEqual(buffer.stats(), {
      buffered: 10,
      written: 0,
      dropped: 0,
      failures: 0,
    });
    await buffer.flush();
    assert.equal(state.calls, 3);
    assert.deepEqual(buffer.stats(), {
      buffered: 0,
      written: 10,
      dropped: 0,
      failures: 0,
    });
    assert.equal((await t.store.listWindows("b")).length, 10);
    buffer.push(windowRow("b", 11));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(buffer.stats().written, 11);
    await buffer.close();
  } finally {
    await t.cleanup();
  }
});

Deno.test("createWindowBuffer() drops the oldest at the bound, retries while down, loses nothing else", async () => {
  setLogLevel("error");
  const t = await openTestStore("pglite");
  try {
    const { store, state } = switchable(t.store);
    const buffer = createWindowBuffer(store, {
      max: 5,
      flushMs: 5,
      maxBackoffMs: 20,
    });
    state.down = true;
    for (let seq = 1; seq <= 8; seq++) buffer.push(windowRow("d", seq));
    await assert.rejects(buffer.flush(), { message: "connection refused" });
    assert.deepEqual(buffer.stats().dropped, 3);
    assert.equal(buffer.stats().buffered, 5);
    await new Promise((r) => setTimeout(r, 150));
    const failures = buffer.stats().failures;
    assert.ok(failures >= 3, `retried with backoff while down: ${failures}`);
    state.down = false;
    await buffer.flush();
    assert.deepEqual(buffer.stats(), {
      buffered: 0,
      written: 5,
      dropped: 3,
      failures,
    });
    assert.deepEqual((await t.store.listWindows("d")).map((w) => w.seq), [
      4,
      5,
      6,
      7,
      8,
    ]);
    await buffer.close();
  } finally {
    setLogLevel("warn");
    await t.cleanup();
  }
});

Deno.test("createWindowBuffer() keeps writing after flushing an empty buffer (regression: stuck writer)", async () => {
  const t = await openTestStore("pglite");
  try {
    const buffer = createWindowBuffer(t.store, { max: 100, flushMs: 5 });
    await buffer.flush();
    buffer.push(windowRow("e", 1));
    await buffer.flush();
    buffer.push(windowRow("e", 2));
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual((await t.store.listWindows("e")).map((w) => w.seq), [
      1,
      2,
    ]);
    assert.equal(buffer.stats().written, 2);
    await buffer.close();
  } finally {
    await t.cleanup();
  }
});
