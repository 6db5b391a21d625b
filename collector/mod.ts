/**
 * The collector: the one feature definition (ordered list, pure events → features function), the
 * strict schema of an ingest post, and the browser bundle that records and posts feature windows.
 *
 * ```ts
 * import { buildCollectorBundle, extractFeatures, parsePost, windowEvents } from "./collector/mod.ts";
 * const { code, hash } = await buildCollectorBundle(); // serve at /__guard/c.<hash>.js
 * const result = parsePost(await request.json());
 * if (!result.ok) console.log(result.field); // e.g. "features.speed_mean"
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
  firstIssue,
  parsePost,
  type ParsePostResult,
  POST_SCHEMA,
  RAW_EVENT_SCHEMA,
  RAW_LITE_SCHEMA,
  type RawLiteEvent,
  type WindowPost,
} from "./schema.ts";
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
