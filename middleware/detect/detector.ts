/**
 * The scorer behind the ingest route's `onWindow` hook: every accepted window is scored with the
 * current model, its score recorded, and the session's evidence advanced (see verdict.ts). When a
 * session first crosses the threshold, the detection is recorded with its explanation (decision
 * path, top features, window scores) and an alert is enqueued; in enforce mode the session is
 * revoked and the collector told to navigate to LOGIN_URL. Monitor mode records and never acts.
 *
 * Side effects never block the visitor: a failing store is logged, and the revocation still
 * takes effect locally at once (the gate's in-memory set).
 *
 * Evidence is shared by every instance on the store (shared_state.ts: a versioned row per session,
 * advanced by compare and swap, behind a bounded local cache), so windows of one session spread
 * over several instances add up as on one. A session with no row yet (new, or from before the
 * row existed) starts from its stored scores, so a restart does not give a bot a fresh start.
 *
 * When the ingest route hands over the window's server-decoded events, they are judged first
 * (window_judge.ts): integrity signals and replayed fingerprints make a bot window (score 1),
 * keyboard-only windows are scored by the typing rule, touch and pen windows are kept from the
 * mouse model. Without events, windows are judged by their features alone, as before.
 *
 * @module
 */
import { type FeatureVector, hasPointerEvidence } from "../../collector/mod.ts";
import type { Store } from "../../db/mod.ts";
import { log } from "../../log.ts";
import {
  createReplayIndex,
  type EvidenceState,
  explainWindow,
  type GuardEvent,
  initialEvidence,
  MIN_EVENTS,
  type ReplayIndex,
  routeWindow,
  scoreWindow,
  stepEvidence,
  type VerdictOptions,
  type WindowExplanation,
  type WindowRoute,
  type WindowSignals,
} from "../../detect/mod.ts";
import { recordVerdict, settle } from "./record_verdict.ts";
import type { LoadedModel } from "./model_source.ts";
import { createSharedStates, type SharedStateStore } from "./shared_state.ts";
import type { ReloginPrior } from "./relogin.ts";

export { explainWindow, rowFor, scoreWindow } from "../../detect/mod.ts";
export { recordVerdict, settle } from "./record_verdict.ts";

/** Scores the owner check records carry this model-version prefix (see owner.ts). */
export const OWNER_VERSION_PREFIX = "owner:";

/** The store methods the detector uses. */
export type DetectStore =
  & Pick<
    Store,
    "recordScore" | "recordDetection" | "enqueueAlert" | "getSession"
  >
  & SharedStateStore;

/** One accepted window, as the ingest route hands it over. */
export interface ScoredWindow {
  session: string;
  seq: number;
  /** Events in the window; windows under `minEvents` carry no evidence. */
  nEvents?: number;
  features: FeatureVector;
  /** The window's server-decoded events, time-ordered; when present they are judged too. */
  events?: readonly GuardEvent[];
}

/** What the ingest route tells the collector. */
export type DetectAction = { action: "none" } | {
  action: "logout";
  redirect: string;
};

