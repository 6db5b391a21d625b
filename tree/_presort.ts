/**
 * Sorting every feature once. Values are turned into order-preserving unsigned 32-bit keys (the
 * float32 bit trick) and packed with the row index into one double, so the native numeric sort of
 * a Float64Array does the work without a comparator. Missing values (NaN) sort last, as in
 * scikit-learn's splitter.
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

const INDEX_BITS = 2 ** 21;

/** Maps float32 bit patterns to unsigned keys whose numeric order is the value order. */
function sortKey(bits: number): number {
  if (bits === 0x80000000) return 0x80000000; // -0 sorts with +0
  return (bits & 0x80000000) !== 0 ? (~bits) >>> 0 : (bits | 0x80000000) >>> 0;
}

/** Sorts the rows of every column of a column-major matrix. */
export function presort(
  X: Float32Array,
  n: number,
  nFeatures: number,
): Presorted {
  const order = new Int32Array(n * nFeatures);
  const values = new Float32Array(n * nFeatures);
  const keys = new Float64Array(n);
  for (let f = 0; f < nFeatures; f++) {
    const base = f * n;
    const col = X.subarray(base, base + n);
    const bits = new Uint32Array(col.buffer, col.byteOffset, n);
    for (let i = 0; i < n; i++) {
      keys[i] = Number.isNaN(col[i]) ? 0xffffffff : sortKey(bits[i]);
    }
    if (n <= INDEX_BITS) {
      for (let i = 0; i < n; i++) keys[i] = keys[i] * INDEX_BITS + i;
      keys.sort();
      for (let k = 0; k < n; k++) {
        const i = keys[k] % INDEX_BITS;
        order[base + k] = i;
        values[base + k] = col[i];
      }
    } else {
      const idx = Int32Array.from({ length: n }, (_, i) => i);
      idx.sort((a, b) => keys[a] - keys[b] || a - b);
      for (let k = 0; k < n; k++) {
        order[base + k] = idx[k];
        values[base + k] = col[idx[k]];
      }
    }
  }
  return { n, nFeatures, order, values };
}
