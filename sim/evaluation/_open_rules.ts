/**
 * The session rules `deno task evaluate-open` compares: the shipped configuration's first, then
 * the bot model alone, the rule shipped before, and a sweep of positive-evidence rules.
 *
 * @module
 */
import {
  sessionVerdict,
  type VerdictOptions,
  verdictOptionsOf,
} from "../../detect/mod.ts";
import { loadConfig } from "../../config.ts";
import type { WindowScores } from "./_open_set.ts";

/** A session rule over one session's window scores: the 1-based window of the verdict or null. */
export interface OpenRule {
  name: string;
  detect(scores: readonly WindowScores[]): number | null;
}

/** The session rule of the shipped configuration (config.ts defaults). */
export const SHIPPED = (() => {
  const loaded = loadConfig({});
  if (!loaded.ok) throw new Error(loaded.errors.join("; "));
  return verdictOptionsOf(loaded.config);
})();

/** The rules compared: the shipped one first, then the bot model alone and the sweep. */
export function openRules(): OpenRule[] {
  const base = { ...SHIPPED, ambiguity: undefined };
  const rule = (name: string, options: VerdictOptions): OpenRule => ({
    name,
    detect: (s) =>
      sessionVerdict(s.map((w) => w.bot), options, s.map((w) => w.human))
        .detectedAt,
  });
  const odds = `log-odds ≥ ${SHIPPED.threshold} (clip ${SHIPPED.clip})`;
  const shipped = SHIPPED.ambiguity
    ? `shipped: ${odds}, or ${SHIPPED.ambiguity.windows} windows in a row with none positively human (humanness ≥ ${SHIPPED.ambiguity.humanness})`
    : `shipped: ${odds}`;
  const rules = [
    rule(shipped, SHIPPED),
    rule(`bot model ${odds} only`, base),
    // The rule shipped before interval_mode_share, for comparison: one window could decide.
    rule(
      "before: log-odds ≥ 2 (clip 5), or 4 in a row not positively human (humanness ≥ 0.5)",
      {
        ...base,
        threshold: 2,
        clip: 5,
        ambiguity: { windows: 4, humanness: 0.5 },
      },
    ),
  ];
  for (const windows of [4, 6, 8]) {
    for (const humanness of [0.5, 0.6, 0.7]) {
      rules.push(
        rule(
          `${odds}, or ${windows} in a row not positively human (humanness ≥ ${humanness})`,
          {
            ...base,
            ambiguity: { windows, humanness },
          },
        ),
      );
    }
  }
  return rules;
}
