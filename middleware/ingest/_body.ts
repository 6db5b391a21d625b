import { concatBytes } from "../_bytes.ts";

/**
 * Reads a request body of at most `max` bytes, checking Content-Length first and then counting the
 * streamed bytes (a chunked body has no Content-Length, and a client may lie).
 *
 * A body with a Content-Length within `max` is read in one call: the HTTP server reads exactly
 * that many bytes as this request's body (more belong to the next request; fewer end the
 * connection), so it cannot grow past the cap, and one read is cheaper than a stream's chunks.
 *
 * @returns the bytes, or null when the body is larger than `max`
 */
export async function readCapped(
  req: Request,
  max: number,
): Promise<Uint8Array | null> {
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > max) return null;
  if (req.body === null) return new Uint8Array(0);
  if (declared !== null && /^\d+$/.test(declared)) {
    const bytes = new Uint8Array(await req.arrayBuffer());
    return bytes.byteLength > max ? null : bytes;
  }
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return concatBytes(chunks, total);
}
