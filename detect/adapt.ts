/**
 * Site adaptation: a candidate model trained on the site's own visitors, judged against the live
 * model on the site's own sessions, promoted only by an operator (`deno task adapt`, sim/adapt/adapt_cli.ts).
 *
 * The human class is the store's trusted sessions; what "trusted" means (the trust filters):
 * - a session an operator labelled `human` (admin console or API) is trusted whatever the live
 *   model said of it: this is how a population the model misjudges gets in, after review;
 * - an unlabelled session is trusted when it was never revoked, has no detection, and has at least
 *   `minWindows` windows (one-off visits say little);
 * - sessions labelled `bot` or `unauthorized`, revoked or detected ones are never trusted.
 * The bot class is the shipped training set's bots plus freshly generated randomised families
 * (the caller passes them). Trusted sessions are split by a hash of their id, `holdout` of them
 * kept out of training: the report's false-positive rates are measured on those only.
 *
 * @module
 */
import { FEATURE_NAMES, type FeatureVector } from "../collector/mod.ts";
import {
  contrastDataset,
  datasetFromRows,
  type Model,
  trainForest,
  type TreeOptions,
} from "../tree/mod.ts";
import { scoreWindow } from "./model_score.ts";
import { sessionVerdict, type VerdictOptions } from "./verdict.ts";

/** An operator's label of a session (db/ stores them). */
export type SessionLabel = "human" | "bot" | "unauthorized";

/** A stored session as adaptation sees it. */
export interface AdaptSession {
  id: string;
  label: SessionLabel | null;
  revoked: boolean;
  detected: boolean;
  windows: FeatureVector[];
}

/** Trust filter settings. */
export interface TrustOptions {
  /** Windows an unlabelled session needs to be trusted (default 6). */
  minWindows?: number;
}

/** Whether a session's windows may be learned as human (see the module doc). */
export function isTrusted(s: AdaptSession, o: TrustOptions = {}): boolean {
  if (s.label === "human") return true;
  if (s.label !== null || s.revoked || s.detected) return false;
  return s.windows.length >= (o.minWindows ?? 6);
}

/** Deterministic split: true for about `share` of ids (FNV-1a of the id). */
export function inHoldout(id: string, share: number): boolean {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 2 ** 32 < share;
}

/** A model pair: the bot model and the humanness model. */
export interface ModelPair {
  bot: Model;
  humanness: Model | null;
}

/** Labelled feature rows (FEATURE_NAMES order) for training. */
export interface TrainingRows {
  features: number[][];
  labels: ("human" | "bot")[];
}

/** Row of a window in FEATURE_NAMES order. */
export function featureRow(v: FeatureVector): number[] {
  return FEATURE_NAMES.map((n) => v[n] ?? Number.NaN);
}

/**
 * The reference background of the guard's humanness model (tree/background.ts): a fifth of it from
 * a uniform box reaching past the human ranges (every feature is a size, rate or share, so the box
 * stops at 0), the rest independent marginals. Chosen on leave-one-family-out: the marginals alone
 * call a window past every human's ranges (a pointer jumping at 30,000 px/s) human
 * (docs/evaluation_open.md). `deno task train --contrast human --uniform-share 0.2 --floor 0`
 * trains the shipped one the same way.
 */
export const HUMANNESS_BACKGROUND = { uniformShare: 0.2, floor: 0 } as const;

/**
 * Trains the candidate pair on `rows`; features in `blank` are left out (as the shipped model
 * blanks them).
 */
export function trainCandidate(
  rows: TrainingRows,
  o: { blank: readonly string[]; tree: TreeOptions; seed: number },
): ModelPair {
  const keep = FEATURE_NAMES.map((n, i) => [n, i] as const).filter(([n]) =>
    !o.blank.includes(n)
  );
  const names = keep.map(([n]) => n as string);
  const pick = (r: number[]) => keep.map(([, i]) => r[i]);
  const data = datasetFromRows(names, rows.features.map(pick), rows.labels);
  const bot = trainForest(data, { ...o.tree, seed: o.seed });
  const { dataset } = contrastDataset(data, "human", {
    seed: o.seed,
    ...HUMANNESS_BACKGROUND,
  });
  const humanness = trainForest(dataset, {
    ...o.tree,
    classWeight: undefined,
    seed: o.seed,
  });
  return { bot, humanness };
}

/** Whether the rule flags a session's windows under a model pair. */
export function flags(
  windows: readonly FeatureVector[],
  models: ModelPair,
  rule: VerdictOptions,
): number | null {
  const scores = windows.map((w) => scoreWindow(models.bot, w));
  const human = models.humanness === null
    ? undefined
    : windows.map((w) => 1 - scoreWindow(models.humanness!, w));
  return sessionVerdict(scores, rule, human).detectedAt;
}

/** Flagged sessions per group under the live and the candidate pair. */
export interface Comparison {
  group: string;
  sessions: number;
  live: number;
  candidate: number;
}

/**
 * Compares the pairs on stored sessions, grouped: trusted held-out sessions (the false-positive
 * rate that matters), labelled bot or unauthorized, and everything else; and on `bots`, sessions
 * of generated bots neither pair was trained on.
 */
export function compare(
  sessions: readonly AdaptSession[],
  bots: readonly FeatureVector[][],
  pairs: { live: ModelPair; candidate: ModelPair },
  o: { rule: VerdictOptions; holdout: number; trust: TrustOptions },
): Comparison[] {
  const groups = new Map<string, FeatureVector[][]>();
  const add = (g: string, w: FeatureVector[]) =>
    groups.set(g, [...(groups.get(g) ?? []), w]);
  for (const s of sessions) {
    if (isTrusted(s, o.trust) && inHoldout(s.id, o.holdout)) {
      add("trusted humans, held out", s.windows);
    } else if (s.label === "bot" || s.label === "unauthorized") {
      add(`labelled ${s.label}`, s.windows);
    } else if (!isTrusted(s, o.trust)) add("untrusted, unlabelled", s.windows);
  }
  for (const b of bots) add("generated bots, held out", b);
  return [...groups].map(([group, list]) => ({
    group,
    sessions: list.length,
    live: list.filter((w) => flags(w, pairs.live, o.rule) !== null).length,
    candidate: list.filter((w) => flags(w, pairs.candidate, o.rule) !== null)
      .length,
  }));
}

/** An {@link AdaptSession} from the store's rows. */
export function adaptSession(
  row: { id: string; label: SessionLabel | null; state: string },
  detail: { detections: unknown[] } | null,
  windows: FeatureVector[],
): AdaptSession {
  return {
    id: row.id,
    label: row.label,
    revoked: row.state === "revoked",
    detected: (detail?.detections.length ?? 0) > 0,
    windows,
  };
}
