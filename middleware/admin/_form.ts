/** Reading the small form bodies of the admin area (login, logout) under a byte cap. */

/** A form-encoded body of at most `max` bytes, or null when larger. */
export async function readForm(
  req: Request,
  max: number,
): Promise<URLSearchParams | null> {
  if (Number(req.headers.get("content-length") ?? 0) > max) return null;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of req.body ?? []) {
    size += chunk.length;
    if (size > max) return null;
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, (at += chunk.length) - chunk.length);
  }
  return new URLSearchParams(new TextDecoder().decode(bytes));
}
