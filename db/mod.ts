/**
 * The guard's storage: PostgreSQL when DATABASE_URL is set, PGlite (PostgreSQL in WASM) otherwise.
 * Both run the same SQL and the same versioned migrations. See db/README.md for the schema, the
 * ingest buffer bound and retention.
 *
 * @example
 * ```ts
 * import { createWindowBuffer, openStore } from "./db/mod.ts";
 * const store = await openStore({ databaseUrl: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR });
 * const buffer = createWindowBuffer(store, { max: 50_000, flushMs: 250 });
 * buffer.push({ session: "abc", seq: 1, t0: 0, t1: 5000, nEvents: 42, features });
 * await buffer.close();
 * await store.close();
 * ```
 *
 * @module
 */
export { openStore } from "./open.ts";
export type { OpenStoreOptions } from "./open.ts";
export { createWindowBuffer, withTimeout } from "./buffer.ts";
export { createGroupCommit, type GroupCommitOptions } from "./group_commit.ts";
export type {
  WindowBuffer,
  WindowBufferOptions,
  WindowBufferStats,
} from "./buffer.ts";
export { purgeExpired, startRetention } from "./retention.ts";
export type { RetentionOptions } from "./retention.ts";
export { EXPORT_HEADER, exportCsv } from "./export.ts";
export { REVOCATION_CHANNEL } from "./_sessions.ts";
export { ALERT_LEASE_SECONDS, INCIDENT_SESSIONS } from "./_alerts.ts";
export { LABELS } from "./store.ts";
export { CONSOLE_VERDICTS } from "./console.ts";
export type {
  ConsoleSessionRow,
  ConsoleStore,
  ConsoleVerdict,
  FlaggedTop,
  LabelOutcome,
  MonitorImpact,
  OutboxHealth,
  PageView,
  ScoreHistogram,
  SessionPage,
  SessionSearch,
  TrafficBucket,
} from "./console.ts";
export type {
  AlertInput,
  AlertRow,
  BindResult,
  CasResult,
  Credential,
  DetectionRow,
  ExportOptions,
  ExportRow,
  IngestClaim,
  IngestClaimBatch,
  IngestClaimInput,
  Label,
  MailBudget,
  ProfileCandidate,
  ProfileRow,
  PurgeOptions,
  PurgeResult,
  ReloginRisk,
  RevocationRow,
  RevokeOptions,
  RevokeResult,
  ScoreRow,
  SessionDetail,
  SessionIngestState,
  SessionRow,
  SessionState,
  SessionStateKind,
  SessionStateSwap,
  SharedState,
  Store,
  StoredRawEvent,
  StoredWindow,
  WindowRow,
} from "./store.ts";
