/**
 * One upstream HTTP/1.1 exchange with `node:http`, which sends what it is given: the path as it
 * is, the headers as they are, and a streamed body framed as the client framed it.
 *
 * Why not `fetch`: Deno's fetch adds `Accept: *\/*`, `Accept-Language: *`, `User-Agent: Deno/…`
 * and `Accept-Encoding: gzip,br` to every request that lacks them, and sends any streamed body
 * with `Transfer-Encoding: chunked`, dropping the client's `Content-Length`: an upstream that
 * reads only Content-Length (many do, RFC 9112 §6.3 lets servers answer 411) received no body,
 * and content negotiation saw headers the client never sent. `node:http` adds only `Host` and the
 * hop-by-hop `Connection: keep-alive`; with a `Content-Length` it writes exactly that many bytes,
 * without one it chunks.
 *
 * @module
 */
import http from "node:http";
import https from "node:https";

/** What {@link sendUpstream} needs. */
export type UpstreamRequest = {
  method: string;
  /** Path and query, sent as they are (already normalized by the caller). */
  path: string;
  /** Header name/value pairs (lower-case names, one entry per name). */
  headers: [string, string][];
  /** The body to stream, or null. */
  body: ReadableStream<Uint8Array> | null;
  /** Aborts the exchange (the response-header deadline). */
  signal: AbortSignal;
};

/** The upstream's answer, its body still to read. */
export type UpstreamResponse = {
  status: number;
  statusText: string;
  /** Raw header names and values, alternating, in the order received. */
  rawHeaders: string[];
  /** The body as a web stream (null when `discard` was asked). */
  body: ReadableStream<Uint8Array> | null;
};

/** A connection pool to one upstream origin. */
export type Upstream = (
  request: UpstreamRequest,
  discardBody: (status: number) => boolean,
) => Promise<UpstreamResponse>;

/**
 * Creates the pool for `origin` (keep-alive sockets, as fetch's client kept them).
 *
 * @param origin e.g. `http://127.0.0.1:3000` (`https:` uses node:https)
 */
export function createUpstream(origin: URL): Upstream {
  const secure = origin.protocol === "https:";
  const module = secure ? https : http;
  const agent = new module.Agent({ keepAlive: true, maxFreeSockets: 256 });
  const port = origin.port === "" ? (secure ? 443 : 80) : Number(origin.port);
  const hostname = origin.hostname.replace(/^\[(.*)\]$/, "$1");
  return function sendUpstream(request, discardBody) {
    return new Promise((resolve, reject) => {
      // HTTP/1.1 requires Host (RFC 9112 §3.2); node:http sets none for a header array.
      const flat: string[] = ["host", origin.host];
      for (const [name, value] of request.headers) flat.push(name, value);
      const req = module.request({
        hostname,
        port,
        method: request.method,
        path: request.path,
        headers: flat,
        agent,
        signal: request.signal,
      });
      req.on("error", reject);
      req.on("response", (res: http.IncomingMessage) => {
        const status = res.statusCode ?? 502;
        let body: ReadableStream<Uint8Array> | null = null;
        if (discardBody(status)) res.resume();
        else body = toWebStream(res);
        resolve({
          status,
          statusText: res.statusMessage ?? "",
          rawHeaders: res.rawHeaders,
          body,
        });
      });
      if (request.body === null) req.end();
      else pump(request.body, req).catch((error) => req.destroy(error));
    });
  };
}

/** Writes `body` into `req` with backpressure, then ends it; rejects when reading fails. */
async function pump(
  body: ReadableStream<Uint8Array>,
  req: http.ClientRequest,
): Promise<void> {
  const reader = body.getReader();
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      if (req.destroyed) return;
      if (!req.write(value)) {
        await new Promise<void>((resolve) => {
          const go = () => {
            req.off("drain", go);
            req.off("close", go);
            resolve();
          };
          req.on("drain", go);
          req.on("close", go);
        });
      }
    }
    req.end();
  } catch (error) {
    reader.cancel(error).catch(() => {});
    throw error;
  }
}

/**
 * The response body as a web stream: paused while the consumer is full, destroyed when it
 * cancels. Hand-rolled rather than `Readable.toWeb`, which costs about twice as much per chunk
 * in Deno's polyfill (bench/proxy.ts).
 */
function toWebStream(res: http.IncomingMessage): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      // Events after a cancel (destroy) find the stream closed: they are dropped, not thrown.
      res.on("data", (chunk: Uint8Array) => {
        try {
          controller.enqueue(
            new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength),
          );
        } catch {
          return void res.destroy();
        }
        if ((controller.desiredSize ?? 0) <= 0) res.pause();
      });
      res.on("end", () => {
        try {
          controller.close();
        } catch { /* cancelled */ }
      });
      res.on("error", (error) => controller.error(error));
    },
    pull() {
      res.resume();
    },
    cancel() {
      res.destroy();
    },
  }, { highWaterMark: 1 });
}
