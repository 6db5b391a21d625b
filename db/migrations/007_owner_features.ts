/**
 * Owner features (issue 17): each window's second feature vector, the one the owner check's
 * verifier uses (collector/owner_features.ts: action segmentation, per-action geometry and
 * timing, per-direction and per-axis speed), computed by the server from the window's decoded
 * events at ingest, in OWNER_FEATURE_NAMES order, NULL where a value is missing. The bot model's
 * feature columns are untouched. Older rows have NULL (no owner features): a profile trained on
 * them treats every owner feature as missing. Only timing and geometry; never keys or content.
 * (Versions 6 and 8 are other changes'.)
 */
export const migration007 = {
  version: 7,
  name: "owner features",
  script: `
alter table feature_windows add column owner_features double precision[];
`,
};
