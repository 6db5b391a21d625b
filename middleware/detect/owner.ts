/**
 * The owner check: is the person on this session the account's owner? Catches an unauthorized
 * user (a human on someone else's logged-in session), which the bot model cannot: both are human.
 *
 * A session carries a user identity when the upstream names the logged-in user in USER_HEADER
 * (see identify.ts). When that user has a profile (a verifier trained by `deno task profiles` on
 * the windows of their own past sessions; verifier.ts, profiles.ts), every window with pointer
 * evidence gets s = 1 − P(owner), centred on the profile's calibration c (its equal-error
 * threshold): the window's log-odds are logit(s) − logit(c). The same sequential rule as the bot
 * verdict (verdict.ts) runs on them with its own threshold (OWNER_THRESHOLD, OWNER_MIN_WINDOWS,
 * VERDICT_DECAY). Crossing it is an "unauthorized" detection: recorded with its explanation and
 * alerted. With OWNER_ACTION=logout in enforce mode the session is also revoked and logged out,
 * like a bot; the default, `alert`, leaves that to an admin, because a person's behaviour is
 * far less separable from another person's than from a script's (docs/user_verification.md).
 *
 * Profiles are read from the store per identity and cached for `profileTtlMs`, so a retrained
 * profile is picked up by every instance within that time. Owner evidence lives in memory
 * (bounded); after a restart it starts over (the stored scores, version `owner:…`, stay for review).
 *
 * @module
 */
import {
  extractActionVectors,
  extractOwnerFeatures,
  type FeatureVector,
  hasPointerEvidence,
  type OwnerVectors,
} from "../../collector/mod.ts";
import type { Store } from "../../db/mod.ts";
import { log } from "../../log.ts";
import type { Model } from "../../tree/mod.ts";
import {
  type DetectAction,
  explainWindow,
  OWNER_VERSION_PREFIX,
  recordVerdict,
  type ScoredWindow,
  settle,
} from "./detector.ts";
import {
  calibratedScore,
  type EvidenceState,
  initialEvidence,
  type OwnerModel,
  ownerModelProbability,
  parseOwnerModel,
  stepEvidence,
  type VerdictOptions,
} from "../../detect/mod.ts";

/** The store methods the owner check uses. */
export type OwnerStore = Pick<
  Store,
  | "getProfile"
  | "getSession"
  | "recordScore"
  | "recordDetection"
  | "enqueueAlert"
>;

/** Options of {@link createOwnerCheck}. */
export interface OwnerCheckOptions {
  store: OwnerStore;
  mode: "monitor" | "enforce";
  /** OWNER_ACTION: `logout` acts in enforce mode; `alert` only records and alerts. */
  action: "alert" | "logout";
  /** OWNER_THRESHOLD, OWNER_MIN_WINDOWS, VERDICT_DECAY. */
  verdict: VerdictOptions;
  loginUrl: string;
  revoke: (session: string, reason: string) => Promise<unknown>;
  /** The identity the proxy saw for a session (identify.ts): null logged out, undefined unseen. */
  identityOf: (session: string) => string | null | undefined;
  /** MIN_EVENTS, as for the bot model. */
  minEvents?: number;
  /** How long a profile (or its absence) is cached, ms (default 60,000). */
  profileTtlMs?: number;
  /** Sessions and identities kept in memory (default 100,000). */
  maxSessions?: number;
}

interface OwnerState extends EvidenceState {
  identity: string;
  scores: number[];
}

interface CachedProfile {
  at: number;
  profile: {
    model: OwnerModel;
    version: string;
    calibration: number;
    spread?: number;
  } | null;
}

/** Sets `key` as the newest entry of a bounded insertion-ordered map. */
function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value!);
}

/**
 * Builds the owner check, an `onWindow` hook like the bot detector's (setup.ts runs both).
 *
 * @returns a function judging one window and saying what the collector should do
 */
