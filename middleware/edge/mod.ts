/**
 * The guard's edge against hostile and odd traffic: its own accept loop (connection cap, header,
 * idle and body deadlines, survival of file-descriptor exhaustion), one canonical reading of
 * request paths for every decision, and which peers may send forwarding headers.
 *
 * ```ts
 * import { acceptConnections } from "./middleware/edge/mod.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 8080 });
 * const server = acceptConnections(listener, (req) => new Response("ok"), { headersTimeoutMs: 10_000 });
 * ```
 *
 * @module
 */
export {
  acceptConnections,
  type ConnectionHandler,
  type ConnectionLimits,
  type ConnectionServer,
} from "./accept.ts";
export { DEFAULT_MAX_CONNECTIONS } from "./limits.ts";
export {
  type CanonicalPath,
  canonicalPath,
  createExcluded,
  isAmbiguousPrefix,
  keyUnder,
  pathAndQueryOf,
  requestPath,
} from "./path.ts";
export {
  createProxyTrust,
  FORWARDING_HEADERS,
  parseCidr,
  type ProxyTrust,
} from "./trust.ts";
