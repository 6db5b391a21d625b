import assert from "node:assert/strict";
import { ident, join, pgArray, sql } from "./_sql.ts";

Deno.test("sql() numbers parameters and inlines nested fragments", () => {
  const where = sql`a = ${1} and b = ${"x"}`;
  const q = sql`select ${
    join([ident("a"), ident("b")])
  } from t where ${where} and c = ${true}`;
  assert.equal(
    q.text,
    'select "a", "b" from t where a = $1 and b = $2 and c = $3',
  );
  assert.deepEqual(q.params, [1, "x", true]);
  const j = join([sql`${5}`, sql`${6}`], " + ");
  assert.deepEqual([j.text, j.params], ["$1 + $2", [5, 6]]);
});

Deno.test("ident() accepts only plain lower-case names", () => {
  assert.equal(ident("speed_mean").text, '"speed_mean"');
  for (const bad of ['a"b', "A", "1a", "a b", "", "a;drop"]) {
    assert.throws(
      () => ident(bad),
      new TypeError(`Invalid SQL identifier "${bad}"`),
    );
  }
});

Deno.test("pgArray() writes array literals with NULL for null and non-finite", () => {
  assert.equal(
    pgArray([1.5, null, NaN, -Infinity, 1e300, 0]),
    "{1.5,NULL,NULL,NULL,1e+300,0}",
  );
  assert.equal(
    pgArray(['a"b', "c\\d", "", "x,y}"]),
    '{"a\\"b","c\\\\d","","x,y}"}',
  );
  assert.equal(pgArray([]), "{}");
});
