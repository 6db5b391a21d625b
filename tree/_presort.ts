/**
 * Sorting every feature once. Values become order-preserving unsigned 32-bit keys (the float32
 * bit trick: flip all bits of negatives, set the sign bit of positives), sorted with a stable LSD
 * radix sort (3 passes of 11 bits) that carries the row index, so ties stay in row order. Missing
 * values (NaN) get the largest key and sort last, as in scikit-learn's splitter.
 *
 * Measured on 1M keys on the 2-core box (same run, loaded machine): the radix passes took 75-150 ms
 * where the native sort of packed (key * 2^21 + row) Float64Array keys took ~500 ms.
 *
 * @module
 */

/** Each feature's rows in ascending value order (NaN last), with the values alongside. */
export interface Presorted {
  /** Rows per feature. */
  n: number;
  /** Number of features. */
  nFeatures: number;
  /** `order[f * n + k]` is the row holding feature f's k-th smallest value. */
  order: Int32Array;
  /** `values[f * n + k]` is that value. */
  values: Float32Array;
}

/** Maps float32 bit patterns to unsigned keys whose numeric order is the value order. */
function sortKey(bits: number): number {
  if (bits === 0x80000000) return 0x80000000; // -0 sorts with +0
  return (bits & 0x80000000) !== 0 ? (~bits) >>> 0 : (bits | 0x80000000) >>> 0;
}

const RADIX_BITS = 11;
const RADIX = 1 << RADIX_BITS;
const MASK = RADIX - 1;

/** Stable LSD radix sort of `idx` by `keys` (both permuted together); `tk`/`ti` are scratch. */
function radixSort(
  keys: Uint32Array,
  idx: Int32Array,
  tk: Uint32Array,
  ti: Int32Array,
) {
  const n = keys.length;
  const count = new Int32Array(RADIX);
  let srcK = keys, srcI = idx, dstK = tk, dstI = ti;
  for (let shift = 0; shift < 32; shift += RADIX_BITS) {
    count.fill(0);
    for (let k = 0; k < n; k++) count[(srcK[k] >>> shift) & MASK]++;
    if (count[(srcK[0] >>> shift) & MASK] === n) continue; // all keys share this digit
    let sum = 0;
    for (let d = 0; d < RADIX; d++) {
      const c = count[d];
      count[d] = sum;
      sum += c;
    }
    for (let k = 0; k < n; k++) {
      const pos = count[(srcK[k] >>> shift) & MASK]++;
      dstK[pos] = srcK[k];
      dstI[pos] = srcI[k];
    }
    [srcK, dstK] = [dstK, srcK];
    [srcI, dstI] = [dstI, srcI];
  }
  if (srcI !== idx) idx.set(srcI);
}

/** Sorts the rows of every column of a column-major matrix. */
export function presort(
  X: Float32Array,
  n: number,
  nFeatures: number,
): Presorted {
  const order = new Int32Array(n * nFeatures);
  const values = new Float32Array(n * nFeatures);
  const keys = new Uint32Array(n),
    tk = new Uint32Array(n),
    ti = new Int32Array(n);
  for (let f = 0; f < nFeatures; f++) {
    const base = f * n;
    const col = X.subarray(base, base + n);
    const bits = new Uint32Array(col.buffer, col.byteOffset, n);
    for (let i = 0; i < n; i++) {
      keys[i] = Number.isNaN(col[i]) ? 0xffffffff : sortKey(bits[i]);
    }
    const idx = order.subarray(base, base + n);
    for (let i = 0; i < n; i++) idx[i] = i;
    if (n > 0) radixSort(keys, idx, tk, ti);
    for (let k = 0; k < n; k++) values[base + k] = col[idx[k]];
  }
  return { n, nFeatures, order, values };
}
