/**
 * Injection of the collector `<script src>` into proxied HTML pages.
 *
 * ```ts
 * import { createResponseInjector } from "./middleware/inject/mod.ts";
 * const inject = createResponseInjector({ prefix: "/__guard", hash: "abc", windowMs: 5000, excludePaths: [] });
 * const res = inject(request, upstreamResponse) ?? upstreamResponse;
 * ```
 *
 * Only navigations (GET/HEAD with `Sec-Fetch-Dest` absent, `document`, `iframe` or `frame`; any
 * other method with `Sec-Fetch-Mode: navigate` or such a destination, or without Fetch Metadata
 * accepting `text/html`, as a form POST does: _decide.ts) answered with a `text/html` body
 * (status 200–599 except 204, 205, 206, 304; not `Content-Disposition: attachment`; path not in
 * `EXCLUDE_PATHS` by its canonical reading, edge/path.ts) are touched; every other response
 * passes through with its body stream untouched.
 *
 * Compression, decided: the proxy replaces a client's Accept-Encoding with `identity` (and adds
 * none when the client sent none), then sends identity HTML to the client. Why: (1) the injector
 * needs plain bytes, and passing non-HTML through untouched needs the upstream's own bytes
 * (formerly also because Deno's `fetch` decoded gzip and br behind our back); (2) the hop to the upstream is local, so its
 * compression buys nothing; (3) decoding plus re-encoding each page costs CPU on the hot path and
 * delays streamed first bytes, while the TLS terminator or CDN in front usually compresses
 * anyway. An upstream that ignores Accept-Encoding still works: gzip, deflate and br HTML is
 * decoded with `DecompressionStream` (Deno supports "brotli"), injected, and sent as identity
 * without Content-Length; other encodings (zstd, stacked codings) are passed through uninjected.
 *
 * Because the body changes, Content-Length is recomputed when a small declared body arrived back
 * to back (see `injectIdentity`) and dropped otherwise (streamed chunked), a strong
 * ETag is weakened (`W/`), and Content-MD5 / Digest headers, which would no longer match, are
 * removed. The CSP is widened by {@link widenCsp}, in the headers and in a `<meta http-equiv>`
 * (the scanner hands each `<meta>` start tag to _meta.ts), with one nonce per response, which the
 * tag then carries.
 *
 * Where the tag goes (see injector.ts): first of `</head>`, after `<body…>`, before `</body>` or
 * `</html>`, else at the end, in document order, because the body is streamed and never held
 * back: a page whose `</head>` is missing gets the tag right after `<body…>`, the earliest point
 * where the collector can start, not at `</body>`, which may be megabytes later. The scanner is
 * our own (about 250 lines, tested on every split of each case and by a property test): the npm
 * option, `html-rewriter-wasm` (lol-html), would add a WASM instance and an async callback hop
 * per chunk (its handlers are async) for a job that needs to find one tag; the proxy already
 * loses about half its throughput to one JS stream stage in Deno (bench/proxy.ts).
 *
 * HEAD of an injected page declares GET's Content-Length (the upstream's plus the tag) when the
 * upstream declared an identity length, and no length otherwise.
 *
 * @module
 */
import { concatBytes } from "../_bytes.ts";
import { createExcluded, requestPath } from "../edge/mod.ts";
import { injectStream, injectWhole } from "./inject_stream.ts";
import { type CspTargets, widenCsp, widenCspHeaders } from "./csp.ts";
import { keepPrivate, wantsInjection } from "./_decide.ts";
import { rewriteMetaCsp } from "./_meta.ts";
import type { TagSource } from "./injector.ts";

export { createInjector, injectStream, injectWhole } from "./inject_stream.ts";
export { type CspTargets, type CspWidening, widenCsp } from "./csp.ts";

/** What the injected tag points at. */
export type CollectorTagOptions = {
  /** The reserved same-origin prefix, e.g. `/__guard`. */
  prefix: string;
  /** The collector bundle's content hash (its file name is `c.<hash>.js`). */
  hash: string;
  /** `WINDOW_MS`: how often the collector posts a window. */
  windowMs: number;
};

