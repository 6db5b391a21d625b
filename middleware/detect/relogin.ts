/**
 * Re-login carries the risk: a new guard session whose client key (middleware/session/
 * client_key.ts: IPv4 /24 or IPv6 /48 plus a User-Agent hash) or account (USER_HEADER) had a
 * session revoked within RELOGIN_RISK_TTL_MS does not start from zero. It starts with half the
 * verdict threshold as evidence and needs only RELOGIN_MIN_WINDOWS windows (default 1) before a
 * verdict, so a bot that logs in again is logged out on its first bot-like window. A person who
 * was wrongly logged out is not judged on the prior alone: with the defaults (threshold 2, decay
 * 0.8) the first window must score above 0.77 (log-odds 1.2; 0.8 · 1 + 1.2 = 2) to reach the threshold.
 *
 * Pure; the detector asks the store (`reloginRisk`) and applies this on first sight of a session.
 *
 * @module
 */
import type { ReloginRisk } from "../../db/mod.ts";
import type { VerdictOptions } from "../../detect/mod.ts";

/** The prior a session starts with, and the windows it needs before a verdict. */
export interface ReloginPrior {
  evidence: number;
  minWindows: number;
  /** Revocations that put it there. */
  revocations: number;
}

/**
 * The prior of a new session, or null when nothing was revoked from its key or account lately.
 *
 * @param risk what the store found
 * @param verdict the session rule
 * @param minWindows RELOGIN_MIN_WINDOWS
 */
export function reloginPrior(
  risk: ReloginRisk,
  verdict: VerdictOptions,
  minWindows: number,
): ReloginPrior | null {
  if (risk.revocations === 0) return null;
  return {
    evidence: verdict.threshold / 2,
    minWindows: Math.min(minWindows, verdict.minWindows),
    revocations: risk.revocations,
  };
}
