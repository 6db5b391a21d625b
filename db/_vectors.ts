/**
 * The stored layout of a window's owner action vectors (migration 008): float32, big-endian, one
 * vector of `width` values after another, NaN for a missing value. Big-endian because that is
 * PostgreSQL's own `float4send`, which the migration used to convert the older JSON rows.
 * float32 (7 significant digits, far finer than any action measure's noise) keeps a typical
 * window's row under PostgreSQL's 2 KB TOAST threshold; as float64, a window with many actions
 * went past it and was compressed and moved out of line, which halved the insert rate.
 *
 * @module
 */

import { Buffer } from "node:buffer";

/** The vectors as bytes. Every vector must have `width` values. */
export function encodeVectors(
  vectors: readonly (readonly number[])[],
  width: number,
): Uint8Array {
  const bytes = new Uint8Array(vectors.length * width * 4);
  const view = new DataView(bytes.buffer);
  let at = 0;
  for (const v of vectors) {
    if (v.length !== width) {
      throw new RangeError(
        `an action vector has ${v.length} values, not ${width}`,
      );
    }
    for (const x of v) {
      view.setFloat32(at, x, false);
      at += 4;
    }
  }
  return bytes;
}

/** Bytes as lower-case hex (what `decode(…, 'hex')` reads). */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString(
    "hex",
  );
}

/**
 * The vectors back from their bytes (a driver's Uint8Array, or the `\x…` text of a bytea).
 *
 * @throws {RangeError} when the length is not a whole number of vectors
 */
export function decodeVectors(
  stored: Uint8Array | string,
  width: number,
): number[][] {
  const bytes = typeof stored === "string" ? fromHexText(stored) : stored;
  if (bytes.length % (width * 4) !== 0) {
    throw new RangeError(
      `stored action vectors have ${bytes.length} bytes, not a multiple of ${
        width * 4
      }`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const out: number[][] = [];
  for (let at = 0; at < bytes.length;) {
    const v = new Array<number>(width);
    for (let j = 0; j < width; j++, at += 4) v[j] = view.getFloat32(at, false);
    out.push(v);
  }
  return out;
}

function fromHexText(text: string): Uint8Array {
  return Buffer.from(text.startsWith("\\x") ? text.slice(2) : text, "hex");
}
