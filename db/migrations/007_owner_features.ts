/**
 * Owner features (issue 17): each window's second feature vector, the one the owner check's
 * verifier uses (collector/owner_features.ts: action segmentation, per-action geometry and
 * timing, per-direction and per-axis speed), computed by the server from the window's decoded
 * events at ingest, in OWNER_FEATURE_NAMES order, NULL where a value is missing. The bot model's
 * feature columns are untouched. Older rows have NULL (no owner features): a profile trained on
 * them treats every owner feature as missing. Only timing and geometry; never keys or content.
 * `owner_actions`: the window's action vectors (`extractActionVectors`, ACTION_FEATURE_NAMES
 * order, null for a missing value) as a JSON array of arrays, for the profile's action forest.
 * `user_profiles.calibration_spread`: the profile's per-user score scale (profiles.ts).
 * (Versions 6 and 8 are other changes'.)
 */
export const migration007 = {
  version: 7,
  name: "owner features",
  script: `
alter table feature_windows add column owner_features double precision[];
alter table feature_windows add column owner_actions jsonb;
alter table user_profiles add column calibration_spread double precision;
`,
};
