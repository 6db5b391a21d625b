import { migration001 } from "./migrations/001_init.ts";
import { ident, sql } from "./_sql.ts";
import type { Driver } from "./_sql.ts";

/** One versioned migration; versions only grow and are applied in order. */
export interface Migration {
  version: number;
  name: string;
  script: string;
}

/** Every migration, in order. Append; never edit one that has shipped. */
export const MIGRATIONS: readonly Migration[] = [migration001];

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
    return applied;
  });
}
