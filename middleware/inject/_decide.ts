/**
 * Which responses get the collector, and the headers of those that do.
 *
 * @module
 */

const NAVIGATION_DESTS = new Set(["document", "iframe", "frame"]);
const NO_BODY_STATUS = new Set([204, 205, 206, 304]);

/**
 * Whether a response is an HTML navigation's: `text/html` with a body, not an attachment, to a
 * request that navigates. GET and HEAD navigate unless Fetch Metadata says otherwise (a missing
 * `Sec-Fetch-Dest` is an old browser or a script, as before). Any other method navigates when
 * Fetch Metadata says so (`Sec-Fetch-Mode: navigate`, or a document/frame destination), or,
 * without Fetch Metadata, when it accepts `text/html`: the HTML answering a form POST (a login
 * error page) is a page like any other, and went without the collector before.
 */
export function wantsInjection(
  req: Request,
  status: number,
  headers: Headers,
): boolean {
  if (status < 200 || NO_BODY_STATUS.has(status)) return false;
  const type = headers.get("content-type");
  if (type === null || !/^\s*text\/html\b/i.test(type)) return false;
  const disposition = headers.get("content-disposition");
  if (disposition !== null && /^\s*attachment\b/i.test(disposition)) {
    return false;
  }
  const dest = req.headers.get("sec-fetch-dest");
  if (req.method === "GET" || req.method === "HEAD") {
    return dest === null || NAVIGATION_DESTS.has(dest);
  }
  const mode = req.headers.get("sec-fetch-mode");
  if (mode !== null || dest !== null) {
    return mode === "navigate" || (dest !== null && NAVIGATION_DESTS.has(dest));
  }
  return /\btext\/html\b/i.test(req.headers.get("accept") ?? "");
}

/**
 * A page carrying a page token belongs to one guard session: a shared cache (CDN, corporate
 * proxy) must not hand it to anyone else, whose posts its token would then fail. `public`,
 * `s-maxage` and `proxy-revalidate` are dropped and `private` added; the browser's own cache and
 * max-age are kept (a page restored from it posts under the same session).
 */
export function keepPrivate(headers: Headers): void {
  const value = headers.get("cache-control") ?? "";
  if (/\b(private|no-store)\b/i.test(value)) return;
  const kept = value.split(",").map((d) => d.trim()).filter((d) =>
    d !== "" && !/^(public|s-maxage\s*=.*|proxy-revalidate)$/i.test(d)
  );
  headers.set("cache-control", ["private", ...kept].join(", "));
}
