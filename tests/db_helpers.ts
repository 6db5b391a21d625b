/**
 * Test helpers for the store: each backend (real PostgreSQL from DATABASE_URL, PGlite in memory),
 * each test in a fresh schema dropped afterwards. Without DATABASE_URL the Postgres variant is
 * ignored with a visible message, except under CI=true where it fails.
 */
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { FEATURE_NAMES } from "../collector/mod.ts";
import type { FeatureVector } from "../collector/mod.ts";
import { openStore } from "../db/mod.ts";
import type { Store, WindowRow } from "../db/mod.ts";

/** The test database, if any. */
export const DATABASE_URL = Deno.env.get("DATABASE_URL");
const CI = Deno.env.get("CI") === "true";

/** One backend under test. */
export interface Backend {
  name: "postgres" | "pglite";
  /** True when the backend cannot run here (and we are not under CI). */
  ignore: boolean;
}

let warned = false;

/** Both backends; logs once why Postgres is ignored. */
export function backends(): Backend[] {
  if (!DATABASE_URL && !CI && !warned) {
    warned = true;
    console.warn(
      "SKIPPING Postgres store tests: DATABASE_URL is unset (set it, or CI=true to fail instead)",
    );
  }
  return [
    { name: "postgres", ignore: !DATABASE_URL && !CI },
    { name: "pglite", ignore: false },
  ];
}

/** A unique schema name for one test. */
export function freshSchema(prefix = "t"): string {
  return `${prefix}_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
}

let shared: Promise<PGlite> | undefined;

/**
 * One in-memory PGlite per test file (starting one costs seconds); each test store lives in its
 * own schema of it. Pure WASM, nothing for Deno's sanitizers to see, freed with the worker.
 */
export function sharedPglite(): Promise<PGlite> {
  return shared ??= startPglite();
}

// initdb is most of PGlite's start-up: the first test file to start one leaves a dump of the fresh
// cluster in the temp dir, and later files (and runs) load it instead.
const TEMPLATE = `${
  Deno.env.get("TMPDIR") ?? "/tmp"
}/guard-test-pglite-template-v1.tar`;

async function startPglite(): Promise<PGlite> {
  try {
    const data = await Deno.readFile(TEMPLATE);
    return await PGlite.create("memory://", { loadDataDir: new Blob([data]) });
  } catch {
    // No template yet, or one from another PGlite version: start fresh and (re)write it.
  }
  const db = await PGlite.create("memory://");
  const dump = await db.dumpDataDir("none");
  const tmp = `${TEMPLATE}.${crypto.randomUUID()}`;
  await Deno.writeFile(tmp, new Uint8Array(await dump.arrayBuffer()));
  await Deno.rename(tmp, TEMPLATE);
  return db;
}

/** An open store plus the cleanup that closes it and drops its schema. */
export interface TestStore {
  store: Store;
  schema: string;
  cleanup(): Promise<void>;
}

/** Opens a store of `backend` in a fresh schema. */
export async function openTestStore(
  backend: Backend["name"],
  extra: { applicationName?: string; maxConnections?: number } = {},
): Promise<TestStore> {
  const schema = freshSchema();
  if (backend === "postgres" && !DATABASE_URL) {
    throw new Error(
      "DATABASE_URL must be set for the Postgres store tests under CI=true",
    );
  }
  const store = await openStore({
    databaseUrl: backend === "postgres" ? DATABASE_URL : undefined,
    pglite: backend === "pglite" ? await sharedPglite() : undefined,
    schema,
    ...extra,
  });
  return {
    store,
    schema,
    async cleanup() {
      await store.close();
      if (backend === "postgres") await dropSchema(schema);
    },
  };
}

/** Runs `fn` on a store of `backend` in a fresh schema, then cleans up. */
export async function withStore(
  backend: Backend["name"],
  fn: (s: Store) => Promise<void>,
): Promise<void> {
  const t = await openTestStore(backend);
  try {
    await fn(t.store);
  } finally {
    await t.cleanup();
  }
}

/** Drops a test schema on the Postgres test database. */
export async function dropSchema(schema: string): Promise<void> {
  const sql = postgres(DATABASE_URL!, { onnotice: () => {}, max: 1 });
  try {
    await sql`drop schema if exists ${sql(schema)} cascade`;
  } finally {
    await sql.end();
  }
}

/** A feature vector with distinct values, NaN for the names in `missing`. */
export function features(base: number, missing: string[] = []): FeatureVector {
  const out = {} as FeatureVector;
  FEATURE_NAMES.forEach((name, i) => {
    out[name] = missing.includes(name) ? NaN : base + i / 8;
  });
  return out;
}

/** A window row for tests. */
export function windowRow(
  session: string,
  seq: number,
  missing: string[] = [],
): WindowRow {
  return {
    session,
    seq,
    t0: seq * 5000,
    t1: seq * 5000 + 4999.5,
    nEvents: 10 + seq,
    features: features(seq, missing),
  };
}

/** Counts the rows of one table in a test schema, bypassing the store. */
export async function countRows(
  backend: Backend["name"],
  schema: string,
  table: "feature_windows" | "raw_events" | "guard_sessions",
): Promise<number> {
  if (backend === "pglite") {
    const db = await sharedPglite();
    const r = await db.query<{ n: number }>(
      `select count(*)::int as n from "${schema}"."${table}"`,
    );
    return r.rows[0].n;
  }
  const sql = postgres(DATABASE_URL!, { onnotice: () => {}, max: 1 });
  try {
    const [r] = await sql`select count(*)::int as n from ${sql(schema)}.${
      sql(table)
    }`;
    return r.n;
  } finally {
    await sql.end();
  }
}
