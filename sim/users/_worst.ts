/**
 * "The worst users" in docs/user_verification.md: the paper split's users with the lowest
 * per-user AUC of the first 15 s, with what differs between their enrolment and test sessions
 * (event interval, movement speed), to tell a thin profile or a bad impostor pool from a session
 * recorded differently.
 */
import type { OwnerWindow } from "../../detect/mod.ts";
import { chunked } from "./_ablation.ts";
import type { UserData, UserScores } from "./_protocol.ts";
import { at, auc, table } from "./_tables.ts";
import { levelScores, verificationAuc } from "./verification_metrics.ts";

/** Users listed. */
export const WORST_USERS = 6;

/** Median of the non-NaN values of one feature over windows (NaN when none). */
function medianOf(
  windows: readonly OwnerWindow[],
  feature: "interval_mean" | "speed_mean",
): number {
  const v = windows.map((w) => w[feature]).filter((x) => !Number.isNaN(x))
    .sort((a, b) => a - b);
  return v.length === 0 ? NaN : v[Math.floor(v.length / 2)];
}

/** One listed user. */
export interface WorstRow {
  user: string;
  first15: number;
  every15: number;
  ownerWindows: number;
  /** Median window interval_mean (ms) and speed_mean (px/s), enrolment and test sessions. */
  interval: [number, number];
  speed: [number, number];
}

/** The {@link WORST_USERS} lowest first-15-s AUCs, and the same for every user (for the medians). */
export function worstUsers(
  scores: readonly UserScores[],
  users: readonly UserData[],
): { worst: WorstRow[]; all: WorstRow[] } {
  const all = scores.map((u) => {
    const data = users.find((d) => d.user === u.user)!;
    const train = data.train.flatMap((s) => s.windows);
    const test = data.test.flatMap((s) => s.windows);
    const first = levelScores([u], at(3));
    const every = levelScores(chunked([u], 3), at(3));
    return {
      user: u.user,
      first15: verificationAuc(first.genuine, first.impostor),
      every15: verificationAuc(every.genuine, every.impostor),
      ownerWindows: train.length,
      interval: [
        medianOf(train, "interval_mean"),
        medianOf(test, "interval_mean"),
      ],
      speed: [medianOf(train, "speed_mean"), medianOf(test, "speed_mean")],
    } satisfies WorstRow;
  });
  const worst = [...all].sort((a, b) => a.first15 - b.first15)
    .slice(0, WORST_USERS);
  return { worst, all };
}

/** How far the test session's value is from the enrolment's, as a share of the enrolment's. */
const change = ([a, b]: [number, number]) => Math.abs(b - a) / a;

/** The report section. */
export function worstSection(
  scores: readonly UserScores[],
  users: readonly UserData[],
): string[] {
  const { worst, all } = worstUsers(scores, users);
  const isChanged = (r: WorstRow) =>
    change(r.interval) > 0.2 || change(r.speed) > 0.2;
  const changed = (rows: readonly WorstRow[]) => rows.filter(isChanged).length;
  const meanAuc = (rows: readonly WorstRow[]) =>
    auc(rows.reduce((a, r) => a + r.first15, 0) / rows.length);
  const ms = (x: number) => x.toFixed(0);
  return [
    "## The worst users",
    "",
    `The paper split's ${WORST_USERS} users with the lowest per-user AUC of the first 15 s ` +
    "(one genuine one-minute session each, so one score against 47 impostors'), with what " +
    "their two sessions' windows measured: the median event interval (interval_mean, ms: the " +
    "device's and browser's sampling) and movement speed (speed_mean, px/s: it scales with " +
    "the screen), enrolment → test. Every profile had its whole 3-min session " +
    `(${Math.min(...all.map((r) => r.ownerWindows))}–` +
    `${
      Math.max(...all.map((r) => r.ownerWindows))
    } windows) and the same impostors as ` +
    `every other user. In ${
      changed(worst)
    } of these ${worst.length} one of the two changed by ` +
    `more than 20 %, against ${
      changed(all)
    } of all ${all.length} users. Those ` +
    `${changed(all)} users' mean AUC of the first 15 s is ` +
    `${meanAuc(all.filter(isChanged))}, the other users' ` +
    `${
      meanAuc(all.filter((r) => !isChanged(r)))
    }: the worst users are mostly not thin ` +
    "profiles or a bad impostor pool but test sessions recorded differently (another pointer " +
    "rate or screen), which the verifier reads as someone else.",
    "",
    table(
      [
        "user",
        "AUC, first 15 s",
        "AUC, every 15 s",
        "enrolment windows",
        "event interval, ms",
        "speed, px/s",
      ],
      worst.map((r) => [
        r.user,
        auc(r.first15),
        auc(r.every15),
        String(r.ownerWindows),
        `${ms(r.interval[0])} → ${ms(r.interval[1])}`,
        `${ms(r.speed[0])} → ${ms(r.speed[1])}`,
      ]),
    ),
    "",
  ];
}
