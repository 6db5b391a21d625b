import postgres from "postgres";
import type { Driver, Query, Row } from "./_sql.ts";

/** Options for {@link openPostgresDriver}. */
export interface PostgresDriverOptions {
  schema: string;
  applicationName?: string;
  max?: number;
}

type Pg = postgres.Sql | postgres.TransactionSql;

function wrap(pg: Pg, root: postgres.Sql): Driver {
  return {
    kind: "postgres",
    async run(query: Query): Promise<Row[]> {
      // The builder's text is fixed SQL plus `$n` placeholders; values travel as parameters.
      const rows = await pg.unsafe(
        query.text,
        query.params as postgres.ParameterOrJSON<never>[],
        { prepare: true },
      );
      return rows as unknown as Row[];
    },
    async exec(script: string): Promise<void> {
      await pg.unsafe(script);
    },
    begin<T>(fn: (tx: Driver) => Promise<T>): Promise<T> {
      return root.begin((tx) => fn(wrap(tx, root))) as Promise<T>;
    },
    async listen(channel, onPayload) {
      const sub = await root.listen(channel, onPayload);
      return () => sub.unlisten();
    },
    async close(): Promise<void> {
      await root.end({ timeout: 2 });
    },
  };
}

/** Opens a porsager/postgres pool whose connections use `schema` as their search path. */
export function openPostgresDriver(
  url: string,
  options: PostgresDriverOptions,
): Driver {
  const root = postgres(url, {
    max: options.max ?? 10,
    // The array-type query run on each new connection leaks an unhandled rejection when that
    // connection is killed (porsager/postgres#1192, #1223); our arrays are sent as text instead.
    fetch_types: false,
    onnotice: () => {},
    connection: {
      search_path: options.schema,
      application_name: options.applicationName ?? "guard",
    },
  });
  return wrap(root, root);
}
