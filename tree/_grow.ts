/**
 * Growing one CART tree depth-first, as scikit-learn's DepthFirstTreeBuilder does: nodes are row
 * ranges of per-feature presorted lists, an explicit stack, children partitioned stably in place so
 * nothing is re-sorted and nothing is allocated per node.
 *
 * @module
 */
import { addNode, newNodeStore, type NodeStore, toFlatTree } from "./_nodes.ts";
import type { Presorted } from "./_presort.ts";
import {
  EPSILON,
  impurity,
  rightImpurity,
  scanFeature,
  type SplitState,
} from "./_split.ts";
import type { FlatTree } from "./types.ts";

/** Everything one tree is grown from. */
export interface GrowInput {
  presorted: Presorted;
  y: Int32Array;
  /** Weight per class. */
  classWeight: Float64Array;
  /** Bootstrap count per row (rows with 0 are left out); absent: every row once. */
  counts?: Float64Array;
  /** Reorder `presorted` in place instead of copying it (it is unusable afterwards). */
  consume?: boolean;
  nClasses: number;
  entropy: boolean;
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  minImpurityDecrease: number;
  /** Features to try per node (all when >= number of features). */
  maxFeatures: number;
  /** Uniform [0, 1) random numbers, for feature sampling. */
  random: () => number;
}

interface Work {
  s: SplitState;
  nFeatures: number;
  goLeft: Uint8Array;
  tmpI: Int32Array;
  tmpV: Float32Array;
  tmpC: Uint16Array;
  perm: Int32Array;
}

function initWork(inp: GrowInput): Work {
  const { presorted: ps, counts, y } = inp;
  let m = 0;
  for (let i = 0; i < ps.n; i++) if (!counts || counts[i] > 0) m++;
  // One tree on all rows consumes the presorted lists in place; a forest's trees copy theirs.
  const inPlace = inp.consume === true && !counts;
  const order = inPlace ? ps.order : new Int32Array(m * ps.nFeatures);
  const vals = inPlace ? ps.values : new Float32Array(m * ps.nFeatures);
  const cls = new Uint16Array(m * ps.nFeatures);
  for (let f = 0; f < ps.nFeatures; f++) {
    let k = f * m;
    for (let j = f * ps.n, e = j + ps.n; j < e; j++) {
      const i = ps.order[j];
      if (!counts || counts[i] > 0) {
        order[k] = i;
        cls[k] = y[i];
        vals[k++] = ps.values[j];
      }
    }
  }
  const C = inp.nClasses;
  const rowW = counts
    ? Float64Array.from(counts, (c, i) => c * inp.classWeight[y[i]])
    : null;
  const s: SplitState = {
    m,
    nClasses: C,
    entropy: inp.entropy,
    minLeaf: inp.minSamplesLeaf,
    order,
    vals,
    cls,
    cw: inp.classWeight,
    rowW,
    cT: new Float64Array(C),
    cL: new Float64Array(C),
    cMiss: new Float64Array(C),
    bestProxy: -Infinity,
    bestFeature: -1,
    bestPos: 0,
    bestThreshold: 0,
    bestNanLeft: 0,
    bestEndNM: 0,
    bestCL: new Float64Array(C),
    bestWl: 0,
  };
  const perm = Int32Array.from({ length: ps.nFeatures }, (_, i) => i);
  return {
    s,
    nFeatures: ps.nFeatures,
    goLeft: new Uint8Array(ps.n),
    tmpI: new Int32Array(m),
    tmpV: new Float32Array(m),
    tmpC: new Uint16Array(m),
    perm,
  };
}

/** Sums class weights of node rows [start, end) into s.cT and returns the total weight. */
function nodeTotals(s: SplitState, start: number, end: number): number {
  s.cT.fill(0);
  let wn = 0;
  const { cls, cw, rowW, order } = s;
  for (let p = start; p < end; p++) {
    const c = cls[p];
    const wi = rowW === null ? cw[c] : rowW[order[p]];
    s.cT[c] += wi;
    wn += wi;
  }
  return wn;
}

