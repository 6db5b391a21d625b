/**
 * The reverse proxy: forwards requests to the upstream with streamed bodies, strips hop-by-hop
 * headers, sets X-Forwarded-*, rewrites upstream Locations, relays WebSockets, and answers
 * 413/502/504 with small HTML pages.
 *
 * ```ts
 * import { createProxy } from "./middleware/proxy/mod.ts";
 * const proxy = createProxy({ upstream: "http://127.0.0.1:3000", timeoutMs: 30_000, maxBodyBytes: 1 << 20 });
 * Deno.serve((req, info) => proxy(req, info));
 * ```
 *
 * @module
 */
export {
  type ClientInfo,
  createProxy,
  type Proxy,
  type ProxyOptions,
  type UpstreamErrorKind,
} from "./forward.ts";
export { HOP_BY_HOP_HEADERS, stripHopByHop } from "./hop_by_hop.ts";
export { errorPage } from "./errors.ts";
