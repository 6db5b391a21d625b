import { PGlite, type Transaction } from "@electric-sql/pglite";
import type { Driver, Query, Row } from "./_sql.ts";

type Lite = PGlite | Transaction;

function wrap(db: Lite, root: PGlite, scope?: string): Driver {
  return {
    kind: "pglite",
    async run(query: Query): Promise<Row[]> {
      if (scope !== undefined && db === root) {
        return await root.transaction(async (tx) => {
          await tx.exec(scope);
          return (await tx.query<Row>(query.text, [...query.params])).rows;
        });
      }
      const result = await db.query<Row>(query.text, [...query.params]);
      return result.rows;
    },
    async exec(script: string): Promise<void> {
      await db.exec(script);
    },
    begin<T>(fn: (tx: Driver) => Promise<T>): Promise<T> {
      return root.transaction(async (tx) => {
        if (scope !== undefined) await tx.exec(scope);
        return await fn(wrap(tx, root));
      });
    },
    async listen(channel, onPayload) {
      const unlisten = await root.listen(channel, onPayload);
      return () => unlisten();
    },
    async close(): Promise<void> {
      if (scope === undefined && !root.closed) await root.close();
    },
  };
}

/**
 * Opens PGlite (PostgreSQL in WASM) in `dir`, or in memory for `memory://`. One connection, so the
 * search path set here holds for every later statement.
 */
export async function openPgliteDriver(
  dir: string,
  schema: string,
): Promise<Driver> {
  if (!dir.startsWith("memory://")) await Deno.mkdir(dir, { recursive: true });
  const root = await PGlite.create(dir);
  await root.exec(`set search_path to "${schema}"`);
  return wrap(root, root);
}

/**
 * Uses a PGlite instance shared by several stores (tests: one instance, one schema per test).
 * Each statement runs in a transaction that sets its own search path; close() leaves it open.
 */
export function sharedPgliteDriver(instance: PGlite, schema: string): Driver {
  return wrap(instance, instance, `set local search_path to "${schema}"`);
}
