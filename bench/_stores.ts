/**
 * The stores a database benchmark runs on, in turn: PostgreSQL (DATABASE_URL, in a throwaway
 * schema dropped afterwards; skipped with a message when unset), then in-memory PGlite.
 *
 * @module
 */
import postgres from "postgres";
import { openStore, type Store } from "../db/mod.ts";

/** One store of the run: its name, and the PostgreSQL schema when it is PostgreSQL. */
export interface BenchStore {
  name: "postgres" | "pglite";
  store: Store;
  /** The throwaway schema (PostgreSQL only), for processes the bench starts beside it. */
  schema?: string;
}

/** Runs `measure` on each store in turn, closing (and dropping) each after it. */
export async function forEachBenchStore(
  measure: (bench: BenchStore) => Promise<void>,
): Promise<void> {
  const url = Deno.env.get("DATABASE_URL");
  if (url) {
    const schema = `bench_${
      crypto.randomUUID().replaceAll("-", "").slice(0, 12)
    }`;
    // Its connections carry the schema's name, so a bench can find its backends' CPU.
    const store = await openStore({
      databaseUrl: url,
      schema,
      applicationName: schema,
    });
    try {
      await measure({ name: "postgres", store, schema });
    } finally {
      await store.close();
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      await sql`drop schema ${sql(schema)} cascade`;
      await sql.end();
    }
  } else {
    console.log("postgres skipped: DATABASE_URL is unset");
  }
  const lite = await openStore({ pgliteDir: "memory://" });
  try {
    await measure({ name: "pglite", store: lite });
  } finally {
    await lite.close();
  }
}
