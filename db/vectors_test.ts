import assert from "node:assert/strict";
import { ACTION_FEATURE_NAMES } from "../collector/mod.ts";
import { migrate, MIGRATIONS } from "./_migrate.ts";
import { openPostgresDriver } from "./_postgres.ts";
import { sharedPgliteDriver } from "./_pglite.ts";
import { sql } from "./_sql.ts";
import type { Driver } from "./_sql.ts";
import { decodeVectors, encodeVectors, toHex } from "./_vectors.ts";
import { readWindowVector } from "./_windows.ts";
import {
  backends,
  DATABASE_URL,
  dropSchema,
  freshSchema,
  sharedPglite,
} from "../tests/db_helpers.ts";

const W = ACTION_FEATURE_NAMES.length;

/** A vector of W values from a few, the rest counting up. */
function vector(...head: number[]): number[] {
  return Array.from({ length: W }, (_, i) => i < head.length ? head[i] : i);
}

Deno.test("action vectors round-trip as float32 big-endian bytes", () => {
  const vectors = [vector(1.5, NaN, 0.1, -2.25, 1e-50, 1e39), vector(7)];
  const bytes = encodeVectors(vectors, W);
  assert.equal(bytes.length, 2 * W * 4);
  // 1.5 as float32 big-endian is 3f c0 00 00.
  assert.equal(toHex(bytes.subarray(0, 4)), "3fc00000");
  const back = decodeVectors(bytes, W);
  // Rounded to float32 as DataView rounds: past its range to ±Infinity, below it to 0.
  assert.deepEqual(back[0].slice(0, 6), [
    1.5,
    NaN,
    Math.fround(0.1),
    -2.25,
    0,
    Infinity,
  ]);
  assert.deepEqual(back[1], vector(7));
  // The `\x…` text a driver may hand back reads the same.
  assert.deepEqual(decodeVectors(`\\x${toHex(bytes)}`, W), back);
  assert.deepEqual(decodeVectors(new Uint8Array(0), W), []);
});

Deno.test("a vector of the wrong width is refused, stored or not", () => {
  assert.throws(
    () => encodeVectors([[1, 2, 3]], W),
    { name: "RangeError", message: `an action vector has 3 values, not ${W}` },
  );
  assert.throws(
    () => decodeVectors(new Uint8Array(W * 4 + 4), W),
    {
      name: "RangeError",
      message: `stored action vectors have ${
        W * 4 + 4
      } bytes, not a multiple of ${W * 4}`,
    },
  );
});

async function driverFor(
  backend: "postgres" | "pglite",
  schema: string,
): Promise<Driver> {
  if (backend === "pglite") {
    return sharedPgliteDriver(await sharedPglite(), schema);
  }
  if (!DATABASE_URL) throw new Error("DATABASE_URL must be set under CI=true");
  return openPostgresDriver(DATABASE_URL, { schema, max: 1 });
}

for (const { name, ignore } of backends()) {
  Deno.test({
    name:
      `migration 8 converts stored JSON action vectors to the same values (${name})`,
    ignore,
    fn: async () => {
      const schema = freshSchema();
      const db = await driverFor(name, schema);
      try {
        assert.deepEqual(await migrate(db, schema, MIGRATIONS.slice(0, 7)), [
          1,
          2,
          3,
          4,
          5,
          6,
          7,
        ]);
        const json = JSON.stringify([
          vector(1.5, null as unknown as number, 0.1, -2.25, 1e-50, 1e39),
          vector(7),
        ]);
        await db.run(
          sql`insert into guard_sessions (id) values ('a'), ('b'), ('c')`,
        );
        await db.run(
          sql`insert into feature_windows (session, seq, t0, t1, n_events, owner_actions)
          values ('a', 0, 0, 1, 9, ${json}::text::jsonb), ('b', 0, 0, 1, 9, '[]'::jsonb),
            ('c', 0, 0, 1, 9, null)`,
        );
        assert.deepEqual(await migrate(db, schema), [8]);
        const rows = await db.run(
          sql`select * from feature_windows order by session`,
        );
        assert.equal("owner_actions" in rows[0], false);
        assert.deepEqual(readWindowVector(rows[0]).actions, [
          vector(1.5, NaN, Math.fround(0.1), -2.25, 0, Infinity),
          vector(7),
        ]);
        assert.deepEqual(readWindowVector(rows[1]).actions, []);
        assert.equal(readWindowVector(rows[2]).actions, undefined);
      } finally {
        await db.close();
        if (name === "postgres") await dropSchema(schema);
      }
    },
  });
}
