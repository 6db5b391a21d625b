/**
 * A tiny, deterministic model for tests: humans move with varied speed (speed_std 200–2000 px/s),
 * bots at constant speed (speed_std 0–5). Every other feature is missing.
 */
import { FEATURE_NAMES, type FeatureVector } from "../../collector/mod.ts";
import { datasetFromRows, serializeModel, trainTree } from "../../tree/mod.ts";

/**
 * A feature vector with speed_std set and pointer evidence (a move interval, no click, no
 * scroll); `pointer: false` makes it a typing-only window.
 */
export function vectorWith(
  speedStd: number,
  pointer = true,
): FeatureVector {
  const v = Object.fromEntries(FEATURE_NAMES.map((n) => [n, Number.NaN]));
  return {
    ...v,
    speed_std: speedStd,
    interval_mean: pointer ? 16 : Number.NaN,
    click_count: 0,
    scroll_speed: 0,
  } as FeatureVector;
}

/** Model JSON text trained on 40 synthetic rows (the split falls between 5 and 200). */
export function tinyModelJson(): string {
  const rows: number[][] = [];
  const labels: string[] = [];
  const at = FEATURE_NAMES.indexOf("speed_std");
  for (let i = 0; i < 20; i++) {
    for (
      const [label, value] of [["human", 200 + 90 * i], ["bot", i / 4]] as const
    ) {
      const row = FEATURE_NAMES.map(() => Number.NaN);
      row[at] = value;
      rows.push(row);
      labels.push(label);
    }
  }
  const data = datasetFromRows([...FEATURE_NAMES], rows, labels);
  return serializeModel(trainTree(data, { maxDepth: 3 }));
}