/** Tries features (all, or a random subset skipping constants) and leaves the best in `s`. */
function findSplit(
  wk: Work,
  inp: GrowInput,
  start: number,
  end: number,
  wn: number,
) {
  const { s, perm, nFeatures } = wk;
  s.bestProxy = -Infinity;
  s.bestFeature = -1;
  if (inp.maxFeatures >= nFeatures) {
    for (let f = 0; f < nFeatures; f++) scanFeature(s, f, start, end, wn);
    return;
  }
  let found = 0;
  for (let j = 0; j < nFeatures && found < inp.maxFeatures; j++) {
    const r = j + Math.floor(inp.random() * (nFeatures - j));
    const f = perm[r];
    perm[r] = perm[j];
    perm[j] = f;
    if (scanFeature(s, f, start, end, wn)) found++;
  }
}

/** Stably moves rows going left to the front of [start, end) in every feature's lists. */
function partition(wk: Work, start: number, end: number): number {
  const { s, goLeft, tmpI, tmpV, tmpC } = wk;
  const { order, vals, cls } = s;
  const base = s.bestFeature * s.m;
  for (let p = start; p < end; p++) {
    goLeft[s.order[base + p]] = p < s.bestEndNM
      ? (p < s.bestPos ? 1 : 0)
      : s.bestNanLeft;
  }
  let nLeft = 0;
  for (let f = 0; f < wk.nFeatures; f++) {
    const b = f * s.m;
    let l = b + start;
    let r = 0;
    for (let p = b + start, e = b + end; p < e; p++) {
      const i = order[p];
      if (goLeft[i] === 1) {
        order[l] = i;
        cls[l] = cls[p];
        vals[l++] = vals[p];
      } else {
        tmpI[r] = i;
        tmpC[r] = cls[p];
        tmpV[r++] = vals[p];
      }
    }
    order.set(tmpI.subarray(0, r), l);
    vals.set(tmpV.subarray(0, r), l);
    cls.set(tmpC.subarray(0, r), l);
    nLeft = l - b - start;
  }
  return nLeft;
}

/** Grows one tree; node numbering and split choices follow scikit-learn's depth-first builder. */
export function growTree(inp: GrowInput): FlatTree {
  const wk = initWork(inp);
  const { s } = wk;
  const nodes = newNodeStore(inp.nClasses);
  const minSplit = Math.max(inp.minSamplesSplit, 2 * inp.minSamplesLeaf);
  // Stack frames: start, end, depth, parent (-1 root), isLeft; impurity alongside.
  const frames: number[] = [0, s.m, 0, -1, 0];
  const imps: number[] = [NaN];
  let wRoot = 0;
  while (frames.length > 0) {
    const isLeft = frames.pop()!, parent = frames.pop()!, depth = frames.pop()!;
    const end = frames.pop()!, start = frames.pop()!;
    let imp = imps.pop()!;
    const n = end - start;
    const wn = nodeTotals(s, start, end);
    if (parent < 0) {
      wRoot = wn;
      imp = impurity(s.cT, wn, s.entropy);
    }
    let leaf = depth >= inp.maxDepth || n < minSplit ||
      n < 2 * inp.minSamplesLeaf || imp <= EPSILON;
    let impL = 0, impR = 0;
    if (!leaf) {
      findSplit(wk, inp, start, end, wn);
      if (s.bestFeature < 0) leaf = true;
      else {
        const wl = s.bestWl, wr = wn - wl;
        s.cL.set(s.bestCL);
        impL = impurity(s.cL, wl, s.entropy);
        impR = rightImpurity(s, wr);
        const improvement = (wn / wRoot) *
          (imp - (wr / wn) * impR - (wl / wn) * impL);
        leaf = improvement + EPSILON < inp.minImpurityDecrease;
      }
    }
    const id = addNode(nodes, s.cT, imp, n, wn);
    if (parent >= 0) (isLeft ? nodes.left : nodes.right)[parent] = id;
    if (leaf) continue;
    setSplit(nodes, id, s);
    const nLeft = partition(wk, start, end);
    frames.push(start + nLeft, end, depth + 1, id, 0);
    imps.push(impR);
    frames.push(start, start + nLeft, depth + 1, id, 1);
    imps.push(impL);
  }
  return toFlatTree(nodes);
}

function setSplit(nodes: NodeStore, id: number, s: SplitState) {
  nodes.feature[id] = s.bestFeature;
  nodes.threshold[id] = s.bestThreshold;
  nodes.nanLeft[id] = s.bestNanLeft;
}
