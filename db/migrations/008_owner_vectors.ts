/**
 * Owner action vectors as bytes (issue 18): `owner_vectors` holds a window's action vectors as
 * IEEE-754 float32, big-endian, ACTION_FEATURE_NAMES.length values per action one after another,
 * NaN for a missing value (db/_vectors.ts). They were a JSON array of arrays (`owner_actions
 * jsonb`, migration 007): PostgreSQL parsed every number into a `numeric`, which made a
 * window with owner evidence cost about five times a window without in a 1,000-row insert.
 * Existing rows are converted in place to the same layout (`float4send` is big-endian), rounded
 * as the guard's encoder rounds (past float32's range to ±Infinity, below it to 0), then the
 * JSON column is dropped.
 */
export const migration008 = {
  version: 8,
  name: "owner vectors as bytes",
  script: `
alter table feature_windows add column owner_vectors bytea;
update feature_windows w set owner_vectors = (
  select coalesce(string_agg(float4send(case
      when x is null then 'NaN'::float4
      when x > 3.4e38 then 'Infinity'::float4
      when x < -3.4e38 then '-Infinity'::float4
      when abs(x) < 1e-38 then 0::float4
      else x::float4 end), ''::bytea order by a.i, v.j), ''::bytea)
  from jsonb_array_elements(w.owner_actions) with ordinality a(action, i),
    jsonb_array_elements(a.action) with ordinality v(value, j),
    lateral (select (v.value #>> '{}')::float8 as x) n
) where w.owner_actions is not null;
alter table feature_windows drop column owner_actions;
`,
};
