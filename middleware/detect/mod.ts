/**
 * Detection at the HTTP layer: it runs the decisions of detect/ (window scores, the session rule) and the
 * response (revoke, log out, record, alert) when a session turns out to be a bot; and, with
 * USER_HEADER, the owner check (identify.ts, profiles.ts, owner.ts; its verifier is detect/) for a human who
 * is not the account's owner.
 *
 * @example
 * ```ts
 * const models = await openModelSource(config.MODEL_PATH, { expectedFeatures: FEATURE_NAMES });
 * const onWindow = createDetector({
 *   store,
 *   model: models.current,
 *   mode: config.mode,
 *   verdict: verdictOptionsOf(config),
 *   loginUrl: config.LOGIN_URL,
 *   revoke: gate.revoke,
 * });
 * createIngestRoute({ ..., onWindow });
 * ```
 *
 * @module
 */
export {
  createDetector,
  type DetectAction,
  type DetectionExplanation,
  type DetectorOptions,
  type DetectStore,
  type ScoredWindow,
  scoreWindow,
} from "./detector.ts";
export {
  type LoadedModel,
  type ModelSource,
  type ModelSourceOptions,
  modelVersion,
  openModelSource,
} from "./model_source.ts";
export {
  type Candidate,
  type CandidateComparison,
  type ModelFile,
  promoteCandidate,
  type PromoteOptions,
  readCandidate,
} from "./promote.ts";
export {
  createDetection,
  type Detection,
  type DetectionConfig,
  type DetectionOptions,
  type DetectWindow,
} from "./setup.ts";
export {
  type ActivityOptions,
  type ActivityRequest,
  ASSET_EXTENSIONS,
  countsAsActivity,
} from "./activity.ts";
export {
  createSilenceWatch,
  recordUnverified,
  type SilenceStore,
  type SilenceWatch,
  type SilenceWatchOptions,
  type UnverifiedExplanation,
} from "./silence_watch.ts";
export { createOwnerCheck, type OwnerCheckOptions } from "./owner.ts";
export { createIdentify, type Identify } from "./identify.ts";
export {
  eerThreshold,
  equalErrorRate,
  MAX_OTHER_WINDOWS,
  MAX_OWNER_WINDOWS,
  type ProfileReport,
  type ProfileRetrainOptions,
  startProfileRetrain,
  type TrainedProfile,
  trainProfile,
  trainProfiles,
  type TrainProfilesOptions,
} from "./profiles.ts";
