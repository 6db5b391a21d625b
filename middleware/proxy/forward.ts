/**
 * The HTTP forwarding core: one upstream exchange per request (node:http, upstream.ts, so the
 * client's framing and headers go through as sent), bodies streamed both ways. The path sent is
 * the canonical `forward` reading of edge/path.ts, the one every other decision was made on.
 *
 * @module
 */
import { log } from "../../log.ts";
import {
  createProxyTrust,
  FORWARDING_HEADERS,
  requestPath,
} from "../edge/mod.ts";
import { createDeadlines } from "./deadlines.ts";
import { errorPage } from "./errors.ts";
import { connectionTokens, HOP_BY_HOP_SET } from "./hop_by_hop.ts";
import { createUpstream, type UpstreamResponse } from "./upstream.ts";
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
  /**
   * The public origin (`PUBLIC_ORIGIN`): upstream Locations are rewritten to it. When unset they
   * become relative (`/path`), never an origin built from the client's Host.
   */
  publicOrigin?: string;
  /**
   * `TRUSTED_PROXIES`: peers (IPs or CIDR blocks) whose Forwarded, X-Forwarded-* and X-Real-IP
   * headers are kept; from any other peer they are dropped.
   */
  trustedProxies?: readonly string[];
  /** `UPSTREAM_TIMEOUT_MS`: how long to wait for the upstream's response headers. */
  timeoutMs: number;
  /** `MAX_BODY_BYTES`: the largest request body forwarded; larger gets 413. */
  maxBodyBytes: number;
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
  const upstreamPath = upstream.pathname.replace(/\/+$/, "");
  const upstreamBase = upstream.origin + upstreamPath;
  const wsBase = upstreamBase.replace(/^http/, "ws");
  const send = createUpstream(upstream);
  const forwarding = {
    trusted: createProxyTrust(options.trustedProxies ?? []),
    publicOrigin: options.publicOrigin?.replace(/\/+$/, ""),
  };
  const onError = options.onError ?? (() => {});
  const deadlines = createDeadlines(options.timeoutMs);
  return async function proxy(req, info, session) {
    const pathAndQuery = requestPath(req).forward;
    const headers = forwardHeaders(req, info, forwarding);
    // Only a real handshake is relayed as a WebSocket (RFC 6455 §4.1); a stray `Upgrade:
    // websocket` is a hop-by-hop header of an ordinary request (fuzz-found: it was a 502).
    if (
      req.headers.get("upgrade")?.toLowerCase() === "websocket" &&
      req.headers.has("sec-websocket-key")
    ) {
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
    let res: UpstreamResponse;
    try {
      res = await send({
        method: req.method,
        path: upstreamPath + pathAndQuery,
        headers,
        body: limited.body,
        signal: timeout.signal,
      }, (status) => req.method === "HEAD" || NULL_BODY_STATUS.has(status));
    } catch (error) {
      const kind: UpstreamErrorKind = limited.exceeded()
        ? "body_too_large"
        : timeout.signal.aborted
        ? "timeout"
        : /connect|refused|dns|resolve|ENOTFOUND|EAI_AGAIN/i.test(
            `${error} ${(error as { code?: string }).code} ${
              (error as Error).cause
            }`,
          )
        ? "connect"
        : "other";
      onError(kind);
      log("warn", "upstream request failed", {
        kind,
        method: req.method,
        path: requestPath(req).raw,
        error: `${error} ${(error as Error).cause ?? ""}`.trim(),
      });
      return errorPage(
        kind === "body_too_large" ? 413 : kind === "timeout" ? 504 : 502,
      );
    } finally {
      clearDeadline();
    }
    return respond(req, res, {
      upstreamBase,
      origin: forwarding.publicOrigin ?? "",
      transform: options.transform,
      session,
    });
  };
}

/** Request headers the proxy sets itself, so the client's are not forwarded. */
const REPLACED = new Set(["host", "accept-encoding"]);

type Forwarding = {
  trusted: (peer: string | undefined) => boolean;
  publicOrigin: string | undefined;
};

