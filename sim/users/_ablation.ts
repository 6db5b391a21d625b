/**
 * "What each change bought" in docs/user_verification.md: the owner check's verifier from the
 * old baseline (one window forest on movement features) to the shipped one, one change at a time,
 * on SapiMouse (per-user AUC at 15 s) and Balabit (pooled session AUC, before and after per-user
 * normalisation), every row with the same protocol as the rest of the report.
 */
import { OWNER_FEATURE_NAMES } from "../../collector/mod.ts";
import {
  DEFAULT_VERIFIER_OPTIONS,
  sessionOwnerProbability,
  VERIFIER_FEATURES,
  type VerifierOptions,
} from "../../detect/mod.ts";
import { rocAuc } from "../../tree/mod.ts";
import {
  isDevUser,
  type ProtocolOptions,
  runProtocol,
  TRAIN_PER_SESSION,
  type UserData,
  type UserScores,
} from "./_protocol.ts";
import { auc, table } from "./_tables.ts";
import { perUser, type SessionScores } from "./verification_metrics.ts";

/** One row of the ablation. */
export interface AblationRow {
  name: string;
  /**
   * SapiMouse paper split (users 73–120 against impostors never seen in training): per-user AUC
   * of each window, of the first 15 s, of every disjoint 15 s.
   */
  sapiWindow: number;
  paper15: number;
  paper15Chunks: number;
  /** Balabit, profiles as the product: pooled whole-session AUC raw and normalised per user. */
  balabitSession?: number;
  balabitNormalised?: number;
  balabitUser?: number;
}

/** The steps, each adding one change to the row before it (the last is the shipped verifier). */
export function ablationConfigs(
  seed: number,
): { name: string; verifier: VerifierOptions }[] {
  const d = { ...DEFAULT_VERIFIER_OPTIONS, seed };
  return [
    {
      name: "baseline: window forest, movement features",
      verifier: { ...d, features: VERIFIER_FEATURES, actions: false },
    },
    {
      name: "+ owner features (actions, direction, per-axis)",
      verifier: {
        ...d,
        features: [...VERIFIER_FEATURES, ...OWNER_FEATURE_NAMES],
        actions: false,
      },
    },
    { name: "+ action forest, mean of both (shipped)", verifier: d },
    { name: "+ 100 trees (not shipped)", verifier: { ...d, trees: 100 } },
  ];
}

/** Every disjoint run of `k` scored windows of each session, as its own session. */
export function chunked(users: readonly SessionScores[], k: number) {
  const cut = (sessions: number[][]) =>
    sessions.flatMap((s) => {
      const scored = s.filter((p) => !Number.isNaN(p));
      const out: number[][] = [];
      for (let i = 0; i + k <= scored.length; i += k) {
        out.push(scored.slice(i, i + k));
      }
      return out;
    });
  return users.map((u) => ({
    genuine: cut(u.genuine),
    impostor: cut(u.impostor),
  }));
}

/**
 * Pooled AUC (owner positive) of whole sessions: the raw mean P(owner), and the per-user
 * normalised score −(mean s − calibration) / spread (s = 1 − P(owner)), as the guard weighs it.
 */
export function pooledSessionAuc(users: readonly UserScores[]) {
  const rows = users.flatMap((u) =>
    [
      ...u.genuine.map((s) => ({ s, owner: true })),
      ...u.impostor.map((s) => ({ s, owner: false })),
    ]
      .map(({ s, owner }) => {
        const p = sessionOwnerProbability(s);
        return {
          owner,
          raw: p,
          normalised: -((1 - p) - (u.calibration ?? NaN)) / (u.spread ?? NaN),
        };
      }).filter((r) => !Number.isNaN(r.raw))
  );
  const labels = rows.map((r) => r.owner);
  return {
    raw: rocAuc(rows.map((r) => r.raw), labels),
    normalised: rocAuc(rows.map((r) => r.normalised), labels),
  };
}

const K15 = { k: 3, aggregate: "mean" } as const;

/** Runs every step on SapiMouse (all users, paper split) and Balabit (profiles as the product). */
export function measureAblation(
  sapi: readonly UserData[],
  balabit: readonly UserData[] | undefined,
  seed: number,
  progress: (msg: string) => void,
): AblationRow[] {
  return ablationConfigs(seed).map(({ name, verifier }) => {
    progress(`ablation: ${name}`);
    const base: ProtocolOptions & { name: string } = {
      name,
      verifier,
      trainPerSession: TRAIN_PER_SESSION,
    };
    const paper = runProtocol(sapi, {
      ...base,
      evaluate: (u) => !isDevUser(u),
      others: isDevUser,
      impostors: (u) => !isDevUser(u),
    }, progress);
    const row: AblationRow = {
      name,
      sapiWindow: perUser(paper, { window: true, perSession: 40 }).auc.mean,
      paper15: perUser(paper, K15).auc.mean,
      paper15Chunks: perUser(chunked(paper, 3), K15).auc.mean,
    };
    if (!balabit) return row;
    const b = runProtocol(balabit, { ...base, calibrate: true }, progress);
    const pooled = pooledSessionAuc(b);
    return {
      ...row,
      balabitSession: pooled.raw,
      balabitNormalised: pooled.normalised,
      balabitUser: perUser(
        b.map((u) => ({
          genuine: u.genuine.map((s) => [sessionOwnerProbability(s)]),
          impostor: u.impostor.map((s) => [sessionOwnerProbability(s)]),
        })),
        { k: 1, aggregate: "mean" },
      ).auc.mean,
    };
  });
}

/** The report section. */
export function ablationSection(rows: readonly AblationRow[]): string[] {
  const cell = (x: number | undefined) => (x === undefined ? "–" : auc(x));
  return [
    "## What each change bought",
    "",
    "Each row adds one change to the row above; the third is the verifier the guard runs. " +
    "SapiMouse, paper split (users 73–120, trained against users 1–72, impostors: the other " +
    "users 73–120, never seen in training): mean per-user AUC (genuine: the user's one-minute " +
    "session), of each 5-s window, of the first 15 s (3 windows, one score per session), and of " +
    "every disjoint 15 s of each session (4 per one-minute session, as Antal et al. score every " +
    "block of a session). Balabit: profiles as `deno task profiles` trains them (the swap-labelled " +
    'split of "Protocol"), whole test sessions: pooled AUC of the mean P(owner), the same ' +
    "after per-user normalisation ((mean s − calibration) / spread, profiles.ts), and the mean " +
    "per-user AUC (which normalisation does not change).",
    "",
    table(
      [
        "verifier",
        "SapiMouse window",
        "15 s, first",
        "15 s, every",
        "Balabit session, pooled",
        "pooled, normalised per user",
        "per user",
      ],
      rows.map((r) => [
        r.name,
        cell(r.sapiWindow),
        cell(r.paper15),
        cell(r.paper15Chunks),
        cell(r.balabitSession),
        cell(r.balabitNormalised),
        cell(r.balabitUser),
      ]),
    ),
    "",
  ];
}
