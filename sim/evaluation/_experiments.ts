/**
 * The measured experiments behind docs/evaluation.md. Each returns plain numbers; the report
 * formats them. Model training goes through tree/mod.ts only.
 */
import { FEATURE_NAMES, hasPointerEvidence } from "../../collector/mod.ts";
import { loadConfig } from "../../config.ts";
import {
  datasetFromRows,
  predictProba,
  trainForest,
  trainTree,
} from "../../tree/mod.ts";
import { sessionVerdict } from "../../detect/mod.ts";
import {
  groupFolds,
  kOfN,
  outOfFoldScores,
  rateAbove,
  rocAuc,
  type Scorer,
  scoresBySession,
  thresholdAtFpr,
  type Trainer,
} from "./_cv.ts";
import type { DatasetRow } from "../dataset/dataset.ts";

/** A model configuration under comparison. */
export interface ModelConfig {
  name: string;
  /** 1 = one CART tree, > 1 = forest. */
  trees: number;
  /** Features left out. */
  drop: readonly string[];
}

/** The seed system's per-axis and count features (see collector/features.ts). */
export const PER_AXIS = [
  "mouse_dx_mean",
  "mouse_dy_mean",
  "click_count",
  "typing_speed",
  "scroll_speed",
] as const;
/** Typing-rhythm features: bots type, our licensed human training data never does. */
export const TYPING = [
  "typing_speed",
  "key_dwell_mean",
  "key_dwell_std",
  "key_flight_mean",
  "key_flight_std",
  "backspace_ratio",
] as const;

/**
 * Features that only the Chromium recordings carry: the human recordings have no value (NaN), so
 * in training their mere presence means "bot", while every real visitor through the guard has one
 * (a person's browser reports navigator.webdriver = false).
 */
export const SOURCE_ONLY = ["webdriver"] as const;

/** Tree growing options shared by every experiment (kept in the report). */
export const TREE_OPTIONS = {
  maxDepth: 10,
  minSamplesLeaf: 20,
  classWeight: "balanced" as const,
  seed: 1,
};

/** A trainer for a configuration, over tree/mod.ts. */
export function trainerFor(config: ModelConfig): Trainer {
  const keep = FEATURE_NAMES.map((n, i) => [n, i] as const).filter(([n]) =>
    !config.drop.includes(n)
  );
  const names = keep.map(([n]) => n as string);
  const pick = (r: DatasetRow) => keep.map(([, i]) => r.features[i]);
  return (train) => {
    const data = datasetFromRows(
      names,
      train.map(pick),
      train.map((r) => r.label),
    );
    const model = config.trees > 1
      ? trainForest(data, {
        ...TREE_OPTIONS,
        trees: config.trees,
        maxFeatures: "sqrt",
      })
      : trainTree(data, TREE_OPTIONS);
    const human = model.classes.indexOf("human");
    const scorer: Scorer = (rows) =>
      rows.map((r) => 1 - predictProba(model, pick(r))[human]);
    return scorer;
  };
}

/** Session rule settings: the shipped defaults of config.ts VERDICT_*, read from its schema. */
export const VERDICT = (() => {
  const loaded = loadConfig({});
  if (!loaded.ok) throw new Error(loaded.errors.join("; "));
  const c = loaded.config;
  return {
    threshold: c.VERDICT_THRESHOLD,
    minWindows: c.VERDICT_MIN_WINDOWS,
    decay: c.VERDICT_DECAY,
  };
})();
/** k-of-n alternative measured against it. */
export const K_OF_N = { k: 3, n: 5 };

/** Per-kind results at a threshold: window detection, session detection by both rules, delay. */
export interface KindResult {
  kind: string;
  label: string;
  windows: number;
  sessions: number;
  windowRate: number;
  logOddsRate: number;
  logOddsDelay: number;
  kOfNRate: number;
  kOfNDelay: number;
}

/** Window and session rates per kind. */
export function perKind(
  rows: readonly DatasetRow[],
  scores: readonly number[],
  threshold: number,
): KindResult[] {
  const sessions = [...scoresBySession(rows, scores).values()];
  const kinds = [...new Set(rows.map((r) => r.kind))];
  return kinds.map((kind) => {
    const w = scores.filter((_, i) => rows[i].kind === kind);
    const ss = sessions.filter((s) => s.row.kind === kind);
    const lo = ss.map((s) => sessionVerdict(s.scores, VERDICT).detectedAt);
    const kn = ss.map((s) => kOfN(s.scores, K_OF_N.k, K_OF_N.n, threshold));
    const rate = (xs: (number | null)[]) =>
      xs.filter((x) => x !== null).length / xs.length;
    const delay = (xs: (number | null)[]) => {
      const hit = xs.filter((x): x is number => x !== null);
      return hit.length ? hit.reduce((a, b) => a + b, 0) / hit.length : NaN;
    };
    return {
      kind,
      label: ss[0]?.row.label ?? "",
      windows: w.length,
      sessions: ss.length,
      windowRate: rateAbove(w, threshold),
      logOddsRate: rate(lo),
      logOddsDelay: delay(lo),
      kOfNRate: rate(kn),
      kOfNDelay: delay(kn),
    };
  });
}

