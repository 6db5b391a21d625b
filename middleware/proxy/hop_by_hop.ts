/**
 * Hop-by-hop header removal (RFC 9110 §7.6.1): these describe one connection, not the message,
 * so a proxy must not forward them in either direction.
 *
 * @module
 */

/**
 * The fixed hop-by-hop set: `Connection` itself, `Keep-Alive` (RFC 2068 §19.7.1), the
 * non-standard `Proxy-Connection`, `TE`, `Trailer`, `Transfer-Encoding` (framing is per hop),
 * `Upgrade` (a WebSocket upgrade is re-negotiated on each side), and `Proxy-Authorization`,
 * `Proxy-Authenticate` (credentials for this hop, RFC 9110 §11.7).
 */
export const HOP_BY_HOP_HEADERS: readonly string[] = [
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "proxy-authorization",
  "proxy-authenticate",
];

/**
 * Deletes the hop-by-hop headers in place, including every header named in `Connection`.
 *
 * @param headers a mutable header list (request or response)
 * @returns the same object, for chaining
 */
export function stripHopByHop(headers: Headers): Headers {
  const connection = headers.get("connection");
  if (connection !== null) {
    for (const token of connection.split(",")) {
      const name = token.trim();
      // A token is a header name; anything else is not a header we could delete.
      if (/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) headers.delete(name);
    }
  }
  for (const name of HOP_BY_HOP_HEADERS) headers.delete(name);
  return headers;
}

/** {@link HOP_BY_HOP_HEADERS} as a set. */
export const HOP_BY_HOP_SET: ReadonlySet<string> = new Set(HOP_BY_HOP_HEADERS);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Copies the end-to-end headers of `source` into a new mutable `Headers`: what
 * {@link stripHopByHop} on `new Headers(source)` gives, about four times cheaper (Deno's
 * `Headers` iterator sorts on every use; `forEach` plus `append` does not, see bench/proxy.ts).
 *
 * @param source the headers to copy (left as they are)
 * @param skip more lower-case names to leave out
 * @returns a new header list without hop-by-hop headers and without `skip`
 */
export function copyEndToEnd(
  source: Headers,
  skip?: ReadonlySet<string>,
): Headers {
  const named = connectionTokens(source);
  const out = new Headers();
  source.forEach((value, name) => {
    if (HOP_BY_HOP_SET.has(name) || skip?.has(name)) return;
    if (named !== null && named.has(name)) return;
    out.append(name, value);
  });
  return out;
}

/** The lower-case header names listed in `Connection`, or null when there is none. */
export function connectionTokens(headers: Headers): Set<string> | null {
  const connection = headers.get("connection");
  if (connection === null) return null;
  const names = new Set<string>();
  for (const token of connection.split(",")) {
    const name = token.trim();
    if (TOKEN.test(name)) names.add(name.toLowerCase());
  }
  return names;
}
