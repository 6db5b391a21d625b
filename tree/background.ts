/**
 * A reference background for one-class learning by contrast (Hastie, Tibshirani & Friedman, The
 * Elements of Statistical Learning, §14.2.4): a classifier of the observed rows against rows drawn
 * from a known reference density estimates where the observed data live. A tree trained on
 * "observed vs background" says "unlike anything observed" for a point far from the data, whatever
 * produced that point, which is what an open set of unknown classes needs.
 *
 * Two references, mixed by `uniformShare`:
 * - independent marginals (each column drawn from a different random observed row, Breiman's
 *   unsupervised forest): same ranges as the data, dependencies between columns broken;
 * - a uniform box over each column's observed range widened by `widen` of the range on both sides:
 *   points beyond what was observed.
 * The default is marginals only: on the guard's windows (docs/evaluation.md) a uniform box alone
 * is too easy to tell from the data (every human window scores P(human) ≈ 1, and so do most bots),
 * while broken dependencies are what human-like bots show (speed unlike their acceleration, a
 * path too straight for its pauses). Marginals never reach beyond the observed ranges, though, so
 * a value past every human's (a pointer at 30,000 px/s) lands in the leaf of the human extreme; a
 * small uniform share (the guard's humanness model: 0.2, docs/evaluation_open.md) puts background
 * there too.
 * A row keeps the missing-value pattern (NaN cells) of a random observed row, so the presence of a
 * modality is never what tells the two apart.
 *
 * @module
 */
import { datasetFromRows, rowOf, seededRandom } from "./dataset.ts";
import type { Dataset } from "./types.ts";

/** Options of {@link backgroundRows}. */
export interface BackgroundOptions {
  /** Rows to draw. */
  n: number;
  /** Seed of the draw. */
  seed: number;
  /** Share of rows drawn from the uniform box, in [0, 1] (default 0: marginals only). */
  uniformShare?: number;
  /** Widening of the uniform box, as a fraction of each column's range (default 0.5). */
  widen?: number;
  /** Lower bounds the box never crosses, per column (e.g. 0 for rates); default none. */
  floor?: readonly number[];
}

/**
 * Draws background rows for the observed `rows` (all of the same length).
 *
 * @example
 * ```ts
 * backgroundRows([[1, 2], [3, 4]], { n: 4, seed: 1 }).length; // 4
 * ```
 */
export function backgroundRows(
  rows: readonly (readonly number[])[],
  options: BackgroundOptions,
): number[][] {
  if (rows.length === 0) {
    throw new RangeError("Cannot draw a background for no rows");
  }
  const width = rows[0].length;
  const widen = options.widen ?? 0.5;
  const rand = seededRandom(options.seed);
  const pick = () => rows[Math.floor(rand() * rows.length)];
  const lo = new Array<number>(width).fill(Infinity);
  const hi = new Array<number>(width).fill(-Infinity);
  for (const r of rows) {
    for (let j = 0; j < width; j++) {
      if (Number.isNaN(r[j])) continue;
      lo[j] = Math.min(lo[j], r[j]);
      hi[j] = Math.max(hi[j], r[j]);
    }
  }
  const out: number[][] = [];
  for (let i = 0; i < options.n; i++) {
    const pattern = pick();
    const uniform = rand() < (options.uniformShare ?? 0);
    const row = new Array<number>(width);
    for (let j = 0; j < width; j++) {
      if (Number.isNaN(pattern[j]) || lo[j] > hi[j]) {
        row[j] = Number.NaN;
        continue;
      }
      if (!uniform) {
        let v = Number.NaN;
        for (let tries = 0; tries < 8 && Number.isNaN(v); tries++) {
          v = pick()[j];
        }
        row[j] = Number.isNaN(v) ? pattern[j] : v;
        continue;
      }
      const span = hi[j] - lo[j];
      const a = Math.max(lo[j] - widen * span, options.floor?.[j] ?? -Infinity);
      row[j] = a + rand() * (hi[j] + widen * span - a);
    }
    out.push(row);
  }
  return out;
}

/** Options of {@link contrastDataset}. */
export interface ContrastOptions {
  /** Seed of the background draw. */
  seed: number;
  /** Groups of the data's rows (kept for the kept class). */
  groups?: readonly string[];
  /** Share of background rows from the widened uniform box (default 0: marginals only). */
  uniformShare?: number;
  /** One lower bound for every column of the box (e.g. 0 when every feature is a size or rate). */
  floor?: number;
}

/**
 * A dataset of the rows of class `keep` against as many background rows (class `background`),
 * with groups for grouped CV: the kept rows keep theirs, each background row is its own group.
 * The model trained on it scores 1 − P(keep): how unlike the kept class a row is.
 */
export function contrastDataset(
  data: Dataset,
  keep: string,
  options: ContrastOptions,
): { dataset: Dataset; groups?: string[] } {
  const k = data.classes.indexOf(keep);
  if (k < 0) {
    throw new TypeError(
      `Cannot contrast class "${keep}": the data has classes ${
        data.classes.join(", ")
      }`,
    );
  }
  const rows: number[][] = [];
  const groups: string[] = [];
  for (let r = 0; r < data.nRows; r++) {
    if (data.y[r] !== k) continue;
    rows.push(Array.from(rowOf(data, r)));
    groups.push(options.groups?.[r] ?? String(r));
  }
  const bg = backgroundRows(rows, {
    n: rows.length,
    seed: options.seed,
    uniformShare: options.uniformShare,
    floor: options.floor === undefined
      ? undefined
      : data.features.map(() => options.floor!),
  });
  bg.forEach((_, i) => groups.push(`background/${i}`));
  const dataset = datasetFromRows(
    data.features,
    [...rows, ...bg],
    [...rows.map(() => keep), ...bg.map(() => "background")],
  );
  return options.groups ? { dataset, groups } : { dataset };
}
