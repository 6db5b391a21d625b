/**
 * Detections in words, for the console: a tree's decision path as "speed variability 0.03 ≤ 0.11
 * → …", and what the session rule saw. Pure; the pages escape what they render.
 *
 * @module
 */

/** Plain names of the features the model uses (collector/features.ts defines them). */
const FEATURE_WORDS: Record<string, string> = {
  speed_mean: "mean speed",
  speed_std: "speed variability",
  speed_max: "top speed",
  accel_mean: "mean acceleration",
  accel_std: "acceleration variability",
  jerk_mean: "mean jerk",
  curvature_mean: "mean curvature",
  straightness: "path straightness",
  pause_share: "share of pauses",
  interval_mean: "mean event interval",
  interval_std: "event interval variability",
  interval_cv: "event interval irregularity (CV)",
  click_dwell_mean: "click hold time",
  click_dwell_std: "click hold variability",
  click_no_move_share: "clicks without movement",
  key_dwell_mean: "key hold time",
  key_dwell_std: "key hold variability",
  key_flight_mean: "time between keys",
  key_flight_std: "variability between keys",
  backspace_ratio: "share of corrections",
  scroll_interval_cv: "scroll rhythm irregularity (CV)",
  untrusted_share: "share of synthetic events",
  webdriver: "navigator.webdriver",
};

/** The plain name of a feature (its column name with spaces when it has none). */
export function featureWords(name: string): string {
  return FEATURE_WORDS[name] ?? name.replaceAll("_", " ");
}

/** A number in at most 3 significant digits, without exponent for everyday magnitudes. */
export function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString("en-US");
  return String(Number(x.toPrecision(3)));
}

/** One step of a stored decision path (middleware/detect/model_score.ts `PathStep`). */
export interface WordStep {
  feature: string;
  threshold: number;
  value: number | null;
  wentLeft: boolean;
}

/** Whether `x` is a stored decision path. */
export function isPath(x: unknown): x is WordStep[] {
  return Array.isArray(x) &&
    x.every((s) =>
      typeof s === "object" && s !== null &&
      typeof (s as WordStep).feature === "string" &&
      typeof (s as WordStep).threshold === "number" &&
      typeof (s as WordStep).wentLeft === "boolean"
    );
}

/**
 * One step in words: the window's value against the split, the way the tree went (a tree goes
 * left when value ≤ threshold; a missing value goes where training sent most such windows).
 */
export function stepWords(s: WordStep): string {
  const name = featureWords(s.feature);
  if (s.value === null) {
    return `${name} missing (sent ${s.wentLeft ? "≤" : ">"} ${
      num(s.threshold)
    })`;
  }
  return `${name} ${num(s.value)} ${s.wentLeft ? "≤" : ">"} ${
    num(s.threshold)
  }`;
}

/** A decision path in words, ending with what the window scored when known. */
export function pathWords(
  path: readonly WordStep[],
  score?: number,
): string {
  const steps = path.map(stepWords);
  if (score !== undefined) steps.push(`P(bot) ${num(score)}`);
  return steps.join(" → ");
}
