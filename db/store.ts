/**
 * The store's types: one interface, two backends (PostgreSQL, PGlite). Rows are plain objects with
 * camelCase fields; feature values are numbers with NaN for an absent modality.
 *
 * @module
 */
import type { FeatureVector, RawEvent } from "../collector/mod.ts";
import type { OwnerVectors } from "../collector/mod.ts";
import type { ConsoleStore } from "./console.ts";

/** A guard session's state. */
export type SessionState = "active" | "revoked";

/** One raw event as stored: the session travels beside it, so the event may omit it. */
export type StoredRawEvent = Omit<RawEvent, "session"> & { session?: string };

/** A ground-truth label set by an operator or the dataset builder. */
export type Label = "human" | "bot" | "unauthorized";

/** The labels a session can carry, in a stable order. */
export const LABELS: readonly Label[] = ["human", "bot", "unauthorized"];

/** One feature window as posted by the collector (owner vectors: ingest's, migration 007). */
export interface WindowRow extends OwnerVectors {
  session: string;
  seq: number;
  t0: number;
  t1: number;
  nEvents: number;
  features: FeatureVector;
  /** Defaults to the time of the insert. */
  receivedAt?: Date;
}

/** One stored window. */
export interface StoredWindow extends WindowRow {
  receivedAt: Date;
}

/** A score given to one window by one model. */
export interface ScoreRow {
  session: string;
  seq: number;
  score: number;
  verdict: string;
  modelVersion: string;
  at?: Date;
}

/** A decision about a session, with its explanation (decision path, top features, scores). */
export interface DetectionRow {
  session: string;
  verdict: string;
  explanation: unknown;
  at?: Date;
}

/** One guard session. */
export interface SessionRow {
  id: string;
  firstSeen: Date;
  lastSeen: Date;
  userIdentity: string | null;
  state: SessionState;
  revokedReason: string | null;
  label: Label | null;
}

/** A session with what was recorded about it. */
export interface SessionDetail extends SessionRow {
  windowCount: number;
  scores: Required<ScoreRow>[];
  detections: Required<DetectionRow>[];
}

/** What the ingest route needs on first sight of a session. */
export interface SessionIngestState {
  revoked: boolean;
  /** Highest stored seq, or null when the session has no window. */
  lastSeq: number | null;
}

/** One revocation. */
export interface RevocationRow {
  session: string;
  at: Date;
  reason: string;
  instance: string;
}

/** One row of the training export. */
export interface ExportRow {
  session: string;
  seq: number;
  features: FeatureVector;
  label: Label;
}

/** Filters of {@link Store.exportLabelledWindows}. */
export interface ExportOptions {
  /** Only windows received at or after this time. */
  since?: Date;
  label?: Label;
  /** Rows fetched per round trip (default 500): memory stays bounded by this. */
  batchSize?: number;
}

/** Cut-offs of {@link Store.purge}. */
export interface PurgeOptions {
  rawOlderThan: Date;
  windowsOlderThan: Date;
  /** Revocations, revoked credentials and credential bindings that expired by then (default now). */
  revocationsExpiredAt?: Date;
  /** Credential bindings first seen before this are dropped (default: never). */
  bindingsOlderThan?: Date;
  /** Unsent alerts kept at most; the oldest beyond it are dropped (default: no bound). */
  maxUnsentAlerts?: number;
}

/** Rows deleted by {@link Store.purge}, per table (db/_purge.ts says what expires when). */
export interface PurgeResult {
  raw: number;
  windows: number;
  scores: number;
  detections: number;
  /** Alerts already sent; unsent ones are kept. */
  alerts: number;
  /** Sessions neither revoked nor seen since the cut-off, left without a window. */
  sessions: number;
  /** Profiles trained before the cut-off of users not seen since. */
  profiles: number;
  /** Expired revocation log rows, and revoked sessions idle since the cut-off. */
  revocations: number;
  /** Expired revoked credential digests. */
  credentials: number;
  /** Credential bindings older than `bindingsOlderThan`. */
  bindings: number;
  /** Unsent alerts older than the window cut-off or beyond `maxUnsentAlerts`. */
  unsentAlerts: number;
  /** Page views of hours before the window cut-off. */
  pageViews: number;
  /**
   * Fleet state (db/_fleet.ts): session state and ingest rows idle since the window cut-off,
   * rate windows, failed credentials and mail log rows older than an hour.
   */
  shared: number;
}

