/**
 * Text tables for the CLIs: metrics, confusion matrix, feature importances.
 *
 * @module
 */
import type { Metrics, Model } from "./types.ts";

function pct(x: number): string {
  return Number.isNaN(x) ? "n/a" : (100 * x).toFixed(2) + "%";
}

/** Metrics and the confusion matrix as aligned text lines. */
export function formatMetrics(
  m: Metrics,
  classes: readonly string[],
  negative: string,
): string {
  const lines = [
    `rows        ${m.n}`,
    `accuracy    ${pct(m.accuracy)}`,
    `precision   ${pct(m.precision)}   (positive = not "${negative}", score > ${
      m.threshold.toPrecision(6)
    })`,
    `recall      ${pct(m.recall)}`,
    `f1          ${pct(m.f1)}`,
    `roc auc     ${Number.isNaN(m.rocAuc) ? "n/a" : m.rocAuc.toFixed(4)}`,
    `fpr         ${pct(m.fpr)}`,
    "confusion (rows: actual, columns: predicted)",
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
