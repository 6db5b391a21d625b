/**
 * Recording a verdict without letting a failing store break detection. Split from detector.ts,
 * which re-exports both, and shared with the owner check and the silence watch.
 *
 * @module
 */
import type { Store } from "../../db/mod.ts";
import { log } from "../../log.ts";

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
