/**
 * The collector: the one feature definition (ordered list, pure events → features function), the
 * compact event encoding and the strict schema of an ingest post, and the browser bundle that
 * records raw events and posts them in windows (the server computes the features).
 *
 * ```ts
 * import { buildCollectorBundle, extractFeatures, parsePost, windowEvents } from "./collector/mod.ts";
 * const { code, hash } = await buildCollectorBundle(); // serve at /__guard/c.<hash>.js
 * const result = parsePost(await request.json(), { windowMs: 5000 });
 * if (!result.ok) console.log(result.field); // e.g. "e.17"
 * const vectors = windowEvents(events).map((w) => extractFeatures(w));
 * ```
 *
 * @module
 */
export {
  EVENT_KINDS,
  type EventKind,
  extractFeatures,
  type ExtractOptions,
  FEATURE_LIMIT,
  FEATURE_NAMES,
  type FeatureName,
  featureRow,
  type FeatureVector,
  hasPointerEvidence,
  type KeyClass,
  type RawEvent,
  type WindowEvent,
  windowEvents,
  type WindowOptions,
} from "./features.ts";
export {
  ACTION_FEATURE_NAMES,
  ACTION_PAUSE_MS,
  actionFeatures,
  type ActionMeasures,
  type ActionType,
  actionVector,
  DIRECTION_BINS,
  directionBin,
  DRAG_MIN_PX,
  extractActionVectors,
  MIN_ACTION_PATH_PX,
  type PointerAction,
  type PointerPoint,
  segmentActions,
} from "./owner_actions.ts";
export {
  extractOwnerEvidence,
  extractOwnerFeatures,
  OWNER_FEATURE_NAMES,
  type OwnerFeatureName,
  type OwnerFeatures,
  type OwnerVectors,
} from "./owner_features.ts";
export {
  firstIssue,
  RAW_EVENT_SCHEMA,
  RAW_LITE_SCHEMA,
  type RawLiteEvent,
} from "./schema.ts";
export {
  MAX_WINDOW_EVENTS,
  parsePost,
  type ParsePostOptions,
  type ParsePostResult,
  POST_SCHEMA,
  type WindowPost,
} from "./post.ts";
export {
  decodeEvents,
  type DecodeResult,
  encodeEvents,
  PEN,
  TOUCH,
  UNTRUSTED,
} from "./codec.ts";
export {
  buildCollectorBundle,
  type BuildOptions,
  type CollectorBundle,
  gzipSize,
} from "./build.ts";
export {
  type FeaturesCliOptions,
  parseCliArgs,
  readJsonl,
  runFeaturesCli,
} from "./features_cli.ts";
