/**
 * The HTTP forwarding core: one upstream `fetch` per request, bodies streamed both ways.
 *
 * @module
 */
import { log } from "../../log.ts";
import { createDeadlines } from "./deadlines.ts";
import { errorPage } from "./errors.ts";
import {
  connectionTokens,
  copyEndToEnd,
  HOP_BY_HOP_SET,
} from "./hop_by_hop.ts";
import { proxyWebSocket } from "./websocket.ts";

/** Kinds of upstream failure, as counted in metrics. */
export type UpstreamErrorKind =
  | "connect"
  | "timeout"
  | "body_too_large"
  | "other";

/** Options of {@link createProxy}. */
export type ProxyOptions = {
  /** The upstream base URL (`UPSTREAM_URL`); a path in it is prepended to every request path. */
  upstream: string;
  /** The public origin (`PUBLIC_ORIGIN`); when unset, taken from each request's URL. */
  publicOrigin?: string;
  /** `UPSTREAM_TIMEOUT_MS`: how long to wait for the upstream's response headers. */
  timeoutMs: number;
  /** `MAX_BODY_BYTES`: the largest request body forwarded; larger gets 413. */
  maxBodyBytes: number;
  /** Rewrites a response (injection); returns null to pass it through untouched. */
  /**
   * Rewrites a response (injection); returns null to pass it through untouched. `res` is the
   * upstream response (its body unread); `headers` are the ones to send (hop-by-hop removed,
   * Locations rewritten), which the transform may change in place and reuse, saving a copy.
   */
  transform?: (
    req: Request,
    res: Response,
    headers: Headers,
    session?: string,
  ) => Promise<Response | null>;
  /** Called once per upstream failure. */
  onError?: (kind: UpstreamErrorKind) => void;
};

/** Connection facts the server knows about a request. */
export type ClientInfo = { remoteAddr?: { hostname: string } };

/**
 * Forwards one request to the upstream and returns the response to send back. `session` (the
 * guard session id, when known) is handed to the transform, which binds injected pages to it.
 */
export type Proxy = (
  req: Request,
  info?: ClientInfo,
  session?: string,
) => Promise<Response>;

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/**
 * Creates the forwarding function.
 *
 * @param options upstream, limits and hooks
 */
export function createProxy(options: ProxyOptions): Proxy {
  const upstream = new URL(options.upstream);
  const upstreamBase = upstream.origin + upstream.pathname.replace(/\/+$/, "");
  const wsBase = upstreamBase.replace(/^http/, "ws");
  const publicOrigin = options.publicOrigin?.replace(/\/+$/, "");
  const onError = options.onError ?? (() => {});
  const deadlines = createDeadlines(options.timeoutMs);
  return async function proxy(req, info, session) {
    const pathAndQuery = req.url.slice(req.url.indexOf("/", 8));
    const origin = publicOrigin ?? req.url.slice(0, req.url.indexOf("/", 8));
    const headers = forwardHeaders(req, info, origin);
    if (req.headers.get("upgrade")?.toLowerCase() === "websocket") {
      return proxyWebSocket(
        req,
        wsBase + pathAndQuery,
        new Headers(headers),
        options.timeoutMs,
      );
    }
    const limited = limitBody(req, options.maxBodyBytes);
    if (limited === "too_large") {
      onError("body_too_large");
      return errorPage(413);
    }
    const timeout = new AbortController();
    const clearDeadline = deadlines.add(timeout);
    let res: Response;
    try {
      res = await fetch(upstreamBase + pathAndQuery, {
        method: req.method,
        headers,
        body: limited.body,
        redirect: "manual",
        // Not req.signal: Deno aborts it once a response completes, and a client that leaves
        // mid-body cancels the returned stream, which cancels the upstream body in turn.
        signal: timeout.signal,
        // @ts-ignore: duplex is required by fetch for a streamed request body
        duplex: "half",
      });
    } catch (error) {
      const kind: UpstreamErrorKind = limited.exceeded()
        ? "body_too_large"
        : timeout.signal.aborted
        ? "timeout"
        : /connect|refused|dns|resolve/i.test(
            `${error} ${(error as Error).cause}`,
          )
        ? "connect"
        : "other";
      onError(kind);
      log("warn", "upstream request failed", {
        kind,
        method: req.method,
        path: new URL(req.url).pathname,
        error: `${error} ${(error as Error).cause ?? ""}`.trim(),
      });
      return errorPage(
        kind === "body_too_large" ? 413 : kind === "timeout" ? 504 : 502,
      );
    } finally {
      clearDeadline();
    }
    return respond(req, res, upstreamBase, origin, options.transform, session);
  };
}

