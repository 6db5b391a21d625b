/**
 * One reading of a request path for every decision the guard makes on it.
 *
 * The guard decides three things by path: is this its own prefix (never forwarded), is it under
 * `EXCLUDE_PATHS` (never injected, never counted), and what the upstream is sent. When those used
 * different readings, `/./__guard/healthz` passed the prefix check as "not ours" and reached the
 * upstream as `/__guard/healthz` (the URL parser removes dot segments), and `/STATIC/a`,
 * `//static/a` or `/static%2fa` got the collector although `/static` is excluded.
 *
 * Now:
 * - `forward`, what the upstream receives, is the path as the WHATWG URL parser leaves it (dot
 *   segments, `%2e` ones included, resolved; `\` read as `/`; characters outside the URL code
 *   points percent-encoded), which is also what any `fetch` would have sent;
 * - `key`, what decisions compare, is `forward` read as leniently as any upstream might: percent-
 *   decoded until nothing changes (`%2F` and `%252F` become `/`), `\` as `/`, each segment cut at
 *   `;` (matrix parameters, `;jsessionid=`), trailing dots and spaces dropped (Windows servers
 *   ignore them), empty and `.` segments dropped, `..` resolved, lower case;
 * - a request whose key is under the guard prefix but whose raw path is not the prefix spelled
 *   exactly (`/__guard/…`, with no dot segment, doubled slash, `\`, `;`, percent-encoding or case
 *   change in the prefix) is refused with 400: no reading of it reaches the upstream.
 *
 * Lenient keys err on the safe side for both decisions: more paths count as the prefix (refused)
 * and more as excluded (not injected).
 *
 * @module
 */

/** The readings of one request path. */
export type CanonicalPath = {
  /** The path and query to forward (dot segments resolved, as a URL parser does). */
  forward: string;
  /** The decoded, lower-case path every decision compares (see the module doc). */
  key: string;
  /** The path as the client sent it (no query). */
  raw: string;
};

/** A path of plain segments: nothing to decode, resolve or encode; its key is its lower case. */
const PLAIN =
  /^(?:\/[A-Za-z0-9\-_~!$&'()*+,=:@]+(?:\.[A-Za-z0-9\-_~!$&'()*+,=:@]+)*)*\/?$/;
/** A query that node:http sends as it is (printable ASCII). */
const PLAIN_QUERY = /^[\x21-\x7e]*$/;

const cache = new WeakMap<Request, CanonicalPath>();

/**
 * The readings of `req`'s path, computed once per request object.
 *
 * @param req the request as the server received it (`req.url` keeps the raw target)
 */
export function requestPath(req: Request): CanonicalPath {
  let found = cache.get(req);
  if (found === undefined) {
    found = canonicalPath(pathAndQueryOf(req.url));
    cache.set(req, found);
  }
  return found;
}

/** The path and query of an absolute URL string, as sent (no parsing, no normalization). */
export function pathAndQueryOf(url: string): string {
  const slash = url.indexOf("/", url.indexOf("//") + 2);
  return slash < 0 ? "/" : url.slice(slash);
}

/**
 * Reads a raw request target's path and query (see the module doc).
 *
 * @param target the path and query as received, e.g. `/a/./b%2Fc?x=1`
 */
export function canonicalPath(target: string): CanonicalPath {
  const q = target.indexOf("?");
  const raw = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? "" : target.slice(q);
  if (PLAIN.test(raw)) {
    const forward = PLAIN_QUERY.test(query)
      ? target
      : raw + new URL("http://x" + raw + query).search;
    const key = raw.length > 1 && raw.endsWith("/") ? raw.slice(0, -1) : raw;
    return { forward, key: key.toLowerCase(), raw };
  }
  const url = new URL(
    "http://x" + (raw.startsWith("/") ? raw : "/" + raw) + query,
  );
  const forward = url.pathname + url.search;
  return { forward, key: decisionKey(url.pathname), raw };
}

/** The lenient decision key of a parsed pathname. */
function decisionKey(pathname: string): string {
  let text = pathname;
  for (let i = 0; i < 4; i++) {
    const decoded = percentDecode(text).replaceAll("\\", "/");
    if (decoded === text) break;
    text = decoded;
  }
  const out: string[] = [];
  for (const part of text.split("/")) {
    const cut = part.indexOf(";");
    const segment = cut < 0 ? part : part.slice(0, cut);
    if (segment === "..") out.pop();
    else {
      const name = segment.replace(/[. ]+$/, "");
      if (name !== "") out.push(name);
    }
  }
  return ("/" + out.join("/")).toLowerCase();
}

const DECODER = new TextDecoder();

/** Decodes `%XX` escapes as UTF-8 bytes; malformed escapes are left as they are. */
function percentDecode(text: string): string {
  if (!text.includes("%")) return text;
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    const bytes = new Uint8Array(run.length / 3);
    for (let i = 0; i < bytes.length; i++) {
      bytes[i] = parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16);
    }
    return DECODER.decode(bytes);
  });
}

/**
 * Whether a decision key lies at or under `prefix` (a lower-case path like `/static`, no trailing
 * slash; `""` or `/` covers everything).
 */
export function keyUnder(key: string, prefix: string): boolean {
  if (prefix === "" || prefix === "/") return true;
  return key === prefix ||
    (key.startsWith(prefix) && key.charCodeAt(prefix.length) === 0x2f);
}

/**
 * Whether the request is an ambiguous spelling of the guard prefix: its key is under `prefix`
 * but its raw path does not start with the prefix spelled exactly, or is not in plain form.
 *
 * @param path the request's readings
 * @param prefix `GUARD_PREFIX` as configured, e.g. `/__guard`
 */
export function isAmbiguousPrefix(
  path: CanonicalPath,
  prefix: string,
): boolean {
  const lower = prefix.toLowerCase();
  const { raw, forward } = path;
  if (!keyUnder(path.key, lower) && !keyUnder(raw.toLowerCase(), lower)) {
    return false;
  }
  const exact = raw.startsWith(prefix) &&
    (raw.length === prefix.length || raw.charCodeAt(prefix.length) === 0x2f);
  const q = forward.indexOf("?");
  // The URL parser leaves a plain path as it is: no dot segment, `\` or character to encode.
  const plain = (q < 0 ? forward : forward.slice(0, q)) === raw &&
    !raw.includes("//");
  return !(exact && plain);
}

/**
 * Builds the `EXCLUDE_PATHS` test: each prefix matches itself and everything below it, compared
 * by decision key.
 *
 * @param prefixes the configured prefixes, e.g. `["/static", "/api/"]`
 */
export function createExcluded(
  prefixes: readonly string[],
): (path: CanonicalPath) => boolean {
  const keys = prefixes.map((p) =>
    p === ""
      ? ""
      : canonicalPath(p.startsWith("/") ? p : "/" + p).key.replace(/\/+$/, "")
  );
  if (keys.length === 0) return () => false;
  return (path) => keys.some((k) => keyUnder(path.key, k));
}
