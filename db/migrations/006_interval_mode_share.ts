/**
 * The `interval_mode_share` feature (collector/features.ts; issue 13 item 5): the share of a
 * window's in-stroke move intervals within ±1 ms of their most common value. Its column would also
 * be added by `ensureFeatureColumns` (db/_migrate.ts); this migration records the schema change
 * with its version, and `if not exists` keeps it a no-op on a database whose first migration
 * already made the column from the current FEATURE_NAMES. Rows stored before it read NULL (NaN: not
 * measured), which the model treats as a missing value.
 */
export const migration006 = {
  version: 6,
  name: "interval mode share",
  script: `
alter table feature_windows add column if not exists "interval_mode_share" double precision;
`,
};
