/**
 * Building and slicing {@link Dataset}s (column-major Float32 features, class indices).
 *
 * @module
 */
import type { Dataset } from "./types.ts";

/**
 * Builds a dataset from row arrays and string labels; classes are the sorted distinct labels
 * (as scikit-learn's `classes_`).
 *
 * @example
 * ```ts
 * const d = datasetFromRows(["a", "b"], [[1, 2], [3, NaN]], ["human", "bot"]);
 * // d.classes = ["bot", "human"], d.y = [1, 0], d.X = [1, 3, 2, NaN]
 * ```
 */
export function datasetFromRows(
  features: string[],
  rows: number[][],
  labels: string[],
): Dataset {
  if (rows.length !== labels.length) {
    throw new RangeError(
      `Cannot build dataset: ${rows.length} rows but ${labels.length} labels`,
    );
  }
  const classes = [...new Set(labels)].sort();
  const index = new Map(classes.map((c, i) => [c, i]));
  const n = rows.length;
  const X = new Float32Array(n * features.length);
  rows.forEach((row, r) => {
    if (row.length !== features.length) {
      throw new RangeError(
        `Cannot build dataset: row ${r} has ${row.length} values, expected ${features.length}`,
      );
    }
    for (let f = 0; f < features.length; f++) X[f * n + r] = row[f];
  });
  const y = Int32Array.from(labels, (l) => index.get(l)!);
  return { features: [...features], X, nRows: n, y, classes };
}

/** The rows `rows` of a dataset (same features and classes). */
export function subsetDataset(data: Dataset, rows: ArrayLike<number>): Dataset {
  const n = rows.length;
  const F = data.features.length;
  const X = new Float32Array(n * F);
  for (let f = 0; f < F; f++) {
    const src = f * data.nRows, dst = f * n;
    for (let k = 0; k < n; k++) X[dst + k] = data.X[src + rows[k]];
  }
  const y = new Int32Array(n);
  for (let k = 0; k < n; k++) y[k] = data.y[rows[k]];
  return { features: data.features, X, nRows: n, y, classes: data.classes };
}

/** Row `r` of a dataset as a fresh array, in feature order. */
export function rowOf(
  data: Dataset,
  r: number,
  out = new Float64Array(data.features.length),
): Float64Array {
  for (let f = 0; f < data.features.length; f++) {
    out[f] = data.X[f * data.nRows + r];
  }
  return out;
}

/** A seeded uniform [0, 1) generator (mulberry32): the same seed gives the same sequence. */
export function seededRandom(seed: number): () => number {
  let a = (seed >>> 0) ^ 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
