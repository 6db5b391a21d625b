/**
 * A fixed-size Bloom filter over strings: no false negatives, a false-positive rate set by its
 * size, memory that never grows. The revoked-state cache (_revoked.ts) answers "certainly not
 * revoked" from it without a store round trip, and asks the store about the rest.
 *
 * Keys here are HMAC digests or random session ids, chosen by nobody, so two FNV-1a hashes
 * combined by double hashing (Kirsch–Mitzenmacher) spread them evenly enough.
 */

/** A Bloom filter. */
export interface Bloom {
  add(key: string): void;
  /** False: certainly never added. True: probably added. */
  has(key: string): boolean;
  /** Keys added (with repeats). */
  readonly added: number;
  /** Bytes of the bit array. */
  readonly bytes: number;
}

function fnv1a(key: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * Creates a filter of `bits` bits (rounded up to a multiple of 32) with `hashes` probes. 2^23
 * bits (1 MiB) and 7 probes: 0.0001 % false positives at 100,000 keys, 2 % at 1,000,000.
 */
export function createBloom(bits = 1 << 23, hashes = 7): Bloom {
  const words = new Uint32Array(Math.ceil(bits / 32));
  const m = words.length * 32;
  let added = 0;
  function* probes(key: string) {
    const a = fnv1a(key, 0x811c9dc5);
    const b = fnv1a(key, 0x9747b28c) | 1;
    for (let i = 0; i < hashes; i++) yield (a + Math.imul(i, b) >>> 0) % m;
  }
  return {
    add(key) {
      for (const bit of probes(key)) words[bit >>> 5] |= 1 << (bit & 31);
      added++;
    },
    has(key) {
      for (const bit of probes(key)) {
        if ((words[bit >>> 5] & (1 << (bit & 31))) === 0) return false;
      }
      return true;
    },
    get added() {
      return added;
    },
    bytes: words.byteLength,
  };
}
