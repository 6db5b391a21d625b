/**
 * The split search of one node on one feature, following scikit-learn's BestSplitter (1.3+, with
 * missing values): rows in ascending value order, class totals updated incrementally, a candidate
 * between two values further apart than 1e-7, midpoint thresholds, and with NaNs present three
 * searches (NaNs right, NaNs left, only-NaNs-right). Proxy improvements use the same formulas as
 * scikit-learn so ties resolve the same way.
 *
 * @module
 */

/** scikit-learn's FEATURE_THRESHOLD: values closer than this are one value. */
export const FEATURE_THRESHOLD = 1e-7;
/** Double precision machine epsilon, scikit-learn's EPSILON. */
export const EPSILON = 2.220446049250313e-16;

/** Mutable search state shared by all nodes of one tree (no allocation per node). */
export interface SplitState {
  /** Samples in the tree. */
  m: number;
  nClasses: number;
  entropy: boolean;
  minLeaf: number;
  order: Int32Array;
  vals: Float32Array;
  y: Int32Array;
  w: Float64Array;
  /** Class totals of the current node. */
  cT: Float64Array;
  cL: Float64Array;
  cMiss: Float64Array;
  /** Best split so far. */
  bestProxy: number;
  bestFeature: number;
  bestPos: number;
  bestThreshold: number;
  bestNanLeft: number;
  bestEndNM: number;
  bestCL: Float64Array;
  bestWl: number;
}

/** Impurity of class totals `c` (total weight `wn`), Gini or entropy (bits). */
export function impurity(
  c: ArrayLike<number>,
  wn: number,
  entropy: boolean,
): number {
  if (entropy) {
    let e = 0;
    for (let k = 0; k < c.length; k++) {
      if (c[k] > 0) {
        const p = c[k] / wn;
        e -= p * (Math.log(p) / Math.LN2);
      }
    }
    return e;
  }
  let sq = 0;
  for (let k = 0; k < c.length; k++) sq += c[k] * c[k];
  return 1.0 - sq / (wn * wn);
}

/** Impurity of the right side (`cT - cL`, weight `wr`) without allocating. */
export function rightImpurity(s: SplitState, wr: number): number {
  const { cT, cL } = s;
  if (s.entropy) {
    let e = 0;
    for (let k = 0; k < s.nClasses; k++) {
      const r = cT[k] - cL[k];
      if (r > 0) {
        const p = r / wr;
        e -= p * (Math.log(p) / Math.LN2);
      }
    }
    return e;
  }
  let sq = 0;
  for (let k = 0; k < s.nClasses; k++) {
    const r = cT[k] - cL[k];
    sq += r * r;
  }
  return 1.0 - sq / (wr * wr);
}

function proxy(s: SplitState, wl: number, wn: number): number {
  const wr = wn - wl;
  return -wr * rightImpurity(s, wr) - wl * impurity(s.cL, wl, s.entropy);
}

function record(
  s: SplitState,
  f: number,
  pos: number,
  thr: number,
  nanLeft: number,
  wl: number,
) {
  s.bestFeature = f;
  s.bestPos = pos;
  s.bestThreshold = thr;
  s.bestNanLeft = nanLeft;
  s.bestCL.set(s.cL);
  s.bestWl = wl;
}

/** One pass over the present values; NaNs go left when `nanLeft` (their totals pre-loaded). */
function pass(
  s: SplitState,
  f: number,
  start: number,
  endNM: number,
  nMiss: number,
  wn: number,
  mgl: boolean,
  wMiss: number,
) {
  const { order, vals, y, w, cL } = s;
  const base = f * s.m;
  if (mgl) cL.set(s.cMiss);
  else cL.fill(0);
  let wl = mgl ? wMiss : 0;
  for (let p = start; p < endNM - 1; p++) {
    const i = order[base + p];
    cL[y[i]] += w[i];
    wl += w[i];
    const v = vals[base + p];
    const next = vals[base + p + 1];
    if (next <= v + FEATURE_THRESHOLD) continue;
    const pos = p + 1;
    const nLeft = pos - start + (mgl ? nMiss : 0);
    const nRight = endNM - pos + (mgl ? 0 : nMiss);
    if (nLeft < s.minLeaf || nRight < s.minLeaf) continue;
    const px = proxy(s, wl, wn);
    if (px > s.bestProxy) {
      s.bestProxy = px;
      let thr = v / 2.0 + next / 2.0;
      if (thr === next || thr === Infinity || thr === -Infinity) thr = v;
      const nanLeft = nMiss === 0 ? (nLeft > nRight ? 1 : 0) : (mgl ? 1 : 0);
      record(s, f, pos, thr, nanLeft, wl);
      s.bestEndNM = endNM;
    }
  }
}

/**
 * Searches feature `f` over node rows [start, end) of wn total weight; updates the best split.
 * Returns false when the feature is constant in the node.
 */
export function scanFeature(
  s: SplitState,
  f: number,
  start: number,
  end: number,
  wn: number,
): boolean {
  const base = f * s.m;
  const { vals, order, y, w } = s;
  let endNM = end;
  while (endNM > start && Number.isNaN(vals[base + endNM - 1])) endNM--;
  if (
    endNM === start ||
    vals[base + endNM - 1] <= vals[base + start] + FEATURE_THRESHOLD
  ) return false;
  const nMiss = end - endNM;
  let wMiss = 0;
  if (nMiss > 0) {
    s.cMiss.fill(0);
    for (let p = endNM; p < end; p++) {
      const i = order[base + p];
      s.cMiss[y[i]] += w[i];
      wMiss += w[i];
    }
  }
  pass(s, f, start, endNM, nMiss, wn, false, wMiss);
  if (nMiss === 0) return true;
  pass(s, f, start, endNM, nMiss, wn, true, wMiss);
  // Every present value left, every missing one right.
  if (endNM - start >= s.minLeaf && nMiss >= s.minLeaf) {
    const { cL } = s;
    for (let k = 0; k < s.nClasses; k++) cL[k] = s.cT[k] - s.cMiss[k];
    const wl = wn - wMiss;
    const px = proxy(s, wl, wn);
    if (px > s.bestProxy) {
      s.bestProxy = px;
      record(s, f, endNM, Infinity, 0, wl);
      s.bestEndNM = endNM;
    }
  }
  return true;
}
