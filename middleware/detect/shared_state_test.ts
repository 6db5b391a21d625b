/**
 * Shared session state on real PostgreSQL: instances (each its own store connection, as a fleet
 * has) update the same sessions at once, their swaps grouped per round trip, and lose nothing.
 */
import assert from "node:assert/strict";
import { openStore, type Store } from "../../db/mod.ts";
import {
  backends,
  DATABASE_URL,
  dropSchema,
  freshSchema,
} from "../../tests/db_helpers.ts";
import { createSharedStates } from "./shared_state.ts";

const postgres = backends().find((b) => b.name === "postgres")!;

Deno.test({
  name:
    "shared state: three instances counting the same 20 sessions at once lose no count (grouped swaps, conflicts retried)",
  ignore: postgres.ignore,
  async fn() {
    const schema = freshSchema("shared");
    const stores: Store[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        stores.push(await openStore({ databaseUrl: DATABASE_URL!, schema }));
      }
      const instances = stores.map((store) =>
        createSharedStates<{ n: number }>({
          store,
          kind: "evidence",
          initial: () => Promise.resolve({ n: 0 }),
          retries: 1000,
        })
      );
      // 600 increments: every instance, every session, 10 times, all in flight together.
      await Promise.all(
        Array.from({ length: 600 }, (_, i) =>
          instances[i % 3].update(
            `s${Math.floor(i / 3) % 20}`,
            (prev) => ({ n: prev.n + 1 }),
          )),
      );
      const counts = await Promise.all(
        Array.from(
          { length: 20 },
          (_, s) => stores[0].getSessionState(`s${s}`, "evidence"),
        ),
      );
      assert.deepEqual(
        counts.map((row) => [row?.version, (row?.state as { n: number }).n]),
        Array.from({ length: 20 }, () => [30, 30]),
      );
      // Each instance's own view ends at the fleet's newest after reading it.
      assert.deepEqual(await instances[1].read("s7"), { n: 30 });
    } finally {
      for (const store of stores) await store.close();
      if (DATABASE_URL) await dropSchema(schema);
    }
  },
});
