/**
 * Who may read `<prefix>/metrics`. With METRICS_TOKEN, a scraper sends
 * `Authorization: Bearer <METRICS_TOKEN>` (401 otherwise; wrong tokens count against the client
 * address like admin tokens, 429 past the limit). Without it, only loopback peers (127.0.0.0/8,
 * ::1) may read, everyone else gets 403: request rates, upstream errors and the write buffer's
 * failures tell an outsider when the guard or its database is struggling, and a Prometheus on the
 * same host or in the same network namespace still works unchanged. A TLS terminator on the same
 * host makes every client a loopback peer: set METRICS_TOKEN there.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import {
  bearerToken,
  peerAddress,
  sameSecret,
  tooManyFailures,
} from "./auth.ts";
import { createFailureLimiter, type FailureLimiter } from "./_limiter.ts";

/** Options of {@link createMetricsAuth}. */
export interface MetricsAuthOptions {
  /** METRICS_TOKEN; unset: loopback peers only. */
  token?: string;
  /** Failed-token limiter (default: 10 per minute per address). */
  limiter?: FailureLimiter;
  /** The client address (default: the TCP peer). */
  clientIp?: (c: Context) => string;
}

/** True for IPv4 127.0.0.0/8, IPv6 ::1 and IPv4-mapped loopback. */
export function isLoopback(address: string): boolean {
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  return address === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** Creates the middleware to put before the metrics handler. */
export function createMetricsAuth(
  options: MetricsAuthOptions = {},
): MiddlewareHandler {
  const limiter = options.limiter ?? createFailureLimiter();
  const clientIp = options.clientIp ?? peerAddress;
  const { token } = options;
  return async function metricsAuth(c, next) {
    if (token === undefined) {
      if (!isLoopback(clientIp(c))) return c.json({ error: "forbidden" }, 403);
      return await next();
    }
    const ip = clientIp(c);
    const wait = await limiter.retryAfter(ip);
    if (wait > 0) return tooManyFailures(c, wait);
    const given = bearerToken(c);
    if (given !== null && sameSecret(given, token)) return await next();
    if (given !== null) await limiter.fail(ip);
    c.header("WWW-Authenticate", 'Bearer realm="guard metrics"');
    return c.json({ error: "unauthorized" }, 401);
  };
}
