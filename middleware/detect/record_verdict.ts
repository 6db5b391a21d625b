/**
 * Recording a verdict without letting a failing store break detection. Split from detector.ts,
 * which re-exports both, and shared with the owner check and the silence watch (whose
 * `unverified` verdict is recorded here too).
 *
 * @module
 */
import type { Store } from "../../db/mod.ts";
import { log } from "../../log.ts";
import type { SilenceOptions, SilenceState } from "../../detect/mod.ts";

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

/** The detection explanation of an `unverified` verdict, stored and sent in the alert. */
export interface UnverifiedExplanation {
  verdict: "unverified";
  mode: "monitor" | "enforce";
  action: string;
  loggedIn: boolean;
  requests: number;
  spanMs: number;
  firstAt: string;
  at: string;
  lastEvidenceAt: string | null;
  rule: SilenceOptions;
  /** True when the request came without a guard cookie and was counted by its auth cookie. */
  attributed: boolean;
}

/** What an `unverified` verdict says besides the session's silence state. */
export type UnverifiedContext = Pick<
  UnverifiedExplanation,
  "mode" | "action" | "loggedIn" | "attributed" | "rule"
>;

/** The explanation of an `unverified` verdict made on `state` (its counted requests and span). */
export function explainUnverified(
  state: SilenceState,
  context: UnverifiedContext,
): UnverifiedExplanation {
  const at = state.lastAt!;
  return {
    verdict: "unverified",
    mode: context.mode,
    action: context.action,
    loggedIn: context.loggedIn,
    requests: state.counted,
    spanMs: Math.max(0, at - state.firstAt!),
    firstAt: new Date(state.firstAt!).toISOString(),
    at: new Date(at).toISOString(),
    lastEvidenceAt: state.evidenceAt === null
      ? null
      : new Date(state.evidenceAt).toISOString(),
    rule: { ...context.rule },
    attributed: context.attributed,
  };
}

/**
 * Stores an `unverified` detection (creating the session row, so the admin list shows it) and,
 * when `alert`, enqueues its one alert (deduped per session). Failures are logged, never thrown.
 */
export async function recordUnverified(
  store: Pick<Store, "touchSession" | "recordDetection" | "enqueueAlert">,
  session: string,
  explanation: UnverifiedExplanation,
  alert: boolean,
): Promise<void> {
  await settle(
    "session",
    session,
    store.touchSession(session, new Date(explanation.firstAt)),
  );
  await settle(
    "session",
    session,
    store.touchSession(session, new Date(explanation.at)),
  );
  await settle(
    "detection",
    session,
    store.recordDetection({ session, verdict: "unverified", explanation }),
  );
  if (!alert) return;
  await settle(
    "alert",
    session,
    store.enqueueAlert({
      session,
      kind: "unverified",
      payload: explanation,
      dedupeKey: `unverified:${session}`,
    }),
  );
}
