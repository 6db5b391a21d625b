import assert from "node:assert/strict";
import type { IngestClaim, IngestClaimBatch } from "../../db/mod.ts";
import { createClaimBatcher } from "./_claims.ts";

/** A store whose statements wait until released, recording each batch's sessions. */
function slowStore() {
  const batches: string[][] = [];
  const gates: PromiseWithResolvers<void>[] = [];
  return {
    batches,
    /** Lets the oldest waiting statement finish. */
    release: () => gates.shift()!.resolve(),
    store: {
      async claimIngestPosts(batch: IngestClaimBatch): Promise<IngestClaim[]> {
        batches.push(batch.posts.map((p) => `${p.session}:${p.seq}`));
        const gate = Promise.withResolvers<void>();
        gates.push(gate);
        await gate.promise;
        return batch.posts.map((p) => ({
          outcome: "ok" as const,
          tokens: 1,
          lastSeq: p.seq,
        }));
      },
    },
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

Deno.test("createClaimBatcher() sends claims queued during a statement together, a session in one statement at a time", async () => {
  const { batches, release, store } = slowStore();
  const batcher = createClaimBatcher(store, {
    capacity: 60,
    perMs: 0.001,
    timeoutMs: 10_000,
    maxInFlight: 1,
  });
  const claim = (session: string, seq: number) =>
    batcher.claim({ session, seq, nowMs: 0 });
  const first = claim("a", 1); // idle: sent at once, alone
  await tick();
  assert.deepEqual(batches, [["a:1"]]);
  const queued = [claim("b", 1), claim("a", 2), claim("c", 1), claim("b", 2)];
  await tick();
  assert.equal(batches.length, 1); // waiting for the running statement
  release();
  assert.deepEqual(await first, { outcome: "ok", tokens: 1, lastSeq: 1 });
  await tick();
  // b's second post waits for b's first: one statement updates a row once.
  assert.deepEqual(batches[1], ["b:1", "a:2", "c:1"]);
  release();
  await tick();
  assert.deepEqual(batches[2], ["b:2"]);
  release();
  assert.deepEqual(
    (await Promise.all(queued)).map((c) => c.lastSeq),
    [1, 2, 1, 2],
  );
});

Deno.test("createClaimBatcher() keeps a session's later claim out of a second statement while its first runs", async () => {
  const { batches, release, store } = slowStore();
  const batcher = createClaimBatcher(store, {
    capacity: 60,
    perMs: 0.001,
    timeoutMs: 10_000,
    maxInFlight: 2, // two statements may run at once
  });
  const claims = [
    batcher.claim({ session: "a", seq: 1, nowMs: 0 }),
    batcher.claim({ session: "a", seq: 2, nowMs: 0 }),
    batcher.claim({ session: "b", seq: 1, nowMs: 0 }),
  ];
  await tick();
  // a:1 went at once; a:2 may not join b:1 in the second slot while a:1 runs.
  assert.deepEqual(batches, [["a:1"], ["b:1"]]);
  release();
  await tick();
  assert.deepEqual(batches[2], ["a:2"]);
  release();
  release();
  assert.equal((await Promise.all(claims)).length, 3);
});

Deno.test("createClaimBatcher() fails a statement's claims when the store does not answer in time, and goes on", async () => {
  let calls = 0;
  const batcher = createClaimBatcher({
    claimIngestPosts(batch) {
      calls++;
      return calls === 1
        ? new Promise(() => {}) // a connection that never answers
        : Promise.resolve(batch.posts.map(() => ({
          outcome: "replay" as const,
          tokens: 0,
          lastSeq: 7,
        })));
    },
  }, { capacity: 60, perMs: 0.001, timeoutMs: 20, maxInFlight: 1 });
  await assert.rejects(
    batcher.claim({ session: "a", seq: 1, nowMs: 0 }),
    /timed out/,
  );
  assert.deepEqual(await batcher.claim({ session: "a", seq: 2, nowMs: 0 }), {
    outcome: "replay",
    tokens: 0,
    lastSeq: 7,
  });
});

Deno.test("createClaimBatcher() fails claims that waited past the timeout instead of sending them late", async () => {
  const sent: string[][] = [];
  const batcher = createClaimBatcher({
    claimIngestPosts(batch) {
      sent.push(batch.posts.map((p) => p.session));
      return sent.length === 1
        ? new Promise(() => {}) // hangs: the claims behind it wait
        : Promise.resolve(batch.posts.map(() => ({
          outcome: "ok" as const,
          tokens: 1,
          lastSeq: 1,
        })));
    },
  }, { capacity: 60, perMs: 0.001, timeoutMs: 30, maxInFlight: 1 });
  const first = batcher.claim({ session: "a", seq: 1, nowMs: 0 });
  const late = ["b", "c"].map((session) =>
    batcher.claim({ session, seq: 1, nowMs: 0 })
  );
  await assert.rejects(first, /timed out/);
  for (const claim of late) {
    await assert.rejects(claim, /not sent within 30 ms/);
  }
  assert.deepEqual(sent, [["a"]]);
  // A fresh claim is sent as usual.
  assert.equal(
    (await batcher.claim({ session: "d", seq: 1, nowMs: 0 })).outcome,
    "ok",
  );
  assert.deepEqual(sent, [["a"], ["d"]]);
});

Deno.test("createClaimBatcher() answers a claim within the timeout of its asking, even when its statement starts late", async () => {
  const batcher = createClaimBatcher({
    claimIngestPosts: () => new Promise(() => {}), // every statement hangs
  }, { capacity: 60, perMs: 0.001, timeoutMs: 1000, maxInFlight: 1 });
  const first = batcher.claim({ session: "a", seq: 1, nowMs: 0 });
  first.catch(() => {});
  await new Promise((r) => setTimeout(r, 800));
  // b waits behind a's statement until 1,000 ms, then its own statement gets the 800 ms left.
  const asked = performance.now();
  await assert.rejects(
    batcher.claim({ session: "b", seq: 1, nowMs: 0 }),
    /timed out after/,
  );
  const waited = performance.now() - asked;
  // A full timeout for b's statement would fail it 1,200 ms after it was asked.
  assert.ok(waited >= 950 && waited < 1100, `failed after ${waited} ms`);
  await assert.rejects(first, /timed out after 1000 ms/);
});