/** Options of {@link createResponseInjector}. */
export type InjectOptions = CollectorTagOptions & {
  /** Paths proxied but never injected; each matches itself and everything below it. */
  excludePaths: string[];
  /**
   * Issues the page token of a page served to a guard session (session/page_token.ts). Without
   * it, or without a session, the tag carries none (and the collector's posts are refused).
   */
  pageToken?: (session: string) => Promise<string>;
  /** PUBLIC_ORIGIN: the CSP then names the collector's and the ingest's exact URLs. */
  publicOrigin?: string;
};

/**
 * Decides on and performs injection; resolves to null when the response is not to be touched.
 * `session` is the guard session the page is served to.
 */
export type ResponseInjector = (
  req: Request,
  res: Response,
  headers?: Headers,
  session?: string,
) => Promise<Response | null>;

/**
 * Builds the one injected tag. With a nonce (a `'strict-dynamic'` CSP) it also carries `nonce`.
 *
 * @param page the page token (base64url and dots only, so it needs no escaping)
 * @returns e.g. `<script src="/__guard/c.abc.js" data-ingest="/__guard/ingest" data-window="5000" data-page="…" async></script>`
 */
export function buildCollectorTag(
  options: CollectorTagOptions,
  nonce: string | null = null,
  page: string | null = null,
): string {
  const { prefix, hash, windowMs } = options;
  const nonceAttr = nonce === null ? "" : ` nonce="${nonce}"`;
  const pageAttr = page === null ? "" : ` data-page="${page}"`;
  return `<script src="${prefix}/c.${hash}.js" data-ingest="${prefix}/ingest" data-window="${windowMs}"${pageAttr}${nonceAttr} async></script>`;
}

/** Headers that no longer describe the body once the tag is in it. */
const STALE_HEADERS: ReadonlySet<string> = new Set([
  "content-length",
  "content-encoding",
  "content-md5",
  "digest",
  "content-digest",
  "repr-digest",
]);

/**
 * `new Headers(source)` minus `skip`, about four times cheaper: Deno's `Headers` iterator sorts
 * on every use, `forEach` does not.
 */
function copyHeaders(source: Headers, skip: ReadonlySet<string>): Headers {
  const out = new Headers();
  source.forEach((value, name) => {
    if (!skip.has(name)) out.append(name, value);
  });
  return out;
}

const DECODERS: Record<string, CompressionFormat | "identity"> = {
  "": "identity",
  "identity": "identity",
  "gzip": "gzip",
  "x-gzip": "gzip",
  "deflate": "deflate",
  "br": "brotli" as CompressionFormat,
};

/**
 * Creates the response injector: precomputes the tag bytes once.
 *
 * @param options the tag target and the excluded paths
 */