/**
 * Builds the upstream request headers: the client's, in its order, less hop-by-hop headers, plus
 * X-Forwarded-For/-Proto/-Host. Nothing the client did not send is added but those three, and
 * `Accept-Encoding: identity` replaces a client's Accept-Encoding (see inject/mod.ts: the guard
 * injects into identity HTML). Forwarding headers from a peer outside TRUSTED_PROXIES are dropped:
 * X-Forwarded-For is the peer, -Proto the public scheme, -Host the public host (PUBLIC_ORIGIN;
 * none without it, never the client's Host).
 */
function forwardHeaders(
  req: Request,
  info: ClientInfo | undefined,
  forwarding: Forwarding,
): [string, string][] {
  const named = connectionTokens(req.headers);
  const client = info?.remoteAddr?.hostname;
  const trusted = forwarding.trusted(client);
  const noBody = req.method === "GET" || req.method === "HEAD";
  const out: [string, string][] = [];
  let prior: string | null = null;
  let proto: string | null = null;
  let host: string | null = null;
  req.headers.forEach((value, name) => {
    if (HOP_BY_HOP_SET.has(name)) return;
    if (named !== null && named.has(name)) return;
    if (name === "accept-encoding") out.push([name, "identity"]);
    if (REPLACED.has(name)) return;
    // A GET or HEAD body is not forwarded (limitBody), so neither is its length.
    if (noBody && name === "content-length") return;
    if (FORWARDING_HEADERS.has(name)) {
      if (!trusted) return;
      if (name === "x-forwarded-for") return void (prior = value);
      if (name === "x-forwarded-proto") return void (proto = value);
      if (name === "x-forwarded-host") return void (host = value);
    }
    out.push([name, value]);
  });
  if (client !== undefined || prior !== null) {
    const chain = [prior, client].filter((v) => v !== null && v !== undefined);
    out.push(["x-forwarded-for", chain.join(", ")]);
  }
  const origin = forwarding.publicOrigin;
  out.push([
    "x-forwarded-proto",
    proto ?? (origin?.startsWith("https:") ? "https" : "http"),
  ]);
  host ??= origin === undefined ? null : new URL(origin).host;
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

type RespondOptions = {
  upstreamBase: string;
  /** PUBLIC_ORIGIN, or "" for relative Locations. */
  origin: string;
  transform: ProxyOptions["transform"];
  session: string | undefined;
};

/** Turns the upstream response into the client response. */
async function respond(
  req: Request,
  res: UpstreamResponse,
  options: RespondOptions,
): Promise<Response> {
  const { upstreamBase, origin, transform, session } = options;
  const headers = endToEndFromRaw(res.rawHeaders);
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
  const body = noBody ? null : res.body;
  // A reason phrase Response refuses (control characters) is dropped, not a 500.
  const statusText = /^[\t\x20-\x7e\x80-\xff]*$/.test(res.statusText)
    ? res.statusText
    : "";
  if (transform !== undefined) {
    // One Response per request, not two: the transform builds its own or returns null.
    const upstream = new Response(body, {
      status: res.status,
      statusText,
      headers,
    });
    const replaced = await transform(req, upstream, headers, session);
    if (replaced !== null) return replaced;
    return upstream;
  }
  return new Response(body, { status: res.status, statusText, headers });
}

/** The end-to-end headers of a raw header list (hop-by-hop and Connection-named ones dropped). */
function endToEndFromRaw(raw: string[]): Headers {
  let named: Set<string> | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].toLowerCase() === "connection") {
      named ??= new Set();
      for (const token of raw[i + 1].split(",")) {
        named.add(token.trim().toLowerCase());
      }
    }
  }
  const out = new Headers();
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (HOP_BY_HOP_SET.has(name) || named?.has(name)) continue;
    try {
      out.append(name, raw[i + 1]);
    } catch {
      // A value Headers refuses (control characters) is not forwarded.
    }
  }
  return out;
}
