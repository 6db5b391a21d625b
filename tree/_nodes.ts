/**
 * A growable store of tree nodes in flat typed arrays, and its conversion to a {@link FlatTree}.
 *
 * @module
 */
import type { FlatTree } from "./types.ts";

/**
 * Growable node arrays, the node columns of a {@link FlatTree} with spare capacity; `count`
 * nodes are in use.
 */
export type NodeStore =
  & Omit<FlatTree, "nodeCount" | "proba">
  & { count: number; nClasses: number };

/** Creates an empty store with room for `capacity` nodes. */
export function newNodeStore(nClasses: number, capacity = 64): NodeStore {
  return {
    count: 0,
    nClasses,
    feature: new Int32Array(capacity),
    threshold: new Float64Array(capacity),
    left: new Int32Array(capacity),
    right: new Int32Array(capacity),
    nanLeft: new Uint8Array(capacity),
    value: new Float64Array(capacity * nClasses),
    impurity: new Float64Array(capacity),
    nSamples: new Int32Array(capacity),
    weightedNSamples: new Float64Array(capacity),
  };
}

function grown<T extends Float64Array | Int32Array | Uint8Array>(
  a: T,
  size: number,
): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

/** Appends a leaf node (children set later by {@link setSplit}) and returns its id. */
export function addNode(
  s: NodeStore,
  value: ArrayLike<number>,
  impurity: number,
  nSamples: number,
  weighted: number,
): number {
  if (s.count === s.feature.length) {
    const cap = s.count * 2;
    s.feature = grown(s.feature, cap);
    s.threshold = grown(s.threshold, cap);
    s.left = grown(s.left, cap);
    s.right = grown(s.right, cap);
    s.nanLeft = grown(s.nanLeft, cap);
    s.value = grown(s.value, cap * s.nClasses);
    s.impurity = grown(s.impurity, cap);
    s.nSamples = grown(s.nSamples, cap);
    s.weightedNSamples = grown(s.weightedNSamples, cap);
  }
  const id = s.count++;
  s.feature[id] = -1;
  s.threshold[id] = -2;
  s.left[id] = -1;
  s.right[id] = -1;
  s.nanLeft[id] = 0;
  for (let c = 0; c < s.nClasses; c++) s.value[id * s.nClasses + c] = value[c];
  s.impurity[id] = impurity;
  s.nSamples[id] = nSamples;
  s.weightedNSamples[id] = weighted;
  return id;
}

/** Builds the probability table of a tree from its class totals. */
export function probaOf(value: Float64Array, nClasses: number): Float64Array {
  const proba = new Float64Array(value.length);
  for (let i = 0; i < value.length; i += nClasses) {
    let sum = 0;
    for (let c = 0; c < nClasses; c++) sum += value[i + c];
    for (let c = 0; c < nClasses; c++) {
      proba[i + c] = sum > 0 ? value[i + c] / sum : 0;
    }
  }
  return proba;
}

/** Freezes a store into a right-sized {@link FlatTree}. */
export function toFlatTree(s: NodeStore): FlatTree {
  const n = s.count;
  const value = s.value.slice(0, n * s.nClasses);
  return {
    nodeCount: n,
    feature: s.feature.slice(0, n),
    threshold: s.threshold.slice(0, n),
    left: s.left.slice(0, n),
    right: s.right.slice(0, n),
    nanLeft: s.nanLeft.slice(0, n),
    value,
    impurity: s.impurity.slice(0, n),
    nSamples: s.nSamples.slice(0, n),
    weightedNSamples: s.weightedNSamples.slice(0, n),
    proba: probaOf(value, s.nClasses),
  };
}