/** Result of grouped cross-validation of one configuration. */
export interface CvResult {
  config: ModelConfig;
  auc: number;
  threshold: number;
  humanFpr: number;
  /** Human window FPR and bot window detection at the plain 0.5 threshold. */
  fprAtHalf: number;
  detectionAtHalf: number;
  kinds: KindResult[];
  scores: number[];
}

/** Grouped k-fold CV; the window threshold is set at `fpr` on out-of-fold human windows. */
export function crossValidateConfig(
  rows: readonly DatasetRow[],
  config: ModelConfig,
  o: { k: number; seed: number; fpr: number },
): CvResult {
  const folds = groupFolds(rows, o.k, o.seed);
  const scores = outOfFoldScores(rows, folds, o.k, trainerFor(config));
  const human = scores.filter((_, i) => rows[i].label === "human");
  const threshold = thresholdAtFpr(human, o.fpr);
  return {
    config,
    auc: rocAuc(scores, rows.map((r) => r.label === "bot")),
    threshold,
    humanFpr: rateAbove(human, threshold),
    fprAtHalf: rateAbove(human, 0.5),
    detectionAtHalf: rateAbove(
      scores.filter((_, i) => rows[i].label === "bot"),
      0.5,
    ),
    kinds: perKind(rows, scores, threshold),
    scores,
  };
}

const COL = (name: string) =>
  (FEATURE_NAMES as readonly string[]).indexOf(name);
const INTERVAL = COL("interval_mean"),
  CLICKS = COL("click_count"),
  SCROLL = COL("scroll_speed");

/** {@link hasPointerEvidence} of the collector, on a row in FEATURE_NAMES order. */
export function rowHasPointerEvidence(features: readonly number[]): boolean {
  return hasPointerEvidence({
    interval_mean: features[INTERVAL],
    click_count: features[CLICKS],
    scroll_speed: features[SCROLL],
  });
}

/** Train on `train`, score `test`, and report per kind at a fixed threshold. */
export function holdOut(
  train: readonly DatasetRow[],
  test: readonly DatasetRow[],
  config: ModelConfig,
  threshold: number,
  gate = false,
): { auc: number; kinds: KindResult[] } {
  const raw = trainerFor(config)(train)(test);
  const scores = gate
    ? raw.map((s, i) => (rowHasPointerEvidence(test[i].features) ? s : NaN))
    : raw;
  return {
    auc: rocAuc(raw, test.map((r) => r.label === "bot")),
    kinds: perKind(test, scores, threshold),
  };
}

/** One session-rule setting's human false-positive and bot detection rates (per session). */
export interface RuleSweepRow {
  rule: string;
  humanSessionFpr: number;
  botSessionRate: number;
  meanDelay: number;
}

/** Session rules over the same out-of-fold scores: log-odds thresholds and k-of-n variants. */
export function sweepRules(
  rows: readonly DatasetRow[],
  scores: readonly number[],
  windowThreshold: number,
): RuleSweepRow[] {
  const sessions = [...scoresBySession(rows, scores).values()];
  const measure = (
    rule: string,
    detect: (s: number[]) => number | null,
  ): RuleSweepRow => {
    const res = sessions.map((s) => ({
      label: s.row.label,
      at: detect(s.scores),
    }));
    const humans = res.filter((r) => r.label === "human");
    const bots = res.filter((r) => r.label === "bot");
    const hits = bots.filter((r) => r.at !== null).map((r) => r.at as number);
    return {
      rule,
      humanSessionFpr: humans.filter((r) => r.at !== null).length /
        humans.length,
      botSessionRate: hits.length / bots.length,
      meanDelay: hits.length
        ? hits.reduce((a, b) => a + b, 0) / hits.length
        : NaN,
    };
  };
  const out: RuleSweepRow[] = [];
  for (const threshold of [1, 1.5, 2, 3, 4, 6, 8]) {
    const o = { ...VERDICT, threshold };
    out.push(
      measure(
        `log-odds ≥ ${threshold} (decay ${o.decay}, min ${o.minWindows})`,
        (s) => sessionVerdict(s, o).detectedAt,
      ),
    );
  }
  for (const [k, n] of [[2, 5], [3, 5], [4, 5]]) {
    out.push(
      measure(
        `${k}-of-${n} windows > ${windowThreshold.toFixed(3)}`,
        (s) => kOfN(s, k, n, windowThreshold),
      ),
    );
  }
  return out;
}