export function createOwnerCheck(
  options: OwnerCheckOptions,
): (window: ScoredWindow & OwnerVectors) => Promise<DetectAction> {
  const ttl = options.profileTtlMs ?? 60_000;
  const max = options.maxSessions ?? 100_000;
  const states = new Map<string, OwnerState>();
  const storedIdentity = new Map<string, string | null>();
  const profiles = new Map<string, CachedProfile>();
  const acts = options.mode === "enforce" && options.action === "logout";
  const logout: DetectAction = { action: "logout", redirect: options.loginUrl };

  async function identityOf(session: string): Promise<string | null> {
    const seen = options.identityOf(session);
    if (seen !== undefined) return seen;
    if (storedIdentity.has(session)) return storedIdentity.get(session)!;
    let identity: string | null = null;
    try {
      identity = (await options.store.getSession(session))?.userIdentity ??
        null;
    } catch (error) {
      log("warn", "Cannot read the session's identity", { session, error });
      return null; // not cached: asked again next window
    }
    remember(storedIdentity, session, identity, max);
    return identity;
  }

  async function profileOf(
    identity: string,
  ): Promise<CachedProfile["profile"]> {
    const cached = profiles.get(identity);
    if (cached && Date.now() - cached.at < ttl) return cached.profile;
    let profile: CachedProfile["profile"] = null;
    try {
      const row = await options.store.getProfile(identity);
      if (row !== null) {
        profile = {
          model: parseOwnerModel(row.model, `profile of "${identity}"`),
          version: row.version,
          calibration: row.calibration,
          spread: row.spread,
        };
      }
    } catch (error) {
      log("warn", "Cannot load the user's profile", { identity, error });
      if (cached) return cached.profile; // keep serving the last good one
    }
    remember(profiles, identity, { at: Date.now(), profile }, max);
    return profile;
  }

  return async function checkOwner(window) {
    const known = states.get(window.session);
    const latched: DetectAction = known?.detectedAt != null && acts
      ? logout
      : { action: "none" };
    if (
      (window.nEvents ?? Infinity) < (options.minEvents ?? 0) ||
      !hasPointerEvidence(window.features)
    ) return latched;
    const identity = await identityOf(window.session);
    if (identity === null) return latched;
    const profile = await profileOf(identity);
    if (profile === null) return latched;
    // The owner features come from ingest; without them (a caller that computed none) they are
    // computed here from the window's events when it carries them, else they count as missing.
    const events = window.events ?? [];
    const score = 1 - ownerModelProbability(profile.model, {
      ...window.features,
      ...(window.ownerFeatures ?? extractOwnerFeatures(events)),
      actions: window.ownerActions ?? extractActionVectors(events),
    });
    // A new identity on the session (someone logged in as another user) starts over.
    const prev = known?.identity === identity
      ? known
      : { ...initialEvidence(), identity, scores: [] };
    const next: OwnerState = {
      ...stepEvidence(
        prev,
        calibratedScore(score, profile.calibration, profile.spread),
        options.verdict,
      ),
      identity,
      scores: [...prev.scores, score].slice(-20),
    };
    remember(states, window.session, next, max);
    const version = `${OWNER_VERSION_PREFIX}${profile.version}`;
    await settle(
      "owner score",
      window.session,
      options.store.recordScore({
        session: window.session,
        seq: window.seq,
        score,
        verdict: next.detectedAt === null ? "pending" : "unauthorized",
        modelVersion: version,
      }),
    );
    if (next.detectedAt === null) return { action: "none" };
    if (prev.detectedAt === null) {
      await onDetected(window, profile.model.window, version, next);
    }
    return acts ? logout : { action: "none" };
  };

  async function onDetected(
    window: ScoredWindow,
    model: Model,
    version: string,
    state: OwnerState,
  ) {
    const explanation = ownerExplanation(
      window.features,
      model,
      version,
      state,
      options,
    );
    log("warn", "unauthorized user detected", {
      session: window.session,
      identity: state.identity,
      evidence: state.evidence,
      windows: state.windows,
      mode: options.mode,
    });
    if (acts) await options.revoke(window.session, "not the account owner");
    await recordVerdict(
      options.store,
      window.session,
      "unauthorized",
      explanation,
    );
  }
}

/** The explanation: the detection payload shape (alert/compose.ts) plus whose profile it was. */
function ownerExplanation(
  features: FeatureVector,
  model: Model,
  version: string,
  state: OwnerState,
  options: OwnerCheckOptions,
) {
  return {
    verdict: "unauthorized",
    identity: state.identity,
    mode: options.mode,
    action: options.mode !== "enforce"
      ? "none (monitor mode)"
      : options.action === "logout"
      ? "logged out"
      : "none (OWNER_ACTION=alert)",
    evidence: state.evidence,
    threshold: options.verdict.threshold,
    windows: state.windows,
    scores: state.scores,
    modelVersion: version,
    ...explainWindow(model, features),
  };
}