/** Options of {@link createDetector}. */
export interface DetectorOptions {
  store: DetectStore;
  /** The model serving now (a {@link ModelSource}'s `current`). */
  model: () => LoadedModel;
  /**
   * The humanness model serving now (humans against a reference background; `deno task train
   * --contrast human`), for the session rule's positive evidence (verdict.ts `ambiguity`).
   */
  humanness?: () => LoadedModel;
  /** `monitor` records verdicts only; `enforce` logs intruders out. */
  mode: "monitor" | "enforce";
  verdict: VerdictOptions;
  /** LOGIN_URL: where the collector sends a logged-out visitor. */
  loginUrl: string;
  /** Revokes a session (the gate's `revoke`: local at once, then the store + NOTIFY). */
  revoke: (session: string, reason: string) => Promise<unknown>;
  /**
   * MIN_EVENTS: a window with fewer events is not scored. The model was trained without such
   * windows (the dataset builder drops them), so their score would be noise, not evidence.
   */
  minEvents?: number;
  /** Sessions whose evidence is kept (default 100,000). */
  maxSessions?: number;
  /** Window scores kept per session for the explanation (default 20). */
  keepScores?: number;
  /**
   * Fingerprints of windows seen lately, shared by every session this detector judges (default:
   * 200,000 fingerprints for 24 h, about 30 MB at most).
   */
  replay?: ReplayIndex;
  /** Clock in ms, for the replay index (default `Date.now`). */
  now?: () => number;
  /**
   * Re-login risk (relogin.ts): the prior of a session first seen with no stored score, given
   * its stored user; null for none. Failures count as none.
   */
  prior?: (
    session: string,
    user: string | null,
  ) => Promise<ReloginPrior | null>;
  /** Told of every scored window with the session's evidence after it (`deno task replay`). */
  onScored?: (scored: ScoredStep) => void;
}

/** One scored window and the session's evidence after it. */
export interface ScoredStep {
  session: string;
  score: number;
  /** P(human) of the humanness model, for windows the mouse model judged. */
  humanness?: number;
  state: EvidenceState;
}

interface SessionEvidence extends EvidenceState {
  scores: number[];
  /** Signal counts summed over the session's windows since this process first saw it. */
  signals: WindowSignals;
  /** The re-login prior it started with, if any. */
  prior?: ReloginPrior;
}

/** The detection explanation, stored with the detection and sent in the alert. */
export interface DetectionExplanation {
  mode: "monitor" | "enforce";
  action: string;
  evidence: number;
  threshold: number;
  windows: number;
  scores: number[];
  modelVersion: string;
  /** Integrity, replay and typing signals seen in the session (absent when none). */
  signals?: WindowSignals;
  /** The re-login prior the session started with (relogin.ts), when it had one. */
  prior?: ReloginPrior;
  topFeatures: WindowExplanation["topFeatures"];
  path: WindowExplanation["path"];
  paths: WindowExplanation["paths"];
}

function explainDetection(
  loaded: LoadedModel,
  features: FeatureVector,
  state: SessionEvidence,
  options: DetectorOptions,
): DetectionExplanation {
  return {
    mode: options.mode,
    action: options.mode === "enforce" ? "logged out" : "none (monitor mode)",
    evidence: state.evidence,
    threshold: options.verdict.threshold,
    windows: state.windows,
    scores: state.scores,
    modelVersion: loaded.version,
    ...(Object.keys(state.signals).length > 0
      ? { signals: state.signals }
      : {}),
    ...(state.prior ? { prior: state.prior } : {}),
    ...explainWindow(loaded.model, features),
  };
}

/**
 * Builds the `onWindow` hook.
 *
 * @returns a function scoring one window and saying what the collector should do
 */
