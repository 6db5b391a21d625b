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
  /** Per feature, the node's rows in value order (`order`), their values and their classes. */
  order: Int32Array;
  vals: Float32Array;
  cls: Uint16Array;
  /** Weight per class. */
  cw: Float64Array;
  /** Weight per row when rows weigh differently (bootstrap counts x class weight), else null. */
  rowW: Float64Array | null;
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

/** One pass over the present values; NaNs go left when `mgl` (their totals pre-loaded). */
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
  if (s.nClasses === 2 && !s.entropy) {
    passBinaryGini(s, f, start, endNM, nMiss, wn, mgl, wMiss);
    return;
  }
  const { order, vals, cls, cw, rowW, cL } = s;
  const base = f * s.m;
  if (mgl) cL.set(s.cMiss);
  else cL.fill(0);
  let wl = mgl ? wMiss : 0;
  for (let p = start; p < endNM - 1; p++) {
    const c = cls[base + p];
    const wi = rowW === null ? cw[c] : rowW[order[base + p]];
    cL[c] += wi;
    wl += wi;
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
      record(
        s,
        f,
        pos,
        threshold(v, next),
        nanDirection(nMiss, nLeft, nRight, mgl),
        wl,
      );
      s.bestEndNM = endNM;
    }
  }
}

function threshold(v: number, next: number): number {
  // Sum of halves avoids overflow; fall back to the lower value if rounding reaches the upper.
  const thr = v / 2.0 + next / 2.0;
  return thr === next || thr === Infinity || thr === -Infinity ? v : thr;
}

function nanDirection(
  nMiss: number,
  nLeft: number,
  nRight: number,
  mgl: boolean,
): number {
  return nMiss === 0 ? (nLeft > nRight ? 1 : 0) : (mgl ? 1 : 0);
}

/**
 * {@link pass} for two classes and Gini, class totals in locals. Same arithmetic as the general
 * path (and scikit-learn): 1 - (l0*l0 + l1*l1) / (wl*wl), so ties break identically.
 */
function passBinaryGini(
  s: SplitState,
  f: number,
  start: number,
  endNM: number,
  nMiss: number,
  wn: number,
  mgl: boolean,
  wMiss: number,
) {
  const { order, vals, cls, cw, rowW } = s;
  const base = f * s.m;
  const t0 = s.cT[0], t1 = s.cT[1], w0 = cw[0], w1 = cw[1];
  let l0 = mgl ? s.cMiss[0] : 0, l1 = mgl ? s.cMiss[1] : 0;
  let wl = mgl ? wMiss : 0;
  const minLeaf = s.minLeaf;
  for (let p = start; p < endNM - 1; p++) {
    const c = cls[base + p];
    const wi = rowW === null ? (c === 0 ? w0 : w1) : rowW[order[base + p]];
    if (c === 0) l0 += wi;
    else l1 += wi;
    wl += wi;
    const v = vals[base + p];
    const next = vals[base + p + 1];
    if (next <= v + FEATURE_THRESHOLD) continue;
    const pos = p + 1;
    const nLeft = pos - start + (mgl ? nMiss : 0);
    const nRight = endNM - pos + (mgl ? 0 : nMiss);
    if (nLeft < minLeaf || nRight < minLeaf) continue;
    const wr = wn - wl;
    const r0 = t0 - l0, r1 = t1 - l1;
    const impL = 1.0 - (l0 * l0 + l1 * l1) / (wl * wl);
    const impR = 1.0 - (r0 * r0 + r1 * r1) / (wr * wr);
    const px = -wr * impR - wl * impL;
    if (px > s.bestProxy) {
      s.bestProxy = px;
      s.cL[0] = l0;
      s.cL[1] = l1;
      record(
        s,
        f,
        pos,
        threshold(v, next),
        nanDirection(nMiss, nLeft, nRight, mgl),
        wl,
      );
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
  const { vals, order, cls, cw, rowW } = s;
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
      const c = cls[base + p];
      const wi = rowW === null ? cw[c] : rowW[order[base + p]];
      s.cMiss[c] += wi;
      wMiss += wi;
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
