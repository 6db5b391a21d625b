import assert from "node:assert/strict";
import { createGroupCommit } from "./group_commit.ts";

/** A writer whose statements the test completes or fails one at a time. */
function heldWriter() {
  const statements: { rows: number[]; done: PromiseWithResolvers<void> }[] = [];
  const writeMany = (rows: number[]) => {
    const done = Promise.withResolvers<void>();
    statements.push({ rows, done });
    return done.promise;
  };
  return { statements, writeMany };
}

const tick = () => new Promise((ok) => setTimeout(ok, 0));

Deno.test("createGroupCommit() sends a lone row at once and the rows asked during its statement together, in order", async () => {
  const { statements, writeMany } = heldWriter();
  const write = createGroupCommit(writeMany, { maxInFlight: 1 });
  const first = write(1);
  assert.deepEqual(statements.map((s) => s.rows), [[1]], "sent at once");
  const rest = [write(2), write(3), write(4)];
  await tick();
  assert.equal(statements.length, 1, "waits for the running statement");
  statements[0].done.resolve();
  await first;
  await tick();
  assert.deepEqual(statements.map((s) => s.rows), [[1], [2, 3, 4]]);
  statements[1].done.resolve();
  await Promise.all(rest);
});

Deno.test("createGroupCommit() fails only the rows of the failed statement, and keeps going", async () => {
  const { statements, writeMany } = heldWriter();
  const write = createGroupCommit(writeMany, {
    maxBatch: 2,
    maxInFlight: 1,
  });
  const one = write(1);
  const [two, three, four] = [write(2), write(3), write(4)];
  statements[0].done.reject(new Error("database down"));
  await assert.rejects(one, /database down/);
  await tick();
  assert.deepEqual(
    statements.map((s) => s.rows),
    [[1], [2, 3]],
    "at most 2 a statement",
  );
  statements[1].done.resolve();
  await Promise.all([two, three]);
  await tick();
  assert.deepEqual(statements[2].rows, [4]);
  statements[2].done.resolve();
  await four;
  // Idle again: the next row goes at once.
  const five = write(5);
  assert.deepEqual(statements[3].rows, [5]);
  statements[3].done.resolve();
  await five;
});

Deno.test("createGroupCommit() with two in flight: the second statement fills while the first runs", async () => {
  const { statements, writeMany } = heldWriter();
  const write = createGroupCommit(writeMany, { maxInFlight: 2 });
  const rows = [write(1), write(2), write(3), write(4)];
  assert.deepEqual(statements.map((s) => s.rows), [[1], [2]]);
  statements[1].done.resolve();
  await rows[1];
  await tick();
  assert.deepEqual(statements.map((s) => s.rows), [[1], [2], [3, 4]]);
  statements[0].done.resolve();
  statements[2].done.resolve();
  await Promise.all(rows);
});

Deno.test("createGroupCommit() keeps rows of one key apart (never in one statement, never two at once) and answers each row with its result", async () => {
  const statements: { rows: string[]; done: PromiseWithResolvers<void> }[] = [];
  const write = createGroupCommit(
    async (rows: string[]) => {
      const done = Promise.withResolvers<void>();
      statements.push({ rows, done });
      await done.promise;
      return rows.map((r) => r.toUpperCase());
    },
    { keyOf: (row) => row[0], maxInFlight: 2 },
  );
  const asked = ["a1", "a2", "b1", "a3", "c1"].map(write);
  assert.deepEqual(statements.map((s) => s.rows), [["a1"], ["b1"]]);
  statements[0].done.resolve();
  assert.equal(await asked[0], "A1");
  await tick();
  // "a" is free again, "b" still runs: a2 goes with c1; a3 waits for a2.
  assert.deepEqual(statements.map((s) => s.rows), [["a1"], ["b1"], [
    "a2",
    "c1",
  ]]);
  statements[1].done.resolve();
  statements[2].done.resolve();
  assert.deepEqual(await Promise.all(asked.slice(1, 3)), ["A2", "B1"]);
  await tick();
  assert.deepEqual(statements.at(-1)?.rows, ["a3"]);
  statements.at(-1)!.done.resolve();
  assert.deepEqual(await Promise.all(asked), ["A1", "A2", "B1", "A3", "C1"]);
});