export function createDetector(
  options: DetectorOptions,
): (window: ScoredWindow) => Promise<DetectAction> {
  const sessions = createSharedStates<SessionEvidence>({
    store: options.store,
    kind: "evidence",
    initial: restore,
    max: options.maxSessions,
  });
  const keep = options.keepScores ?? 20;
  const logout: DetectAction = { action: "logout", redirect: options.loginUrl };

  const replay = options.replay ??
    createReplayIndex({ maxEntries: 200_000, ttlMs: 24 * 3600_000 });
  const now = options.now ?? Date.now;

  return async function detectWindow(window) {
    const route = judge(window);
    if (route.route === "skip") {
      const known = sessions.peek(window.session);
      return known?.detectedAt != null && options.mode === "enforce"
        ? logout
        : { action: "none" };
    }
    const loaded = options.model();
    const score = route.route === "fixed"
      ? route.score
      : Math.max(route.floor, scoreWindow(loaded.model, window.features));
    // P(human) of the humanness model, for windows the mouse model judged.
    const human = route.route === "model" && options.humanness !== undefined
      ? 1 - scoreWindow(options.humanness().model, window.features)
      : undefined;
    const { prev, next } = await sessions.update(
      window.session,
      (prev): SessionEvidence => ({
        ...stepEvidence(
          prev,
          score,
          prev.prior
            ? { ...options.verdict, minWindows: prev.prior.minWindows }
            : options.verdict,
          human,
        ),
        scores: [...prev.scores, score].slice(-keep),
        signals: addSignals(prev.signals, route.signals),
        ...(prev.prior ? { prior: prev.prior } : {}),
      }),
    );
    if (Object.keys(route.signals).length > 0) {
      log("info", "window signals", {
        session: window.session,
        seq: window.seq,
        signals: route.signals,
      });
    }
    options.onScored?.({
      session: window.session,
      score,
      ...(human === undefined ? {} : { humanness: human }),
      state: next,
    });
    const verdict = next.detectedAt === null ? "pending" : "bot";
    await settle(
      "score",
      window.session,
      options.store.recordScore({
        session: window.session,
        seq: window.seq,
        score,
        verdict,
        modelVersion: loaded.version,
      }),
    );
    if (next.detectedAt === null) return { action: "none" };
    if (prev.detectedAt === null) {
      await onDetected(window, loaded, next);
    }
    return options.mode === "enforce" ? logout : { action: "none" };
  };

  /**
   * The window's route. Without events, no weight for windows the model cannot judge: too few
   * events, or no pointer evidence (typing only: the model's humans are mouse recordings).
   */
  function judge(window: ScoredWindow): WindowRoute {
    if (window.events !== undefined) {
      return routeWindow(window.events, window.features, {
        replay,
        now: now(),
        minEvents: options.minEvents ?? MIN_EVENTS,
      });
    }
    const judged = (window.nEvents ?? Infinity) >= (options.minEvents ?? 0) &&
      hasPointerEvidence(window.features);
    return judged
      ? { route: "model", floor: 0, signals: {} }
      : { route: "skip", signals: {} };
  }

  /** Evidence replayed from the stored scores; empty when the store has none or fails. */
  async function restore(session: string): Promise<SessionEvidence> {
    let state: SessionEvidence = {
      ...initialEvidence(),
      scores: [],
      signals: {},
    };
    try {
      const stored = await options.store.getSession(session);
      for (const row of stored?.scores ?? []) {
        if (row.modelVersion.startsWith(OWNER_VERSION_PREFIX)) continue; // owner.ts's
        state = {
          ...stepEvidence(state, row.score, options.verdict),
          scores: [...state.scores, row.score].slice(-keep),
          signals: state.signals,
        };
      }
      const bot = stored?.detections.some((d) => d.verdict === "bot");
      if (bot && state.detectedAt === null) {
        state.detectedAt = state.windows;
      }
      if (state.windows === 0 && options.prior) {
        const prior = await options.prior(
          session,
          stored?.userIdentity ?? null,
        );
        if (prior !== null) {
          state = { ...state, evidence: prior.evidence, prior };
        }
      }
    } catch (error) {
      log("warn", "Cannot restore session evidence", { session, error });
    }
    return state;
  }

  async function onDetected(
    window: ScoredWindow,
    loaded: LoadedModel,
    state: SessionEvidence,
  ) {
    const explanation = explainDetection(
      loaded,
      window.features,
      state,
      options,
    );
    log("warn", "bot detected", {
      session: window.session,
      evidence: state.evidence,
      windows: state.windows,
      mode: options.mode,
    });
    if (options.mode === "enforce") {
      await options.revoke(window.session, "bot detected by the guard");
    }
    await recordVerdict(options.store, window.session, "bot", explanation);
  }
}

/** Signal counts of a session plus one window's. */
function addSignals(a: WindowSignals, b: WindowSignals): WindowSignals {
  if (Object.keys(b).length === 0) return a;
  const out = { ...a };
  for (const [name, n] of Object.entries(b)) out[name] = (out[name] ?? 0) + n;
  return out;
}
