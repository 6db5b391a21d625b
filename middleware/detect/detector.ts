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
 * Evidence lives in memory (bounded, least recently seen dropped). On first sight of a session
 * (after a restart, or after eviction) it is rebuilt from the session's stored scores, so a
 * restart does not give a bot a fresh start.
 *
 * @module
 */
import { type FeatureVector, hasPointerEvidence } from "../../collector/mod.ts";
import type { Store } from "../../db/mod.ts";
import { log } from "../../log.ts";
import { explain, type Model, predictProbaInto } from "../../tree/mod.ts";
import {
  type EvidenceState,
  initialEvidence,
  stepEvidence,
  type VerdictOptions,
} from "./verdict.ts";
import type { LoadedModel } from "./model_source.ts";

/** Scores the owner check records carry this model-version prefix (see owner.ts). */
export const OWNER_VERSION_PREFIX = "owner:";

/** The store methods the detector uses. */
export type DetectStore = Pick<
  Store,
  "recordScore" | "recordDetection" | "enqueueAlert" | "getSession"
>;

/** One accepted window, as the ingest route hands it over. */
export interface ScoredWindow {
  session: string;
  seq: number;
  /** Events in the window; windows under `minEvents` carry no evidence. */
  nEvents?: number;
  features: FeatureVector;
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
  /** `monitor` records verdicts only; `enforce` logs intruders out. */
  mode: "monitor" | "enforce";
  verdict: VerdictOptions;
  /** LOGIN_URL: where the collector sends a logged-out visitor. */
  loginUrl: string;
  /** Revokes a session (the gate's `revoke`: local at once, then the store + NOTIFY). */
  revoke: (session: string, reason: string) => Promise<void>;
  /**
   * MIN_EVENTS: a window with fewer events is not scored. The model was trained without such
   * windows (the dataset builder drops them), so their score would be noise, not evidence.
   */
  minEvents?: number;
  /** Sessions whose evidence is kept (default 100,000). */
  maxSessions?: number;
  /** Window scores kept per session for the explanation (default 20). */
  keepScores?: number;
}

interface SessionEvidence extends EvidenceState {
  scores: number[];
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
  topFeatures: { feature: string; importance: number }[];
  path: {
    feature: string;
    threshold: number;
    value: number | null;
    wentLeft: boolean;
  }[];
  paths: {
    feature: string;
    threshold: number;
    value: number | null;
    wentLeft: boolean;
  }[][];
}

const rows = new WeakMap<Model, (v: FeatureVector) => Float64Array>();

/** A row in the model's own feature order (a model may use a subset of FEATURE_NAMES). */
export function rowFor(model: Model): (v: FeatureVector) => Float64Array {
  let fn = rows.get(model);
  if (fn === undefined) {
    const names = model.features as (keyof FeatureVector)[];
    fn = (v) => Float64Array.from(names, (n) => v[n] ?? Number.NaN);
    rows.set(model, fn);
  }
  return fn;
}

/** Score of one window: 1 − P(negative class, "human"). */
export function scoreWindow(model: Model, features: FeatureVector): number {
  const p = predictProbaInto(
    model,
    rowFor(model)(features),
    new Float64Array(model.classes.length),
  );
  return 1 - p[model.classes.indexOf(model.negative)];
}

/** Why the model said what it did: top features and the strongest trees' paths, JSON-ready. */
export function explainWindow(
  model: Model,
  features: FeatureVector,
): Pick<DetectionExplanation, "topFeatures" | "path" | "paths"> {
  const why = explain(model, rowFor(model)(features));
  const paths = why.paths.map((p) =>
    p.map((s) => ({ ...s, value: Number.isNaN(s.value) ? null : s.value }))
  );
  return {
    topFeatures: why.topFeatures.slice(0, 5),
    path: paths[0] ?? [],
    paths,
  };
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
    ...explainWindow(loaded.model, features),
  };
}

/** Awaits a side effect that must not break detection: a failure is logged, not thrown. */
export async function settle(
  what: string,
  session: string,
  p: Promise<unknown>,
): Promise<void> {
  try {
    await p;
  } catch (error) {
    log("error", `Cannot record ${what}`, { session, error });
  }
}

/**
 * Builds the `onWindow` hook.
 *
 * @returns a function scoring one window and saying what the collector should do
 */
export function createDetector(
  options: DetectorOptions,
): (window: ScoredWindow) => Promise<DetectAction> {
  const sessions = new Map<string, SessionEvidence>();
  const max = options.maxSessions ?? 100_000;
  const keep = options.keepScores ?? 20;
  const logout: DetectAction = { action: "logout", redirect: options.loginUrl };

  return async function detectWindow(window) {
    // No weight for windows the model cannot judge: too few events, or no pointer evidence
    // (typing only: the model's humans are mouse recordings; see hasPointerEvidence).
    if (
      (window.nEvents ?? Infinity) < (options.minEvents ?? 0) ||
      !hasPointerEvidence(window.features)
    ) {
      const known = sessions.get(window.session);
      return known?.detectedAt != null && options.mode === "enforce"
        ? logout
        : { action: "none" };
    }
    const loaded = options.model();
    const score = scoreWindow(loaded.model, window.features);
    const prev = sessions.get(window.session) ??
      await restore(window.session);
    const next: SessionEvidence = {
      ...stepEvidence(prev, score, options.verdict),
      scores: [...prev.scores, score].slice(-keep),
    };
    sessions.delete(window.session);
    sessions.set(window.session, next);
    if (sessions.size > max) sessions.delete(sessions.keys().next().value!);
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

  /** Evidence replayed from the stored scores; empty when the store has none or fails. */
  async function restore(session: string): Promise<SessionEvidence> {
    let state: SessionEvidence = { ...initialEvidence(), scores: [] };
    try {
      const stored = await options.store.getSession(session);
      for (const row of stored?.scores ?? []) {
        if (row.modelVersion.startsWith(OWNER_VERSION_PREFIX)) continue; // owner.ts's
        state = {
          ...stepEvidence(state, row.score, options.verdict),
          scores: [...state.scores, row.score].slice(-keep),
        };
      }
      const bot = stored?.detections.some((d) => d.verdict === "bot");
      if (bot && state.detectedAt === null) {
        state.detectedAt = state.windows;
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

/**
 * Stores a session's detection with its explanation and enqueues its one alert (the outbox
 * dedupes per session and verdict); failures are logged, never thrown. Shared by the bot
 * detector and the owner check (owner.ts).
 */
export async function recordVerdict(
  store: Pick<Store, "recordDetection" | "enqueueAlert">,
  session: string,
  verdict: "bot" | "unauthorized",
  explanation: unknown,
): Promise<void> {
  await settle(
    "detection",
    session,
    store.recordDetection({ session, verdict, explanation }),
  );
  const kind = verdict === "bot" ? "detection" : "unauthorized";
  await settle(
    "alert",
    session,
    store.enqueueAlert({
      session,
      kind,
      payload: explanation,
      dedupeKey: `${kind}:${session}`,
    }),
  );
}