export function createResponseInjector(
  options: InjectOptions,
): ResponseInjector {
  const tagBytes = new TextEncoder().encode(buildCollectorTag(options));
  const { pageToken } = options;
  // Compared by the one canonical reading of the path (edge/path.ts): `/STATIC/a`, `//static/a`
  // and `/static%2fa` are all under `/static`.
  const isExcluded = createExcluded(options.excludePaths);
  const origin = options.publicOrigin?.replace(/\/+$/, "");
  const targets: CspTargets = origin === undefined ? {} : {
    script: `${origin}${options.prefix}/c.${options.hash}.js`,
    ingest: `${origin}${options.prefix}/ingest`,
  };
  return async function injectResponse(req, res, sent, session) {
    // `sent`: the headers to send instead of res.headers, mutable and ours to change.
    const source = sent ?? res.headers;
    if (!wantsInjection(req, res.status, source)) return null;
    const encoding = (source.get("content-encoding") ?? "").trim()
      .toLowerCase();
    const decoder = DECODERS[encoding];
    if (decoder === undefined) return null;
    if (isExcluded(requestPath(req))) {
      return null;
    }
    const declared = source.get("content-length");
    const headers = sent ?? copyHeaders(res.headers, STALE_HEADERS);
    if (sent !== undefined) {
      for (const name of STALE_HEADERS) sent.delete(name);
    }
    // One nonce per response, made only when a policy (header or <meta>) needs it.
    let nonce: string | null = null;
    const makeNonce = () => (nonce ??= crypto.randomUUID().replaceAll("-", ""));
    widenCspHeaders(headers, makeNonce, targets);
    const page = pageToken && session !== undefined
      ? await pageToken(session)
      : null;
    if (page !== null) keepPrivate(headers);
    const tag: TagSource = {
      tag: () =>
        nonce === null && page === null ? tagBytes : new TextEncoder().encode(
          buildCollectorTag(options, nonce, page),
        ),
      meta: (startTag) =>
        rewriteMetaCsp(
          startTag,
          (policy) => widenCsp(policy, makeNonce, targets).value,
        ),
    };
    const etag = headers.get("etag");
    if (etag !== null && etag.startsWith('"')) headers.set("etag", "W/" + etag);
    let body: ReadableStream<Uint8Array> | Uint8Array | null = res.body;
    if (body !== null && req.method !== "HEAD") {
      if (decoder === "identity") {
        body = await injectIdentity(body, declared, tag);
        if (body instanceof Uint8Array) {
          headers.set("content-length", String(body.byteLength));
        }
      } else {
        const decoded = body.pipeThrough(
          new DecompressionStream(decoder) as unknown as TransformStream<
            Uint8Array,
            Uint8Array
          >,
        );
        body = injectStream(decoded, tag);
      }
    } else if (req.method === "HEAD") {
      // HEAD gets GET's length: the upstream's plus the tag, which the injector always inserts
      // once; unknown (no length, or a compressed one) stays undeclared (see middleware/app.ts).
      body?.cancel().catch(() => {});
      body = null;
      const length = Number(declared ?? "-1");
      if (decoder === "identity" && declared !== null && length >= 0) {
        // A CSP <meta> in the page may lengthen GET's body too: HEAD cannot know it.
        headers.set("content-length", String(length + tag.tag().byteLength));
      }
    }
    return new Response(body as BodyInit | null, {
      status: res.status,
      statusText: res.statusText,
      headers,
    });
  };
}

/** Bodies up to this size may be gathered when they arrive back to back. */
const GATHER_MAX = 256 * 1024;
const GATHER_GAP_MS = 1;

/**
 * Gathers a body of declared length up to {@link GATHER_MAX} while its chunks arrive back to
 * back (each within {@link GATHER_GAP_MS} of the previous), then answers with bytes and an
 * exact Content-Length: Deno writes those natively, much cheaper than a JS stream (see
 * bench/proxy.ts). As soon as a chunk is late, or the length is unknown or large, the chunks so
 * far and the read in flight go on through injectStream(), so a slow upstream still streams:
 * its first bytes wait at most one gap, never for the end of the body.
 */
async function injectIdentity(
  body: ReadableStream<Uint8Array>,
  contentLength: string | null,
  tag: TagSource,
): Promise<ReadableStream<Uint8Array> | Uint8Array> {
  const declared = Number(contentLength ?? "-1");
  if (!(declared > 0 && declared <= GATHER_MAX)) return injectStream(body, tag);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let next = reader.read();
  while (true) {
    const result = chunks.length === 0 ? await next : await raceGap(next);
    if (result === null) return injectStream(reader, tag, chunks, next);
    if (!result.done) {
      chunks.push(result.value);
      total += result.value.byteLength;
    }
    if (result.done || total >= declared) {
      // No releaseLock(): nothing reads this body again, and releasing costs about 3 % of the
      // proxy's time (it builds a TypeError for the reader's closed promise).
      return injectWhole(concatBytes(chunks, total), tag);
    }
    next = reader.read();
  }
}

async function raceGap<T>(read: Promise<T>): Promise<T | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const gap = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), GATHER_GAP_MS);
  });
  try {
    return await Promise.race([read, gap]);
  } finally {
    clearTimeout(timer);
  }
}
