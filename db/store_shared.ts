/**
 * The store's types for what instances share and what revocation binds: fleet state (db/_fleet.ts)
 * revoked credentials (db/_revocations.ts) and owner profiles (db/_profiles.ts). Split from
 * store.ts, which re-exports them.
 *
 * @module
 */
import type { FeatureVector, OwnerFeatures } from "../collector/mod.ts";

/** Kinds of shared per-session state (db/_fleet.ts). */
export type SessionStateKind = "evidence" | "silence";

/** A session's shared state: its JSON and the version a compare and swap expects. */
export interface SharedState {
  version: number;
  state: unknown;
}

/** One row's compare and swap for {@link Store.casSessionStates}. */
export interface SessionStateSwap {
  session: string;
  kind: SessionStateKind;
  /** The version the state was computed from (0: no row yet). */
  expected: number;
  state: unknown;
}

/** What {@link Store.casSessionState} did: written as `version`, or the newer row found. */
export type CasResult = { ok: true; version: number } | {
  ok: false;
  /** The row as it is now (null only if it vanished, e.g. purged). */
  current: SharedState | null;
};

/** One ingest post for {@link Store.claimIngestPost}. */
export interface IngestClaimInput {
  session: string;
  seq: number;
  /** INGEST_RATE_PER_MIN: the bucket's capacity. */
  capacity: number;
  /** Tokens refilled per ms (capacity / 60,000). */
  perMs: number;
  /** The instance's clock, ms. */
  nowMs: number;
}

/** Posts of distinct sessions for {@link Store.claimIngestPosts}, under one bucket setting. */
export interface IngestClaimBatch {
  /** INGEST_RATE_PER_MIN: the bucket's capacity. */
  capacity: number;
  /** Tokens refilled per ms (capacity / 60,000). */
  perMs: number;
  posts: readonly Omit<IngestClaimInput, "capacity" | "perMs">[];
}

/** The fleet's answer to one ingest post. */
export interface IngestClaim {
  /** `ok`: accepted, its seq taken; `rate`: no token left; `replay`: seq not above the last. */
  outcome: "ok" | "rate" | "replay";
  /** Tokens left in the shared bucket. */
  tokens: number;
  /** The highest accepted seq after this post. */
  lastSeq: number | null;
}

/** Emails granted from the fleet's hourly budget (db/_fleet.ts `reserveAlertMails`). */
export interface MailBudget {
  /** 0: none left; the number of alerts wanted: one each; 1 (of more): one digest. */
  emails: number;
  /** With 0 emails: when the oldest send of the hour ages out. */
  retryAt: Date | null;
}

/** One auth cookie value as the store knows it: its keyed digest, never the value. */
export interface Credential {
  /** base64url HMAC-SHA256(GUARD_SECRET, "auth|" + name + "=" + value). */
  digest: string;
  /** The cookie's name. */
  name: string;
}

/** Options of {@link Store.revokeSession}. */
export interface RevokeOptions {
  /** Credentials seen on the session by this instance (bound first, then revoked). */
  credentials?: readonly Credential[];
  /** The session's client key, when known here. */
  clientKey?: string | null;
  /** When the revocation and its credentials expire (default 30 days from now). */
  expiresAt?: Date;
}

/** What {@link Store.revokeSession} found. */
export interface RevokeResult {
  clientKey: string | null;
  /** The user USER_HEADER named for the session, if any. */
  user: string | null;
  /** Credential digests revoked with it. */
  credentials: number;
}

/** What {@link Store.bindCredentials} found. */
export interface BindResult {
  /** True when the session was already revoked (the credentials were then revoked too). */
  revoked: boolean;
}

/** Recent revocations sharing a new session's client key or user. */
export interface ReloginRisk {
  revocations: number;
  lastAt: Date | null;
}

/** A user's behaviour profile: a serialized verifier model (middleware/detect/verifier.ts). */
export interface ProfileRow {
  identity: string;
  /** The model JSON. */
  model: string;
  version: string;
  /** Owner windows it was trained on. */
  ownerWindows: number;
  /**
   * The owner check's zero point on window scores 1 − P(owner): the midpoint of the held-out
   * owner and other windows' mean scores (middleware/detect/profiles.ts `trainProfile`).
   */
  calibration: number;
  /**
   * The profile's score scale: mean held-out other score minus mean held-out owner score (both
   * 1 − P(owner)); the owner check divides by it (per-user normalisation). Absent: older profile.
   */
  spread?: number;
  trainedAt: Date;
}

/** An identity with enough clean windows to train a profile. */
export interface ProfileCandidate {
  identity: string;
  windows: number;
}

/**
 * A clean window as a profile is trained on it: its features, its owner features and action
 * vectors when it has them (migration 007; NaN for a missing value).
 */
export type ProfileWindow = FeatureVector & Partial<OwnerFeatures> & {
  actions?: number[][];
};

/** Options of the profile window queries (Store.profileCandidates, Store.profileWindows). */
export interface ProfileWindowOptions {
  /** Only windows received at or after this time (PROFILE_WINDOW_DAYS ago); default all. */
  since?: Date;
}

/** Rows removed by Store.forgetUser. */
export interface ForgetResult {
  /** Sessions that carried the identity (now carrying none). */
  sessions: number;
  windows: number;
  scores: number;
  rawEvents: number;
  profiles: number;
}
