/**
 * Joins byte chunks read from a stream into one array of `total` bytes (one chunk is returned
 * as is, without a copy).
 */
export function concatBytes(
  chunks: readonly Uint8Array[],
  total: number,
): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}
