/**
 * A tiny tagged-template SQL builder shared by both backends, so PostgreSQL and PGlite run the exact
 * same text. Interpolated values become `$n` parameters; nested {@link Query} values (from `sql`,
 * {@link ident} or {@link join}) are inlined with their parameters renumbered. Identifiers are only
 * ever inlined through {@link ident}, which accepts lower-case SQL names and nothing else.
 */

/** A parameterised statement: text with `$1…$n` placeholders and their values. */
export interface Query {
  readonly text: string;
  readonly params: readonly unknown[];
}

const QUERY = Symbol("query");
type Fragment = Query & { [QUERY]: true };

function fragment(text: string, params: unknown[]): Fragment {
  return { text, params, [QUERY]: true };
}

function isFragment(value: unknown): value is Fragment {
  return typeof value === "object" && value !== null && QUERY in value;
}

/** Builds a {@link Query}; `${value}` is a parameter, `${sql`…`}` a nested fragment. */
export function sql(
  strings: TemplateStringsArray,
  ...values: unknown[]
): Query {
  let text = strings[0];
  const params: unknown[] = [];
  values.forEach((value, i) => {
    if (isFragment(value)) {
      text += value.text.replace(
        /\$(\d+)/g,
        (_, n) => `$${Number(n) + params.length}`,
      );
      params.push(...value.params);
    } else {
      params.push(value);
      text += `$${params.length}`;
    }
    text += strings[i + 1];
  });
  return fragment(text, params);
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

/** A quoted identifier; throws a TypeError unless `name` is a plain lower-case SQL name. */
export function ident(name: string): Query {
  if (!IDENT.test(name)) {
    throw new TypeError(`Invalid SQL identifier "${name}"`);
  }
  return fragment(`"${name}"`, []);
}

/** Joins fragments with a separator (default `, `), renumbering parameters. */
export function join(parts: readonly Query[], separator = ", "): Query {
  let text = "";
  const params: unknown[] = [];
  parts.forEach((part, i) => {
    if (i > 0) text += separator;
    text += part.text.replace(
      /\$(\d+)/g,
      (_, n) => `$${Number(n) + params.length}`,
    );
    params.push(...part.params);
  });
  return fragment(text, params);
}

/**
 * A PostgreSQL array literal (`{1.5,NULL,"a\\"b"}`) for a `${…}::text::float8[]` parameter. Both
 * backends then receive plain text, whatever their array-type support (see _postgres.ts).
 * Non-finite numbers and null become NULL.
 */
export function pgArray(values: readonly (string | number | null)[]): string {
  const items = values.map((v) => {
    if (v === null) return "NULL";
    if (typeof v === "number") return Number.isFinite(v) ? String(v) : "NULL";
    return `"${v.replace(/[\\"]/g, "\\$&")}"`;
  });
  return `{${items.join(",")}}`;
}

/** One result row, columns by name. */
export type Row = Record<string, unknown>;

/** What a backend must provide: run a query, run a script, transactions, LISTEN, close. */
export interface Driver {
  readonly kind: "postgres" | "pglite";
  /** Runs one parameterised statement and returns its rows. */
  run(query: Query): Promise<Row[]>;
  /** Runs a multi-statement script without parameters (migrations only). */
  exec(script: string): Promise<void>;
  /** Runs `fn` inside one transaction on one connection. */
  begin<T>(fn: (tx: Driver) => Promise<T>): Promise<T>;
  /** LISTENs on a channel; resolves to the matching unlisten. */
  listen(
    channel: string,
    onPayload: (payload: string) => void,
  ): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