export type * from "./store_alerts.ts";
import type { AlertInput, AlertRow } from "./store_alerts.ts";
export type * from "./store_shared.ts";
import type {
  BindResult,
  CasResult,
  Credential,
  ForgetResult,
  IngestClaim,
  IngestClaimBatch,
  IngestClaimInput,
  MailBudget,
  ProfileCandidate,
  ProfileRow,
  ProfileWindow,
  ProfileWindowOptions,
  ReloginRisk,
  RevokeOptions,
  RevokeResult,
  SessionStateKind,
  SessionStateSwap,
  SharedState,
} from "./store_shared.ts";

/** The guard's storage. Every method may reject when the database is unreachable. */
export interface Store {
  readonly kind: "postgres" | "pglite";
  /** What the operator console reads, and the page views it shows (db/console.ts). */
  readonly console: ConsoleStore;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Creates the session if new, else moves its last_seen forward. */
  touchSession(id: string, now?: Date): Promise<void>;
  /** Sets the session's user identity (e.g. the upstream login), creating the session if new. */
  setUserIdentity(id: string, identity: string | null): Promise<void>;
  /** Inserts windows in one statement; duplicates of (session, seq) are ignored. Returns rows inserted. */
  insertWindows(rows: readonly WindowRow[]): Promise<number>;
  insertRawEvents(
    session: string,
    events: readonly StoredRawEvent[],
  ): Promise<number>;
  /** A session's raw events (stored with RETAIN_RAW) in time order, each carrying the session. */
  listRawEvents(session: string): Promise<RawEvent[]>;
  listWindows(session: string): Promise<StoredWindow[]>;
  sessionIngestState(id: string): Promise<SessionIngestState>;
  recordScore(row: ScoreRow): Promise<void>;
  /** Many windows' scores in one statement, as {@link recordScore} would record each. */
  recordScores(rows: readonly ScoreRow[]): Promise<void>;
  recordDetection(row: DetectionRow): Promise<void>;
  /**
   * Marks the session revoked with every credential bound to it, records who did it, and
   * NOTIFYs `guard_revocations` with the id (db/_revocations.ts).
   */
  revokeSession(
    id: string,
    reason: string,
    instance: string,
    options?: RevokeOptions,
  ): Promise<RevokeResult>;
  /** Binds credentials (and the client key) to a session; revokes them if it is revoked. */
  bindCredentials(
    session: string,
    credentials: readonly Credential[],
    options: {
      clientKey: string | null;
      maxPerSession: number;
      expiresAt: Date;
    },
  ): Promise<BindResult>;
  /** The digests among these that are revoked and unexpired. */
  revokedAmong(digests: readonly string[], now?: Date): Promise<string[]>;
  /** A page of revoked keys (credential digests or session ids) for a bounded filter. */
  revokedKeysPage(options: {
    kind: "credential" | "session";
    since: Date;
    after: string;
    limit: number;
    now?: Date;
  }): Promise<string[]>;
  /** Revocations of other sessions since `since` with the same client key or user. */
  reloginRisk(options: {
    session: string;
    clientKey: string | null;
    user: string | null;
    since: Date;
  }): Promise<ReloginRisk>;
  isRevoked(id: string): Promise<boolean>;
  listRevokedSince(since: Date): Promise<RevocationRow[]>;
  /** LISTENs on `guard_revocations`; resolves to the unsubscribe function. */
  onRevocation(cb: (id: string) => void): Promise<() => Promise<void>>;
  /** Adds an alert unless its dedupe key exists; true when added. */
  enqueueAlert(alert: AlertInput): Promise<boolean>;
  /**
   * Claims up to `limit` unsent alerts due at `now`, leasing them for a minute (their
   * next_attempt_at moves forward) so that other instances skip them.
   */
  claimDueAlerts(
    limit: number,
    now?: Date,
    channel?: "mail" | "webhook",
  ): Promise<AlertRow[]>;
  markAlertSent(id: number, now?: Date): Promise<void>;
  /** Records a failed attempt: attempts + 1, the error, and when to retry. */
  markAlertFailed(
    id: number,
    error: string,
    nextAttemptAt: Date,
  ): Promise<void>;
  setLabel(session: string, label: Label, setBy: string): Promise<void>;
  listSessions(
    options: { limit: number; state?: SessionState },
  ): Promise<SessionRow[]>;
  getSession(id: string): Promise<SessionDetail | null>;
  exportLabelledWindows(options?: ExportOptions): AsyncIterable<ExportRow>;
  purge(options: PurgeOptions): Promise<PurgeResult>;
  saveProfile(profile: ProfileRow): Promise<void>;
  getProfile(identity: string): Promise<ProfileRow | null>;
  /**
   * Identities with at least `minWindows` clean windows (db/_profiles.ts), most first; only
   * windows received since `options.since` count.
   */
  profileCandidates(
    minWindows: number,
    options?: ProfileWindowOptions,
  ): Promise<ProfileCandidate[]>;
  /**
   * Clean windows of the identity ("owner") or of all others ("others"), at most `limit`,
   * received since `options.since` when given.
   */
  profileWindows(
    identity: string,
    side: "owner" | "others",
    limit: number,
    options?: ProfileWindowOptions,
  ): Promise<ProfileWindow[]>;
  /**
   * Forgets a user: deletes the windows, scores and raw events of the sessions carrying the
   * identity and its profile, and sets those sessions' identity to null (db/_profiles.ts).
   */
  forgetUser(identity: string): Promise<ForgetResult>;
  /** A session's shared state of one kind (db/_fleet.ts), or null. */
  getSessionState(
    session: string,
    kind: SessionStateKind,
  ): Promise<SharedState | null>;
  /** Writes a session's state if it is still at version `expected` (0: none yet). */
  casSessionState(
    session: string,
    kind: SessionStateKind,
    expected: number,
    state: unknown,
  ): Promise<CasResult>;
  /** Many rows' {@link casSessionState} in one statement; results in the order given. */
  casSessionStates(items: readonly SessionStateSwap[]): Promise<CasResult[]>;
  /** One ingest post against the session's shared token bucket and last seq. */
  claimIngestPost(input: IngestClaimInput): Promise<IngestClaim>;
  /**
   * Posts of distinct sessions claimed in one statement, each as {@link claimIngestPost} would;
   * the claims in the order of the posts.
   */
  claimIngestPosts(batch: IngestClaimBatch): Promise<IngestClaim[]>;
  /** Counts a hit of `key` in fixed windows of `windowMs`; the current window's hits. */
  hitRateWindow(key: string, windowMs: number, nowMs: number): Promise<number>;
  /** Records a failed credential of a client address. */
  recordAuthFailure(
    client: string,
    atMs: number,
    windowMs: number,
  ): Promise<void>;
  /** The newest `limit` failure times of a client after `sinceMs`, oldest first. */
  recentAuthFailures(
    client: string,
    sinceMs: number,
    limit: number,
  ): Promise<number[]>;
  /** Reserves emails from the fleet's ALERT_MAX_PER_HOUR budget. */
  reserveAlertMails(
    input: { maxPerHour: number; wanted: number; now: Date },
  ): Promise<MailBudget>;
  /** Gives back emails reserved at `at` whose send failed. */
  releaseAlertMails(at: Date, emails: number): Promise<void>;
}
