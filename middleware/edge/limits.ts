/**
 * The connection limits of the accept loop and their defaults.
 *
 * @module
 */

/** Connection limits; README "Configuration" documents each default. */
export type ConnectionLimits = {
  /** Most open client connections (default {@link DEFAULT_MAX_CONNECTIONS}). */
  maxConnections?: number;
  /** A new connection's first request headers must be complete within this (default 10 s). */
  headersTimeoutMs?: number;
  /** Keep-alive: the next request's headers, counted from the previous response (default 30 s). */
  idleTimeoutMs?: number;
  /** A request body must be received whole within this after its headers (default 60 s). */
  bodyTimeoutMs?: number;
};

/** Reserve of file descriptors kept free for the upstream, the store and logs. */
export const FD_RESERVE = 64;
/** Default deadlines (README, Configuration). */
export const DEFAULTS = {
  headersTimeoutMs: 10_000,
  idleTimeoutMs: 30_000,
  bodyTimeoutMs: 60_000,
};

/**
 * The default connection cap, 240: a quarter of the most common soft open-file limit (1024) less
 * {@link FD_RESERVE}: a served connection holds four descriptors (the client's, both ends of the
 * relay, an upstream socket). Deno cannot read the process's limit without `--allow-all`; raise
 * MAX_CONNECTIONS with `ulimit -n`.
 */
export const DEFAULT_MAX_CONNECTIONS = (1024 - FD_RESERVE) / 4;