/** Request headers the proxy sets itself, so the client's are not forwarded. */
const REPLACED = new Set(["host", "accept-encoding", "x-forwarded-proto"]);

/**
 * Builds the upstream request headers: hop-by-hop removed, X-Forwarded-* set. A list of pairs,
 * not a `Headers`: fetch converts a `Headers` init about three times slower (bench/proxy.ts).
 */
function forwardHeaders(
  req: Request,
  info: ClientInfo | undefined,
  origin: string,
): [string, string][] {
  const named = connectionTokens(req.headers);
  const host = req.headers.get("host");
  const client = info?.remoteAddr?.hostname;
  const out: [string, string][] = [];
  req.headers.forEach((value, name) => {
    if (HOP_BY_HOP_SET.has(name) || REPLACED.has(name)) return;
    if (named !== null && named.has(name)) return;
    if (name === "x-forwarded-for" && client !== undefined) return;
    if (name === "x-forwarded-host" && host !== null) return;
    out.push([name, value]);
  });
  // See inject/mod.ts: Deno's fetch decodes gzip/br behind our back unless asked for identity.
  out.push(["accept-encoding", "identity"]);
  if (client !== undefined) {
    const prior = named?.has("x-forwarded-for")
      ? null
      : req.headers.get("x-forwarded-for");
    out.push(["x-forwarded-for", prior ? `${prior}, ${client}` : client]);
  }
  out.push(["x-forwarded-proto", origin.slice(0, origin.indexOf(":"))]);
  if (host !== null) out.push(["x-forwarded-host", host]);
  return out;
}

type LimitedBody = {
  body: ReadableStream<Uint8Array> | null;
  exceeded: () => boolean;
};

/** Caps the request body at `max` bytes, by Content-Length up front and by counting while streaming. */
function limitBody(req: Request, max: number): LimitedBody | "too_large" {
  if (req.body === null || req.method === "GET" || req.method === "HEAD") {
    return { body: null, exceeded: () => false };
  }
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > max) return "too_large";
  let seen = 0;
  let exceeded = false;
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > max) {
        exceeded = true;
        controller.error(new RangeError(`Request body exceeds ${max} bytes`));
        return;
      }
      controller.enqueue(chunk);
    },
  });
  return { body: req.body.pipeThrough(counter), exceeded: () => exceeded };
}

/** Turns the upstream response into the client response. */
async function respond(
  req: Request,
  res: Response,
  upstreamBase: string,
  origin: string,
  transform: ProxyOptions["transform"],
  session: string | undefined,
): Promise<Response> {
  const headers = copyEndToEnd(res.headers);
  for (const name of ["location", "content-location"]) {
    const value = headers.get(name);
    if (value !== null && value.startsWith(upstreamBase)) {
      const rest = value.slice(upstreamBase.length);
      if (rest === "" || "/?#".includes(rest[0])) {
        headers.set(name, origin + (rest.startsWith("/") ? rest : "/" + rest));
      }
    }
  }
  const noBody = req.method === "HEAD" || NULL_BODY_STATUS.has(res.status);
  if (noBody && res.body !== null) res.body.cancel().catch(() => {});
  if (transform !== undefined) {
    // One Response per request, not two: the transform builds its own or returns null.
    const replaced = await transform(req, res, headers, session);
    if (replaced !== null) return replaced;
  }
  return new Response(noBody ? null : res.body, {
    status: res.status,
    statusText: res.statusText,
    headers,
  });
}
