/**
 * What any single threshold could do with the guard's profiles (docs/user_verification.md, "The
 * guard's rule"): every test session's per-user normalised mean score, (mean s − calibration) /
 * spread with s = 1 − P(owner) over all its scored windows, flagged at or above one threshold for
 * everyone, the threshold picked afterwards on the test sessions themselves: an optimistic bound
 * on what the rule, which sums the same window evidence, can reach; not a rate.
 */
import { sessionOwnerProbability } from "../../detect/mod.ts";
import type { UserScores } from "./_protocol.ts";
import { pct, table } from "./_tables.ts";

/** The rule's targets (issue 17): owners reported, impostors missed. */
export const TARGET_FALSE_REJECTS = 0.02;
export const TARGET_FALSE_ACCEPTS = 0.10;

/** Normalised session scores, higher: less like the owner. */
export function normalisedSessions(
  users: readonly UserScores[],
): { genuine: number[]; impostor: number[] } {
  const z = (u: UserScores, s: number[]) =>
    ((1 - sessionOwnerProbability(s)) - (u.calibration ?? NaN)) /
    (u.spread ?? NaN);
  const keep = (xs: number[]) => xs.filter((x) => !Number.isNaN(x));
  return {
    genuine: keep(users.flatMap((u) => u.genuine.map((s) => z(u, s)))),
    impostor: keep(users.flatMap((u) => u.impostor.map((s) => z(u, s)))),
  };
}

/**
 * The best one threshold can do: the false-accept rate with at most {@link TARGET_FALSE_REJECTS}
 * of genuine sessions flagged, and the false-reject rate with at most
 * {@link TARGET_FALSE_ACCEPTS} of impostor sessions missed.
 */
export function thresholdBound(
  genuine: readonly number[],
  impostor: readonly number[],
): { farAtTarget: number; frrAtTarget: number } {
  const g = [...genuine].sort((a, b) => b - a);
  const im = [...impostor].sort((a, b) => a - b);
  // Flag z > g[k]: k genuine sessions above it are the allowed false rejects.
  const k = Math.floor(TARGET_FALSE_REJECTS * g.length);
  const farAtTarget = im.filter((x) => x <= g[k]).length / im.length;
  // Flag z ≥ im[m]: the m impostors below it are the allowed misses.
  const m = Math.floor(TARGET_FALSE_ACCEPTS * im.length);
  const frrAtTarget = g.filter((x) => x >= im[m]).length / g.length;
  return { farAtTarget, frrAtTarget };
}

/** The paragraph and table. */
export function boundLines(
  populations: readonly { label: string; users: readonly UserScores[] }[],
): string[] {
  return [
    "What one threshold could do at best: each test session's normalised mean score over all " +
    "its windows ((mean s − calibration) / spread, the evidence the rule sums), one threshold " +
    "for everyone, picked afterwards on these very sessions (a bound, not a rate). Where even " +
    `this cannot keep owners reported ≤ ${
      pct(TARGET_FALSE_REJECTS)
    } with impostors ` +
    `missed ≤ ${
      pct(TARGET_FALSE_ACCEPTS)
    }, the rule, which sums the same evidence window by ` +
    "window, is not expected to either: the verifier's scores, not the rule, set the limit.",
    "",
    table(
      [
        "population",
        `impostors missed with ≤ ${pct(TARGET_FALSE_REJECTS)} owners reported`,
        `owners reported with ≤ ${pct(TARGET_FALSE_ACCEPTS)} impostors missed`,
      ],
      populations.map((p) => {
        const s = normalisedSessions(p.users);
        const b = thresholdBound(s.genuine, s.impostor);
        return [p.label, pct(b.farAtTarget), pct(b.frrAtTarget)];
      }),
    ),
    "",
  ];
}
