import { FEATURE_NAMES } from "../collector/mod.ts";
import { migration001 } from "./migrations/001_init.ts";
import { migration002 } from "./migrations/002_profiles.ts";
import { migration003 } from "./migrations/003_logout.ts";
import { migration004 } from "./migrations/004_page_views.ts";
import { migration005 } from "./migrations/005_fleet.ts";
import { migration006 } from "./migrations/006_interval_mode_share.ts";
import { migration007 } from "./migrations/007_owner_features.ts";
import { migration008 } from "./migrations/008_owner_vectors.ts";
import { ident, sql } from "./_sql.ts";
import type { Driver } from "./_sql.ts";

/** One versioned migration; versions only grow and are applied in order. */
export interface Migration {
  version: number;
  name: string;
  script: string;
}

/** Every migration, in order. Append; never edit one that has shipped. */
export const MIGRATIONS: readonly Migration[] = [
  migration001,
  migration002,
  migration003,
  migration004,
  migration005,
  migration006,
  migration007,
  migration008,
];

/**
 * Creates `schema` if needed and applies the missing migrations in one transaction, holding a
 * transaction-scoped advisory lock so two instances starting at once apply each migration once.
 *
 * @returns the versions applied by this call
 */
export async function migrate(
  driver: Driver,
  schema: string,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  return await driver.begin(async (tx) => {
    await tx.run(
      sql`select pg_advisory_xact_lock(hashtext(${`guard_migrations:${schema}`}))`,
    );
    await tx.run(sql`create schema if not exists ${ident(schema)}`);
    await tx.run(
      sql`create table if not exists ${ident(schema)}.schema_migrations (
      version integer primary key,
      name text not null,
      applied_at timestamptz not null default now()
    )`,
    );
    const rows = await tx.run(
      sql`select version from ${ident(schema)}.schema_migrations`,
    );
    const done = new Set(rows.map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await tx.exec(`set local search_path to "${schema}";\n${m.script}`);
      await tx.run(
        sql`insert into ${
          ident(schema)
        }.schema_migrations (version, name) values (${m.version}, ${m.name})`,
      );
      applied.push(m.version);
    }
    await ensureFeatureColumns(tx, schema);
    return applied;
  });
}

/**
 * Adds a `double precision` column for every feature of FEATURE_NAMES that the windows table
 * lacks, so a feature added to the list reaches the database without a hand-written migration.
 * Columns of features removed from the list are kept (old rows stay readable); nothing is dropped.
 * Runs inside the migration transaction, under its advisory lock.
 */
async function ensureFeatureColumns(
  tx: Parameters<Parameters<Driver["begin"]>[0]>[0],
  schema: string,
): Promise<void> {
  const rows = await tx.run(
    sql`select column_name from information_schema.columns
      where table_schema = ${schema} and table_name = 'feature_windows'`,
  );
  const present = new Set(rows.map((r) => String(r.column_name)));
  for (const name of FEATURE_NAMES) {
    if (present.has(name)) continue;
    await tx.run(
      sql`alter table ${ident(schema)}.feature_windows add column ${
        ident(name)
      } double precision`,
    );
  }
}
