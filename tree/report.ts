/**
 * Text tables for the CLIs: metrics, confusion matrix, feature importances.
 *
 * @module
 */
import type { Metrics, Model } from "./types.ts";

function pct(x: number): string {
  return Number.isNaN(x) ? "n/a" : (100 * x).toFixed(2) + "%";
}

/** Rows the metrics class positive (scored above the threshold): the confusion matrix's positive columns. */
export function flaggedRows(
  m: Metrics,
  classes: readonly string[],
  negative: string,
): number {
  const neg = classes.indexOf(negative);
  return m.confusion.reduce(
    (sum, row) => sum + row.reduce((a, v, c) => a + (c === neg ? 0 : v), 0),
    0,
  );
}

/** A threshold as printed: up to 6 significant digits, no trailing zeros. */
export function formatThreshold(t: number): string {
  return Number.isFinite(t) ? String(Number(t.toPrecision(6))) : String(t);
}

/**
 * Metrics and the confusion matrix as aligned text lines, headed by the one threshold every figure
 * but ROC AUC is taken at. A threshold no row scores above is reported as such: precision and F1
 * are then undefined, not 0.
 */
export function formatMetrics(
  m: Metrics,
  classes: readonly string[],
  negative: string,
): string {
  const t = formatThreshold(m.threshold);
  const flagged = flaggedRows(m, classes, negative);
  const none = flagged === 0;
  const lines = [
    `at threshold ${t}: positive = not "${negative}", score = 1 - P(${negative}) > ${t}`,
    `rows        ${m.n}`,
    none
      ? `flagged     0 (no row scores above the threshold ${t}: nothing is classed positive)`
      : `flagged     ${flagged}`,
    `accuracy    ${pct(m.accuracy)}`,
    `precision   ${none ? "n/a (no row flagged)" : pct(m.precision)}`,
    `recall      ${pct(m.recall)}`,
    `f1          ${none ? "n/a (no row flagged)" : pct(m.f1)}`,
    `fpr         ${pct(m.fpr)}`,
    `roc auc     ${
      Number.isNaN(m.rocAuc) ? "n/a" : m.rocAuc.toFixed(4)
    }   (over all thresholds)`,
    `confusion at threshold ${t} (rows: actual, columns: predicted)`,
  ];
  const w = Math.max(8, ...classes.map((c) => c.length)) + 2;
  lines.push("".padEnd(w) + classes.map((c) => c.padStart(w)).join(""));
  m.confusion.forEach((row, i) =>
    lines.push(
      classes[i].padEnd(w) + row.map((v) => String(v).padStart(w)).join(""),
    )
  );
  return lines.join("\n");
}

/** Feature importances, highest first (ties by name). */
export function featureImportances(
  model: Model,
): { feature: string; importance: number }[] {
  return model.features.map((feature, f) => ({
    feature,
    importance: model.importances[f],
  }))
    .sort((a, b) =>
      b.importance - a.importance ||
      (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0)
    );
}

/** The top `k` importances as text lines. */
export function formatImportances(model: Model, k = 10): string {
  return featureImportances(model).slice(0, k)
    .map(({ feature, importance }) =>
      `  ${feature.padEnd(24)} ${importance.toFixed(4)}`
    ).join("\n");
}
