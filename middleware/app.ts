/**
 * The guard's Hono app: reserved routes under `GUARD_PREFIX`, then the caller's `beforeProxy`
 * middleware, then the proxy with injection.
 *
 * @module
 */
import { Hono, type MiddlewareHandler } from "hono";
import type { Config } from "../config.ts";
import { log, logs } from "../log.ts";
import { createMetricsAuth, type FailureLimiter } from "./admin/mod.ts";
import { isAmbiguousPrefix, requestPath } from "./edge/mod.ts";
import { createResponseInjector } from "./inject/mod.ts";
import { guardMetrics, recordRequest, renderMetrics } from "./metrics.ts";
import { type ClientInfo, createProxy } from "./proxy/mod.ts";

/** The collector bundle served at `<prefix>/c.<hash>.js`. */
export type CollectorBundle = { code: string; hash: string };

/** Options of {@link createGuardApp}. */
export type GuardAppOptions = {
  /** The validated configuration (prefix, upstream, limits, EXCLUDE_PATHS, WINDOW_MS). */
  config: Config;
  /** The upstream base URL; defaults to `config.UPSTREAM_URL` (main.ts passes the demo's URL). */
  upstream?: string;
  /** Checked by `GET <prefix>/healthz`; a rejection means 503. */
  store?: { ping(): Promise<void> };
  /** The collector bundle (from collector/mod.ts `buildCollectorBundle()`). */
  collector: CollectorBundle;
  /** Overrides `config.UPSTREAM_TIMEOUT_MS`. */
  upstreamTimeoutMs?: number;
  /**
   * Adds routes under the prefix, before the 404 catch-all. The app it gets is mounted at the
   * prefix: `guard.post("/ingest", …)` serves `POST /__guard/ingest`.
   */
  mountGuardRoutes?: (guard: Hono) => void;
  /** Run in order before every proxied request (session cookie, revocation gate). */
  beforeProxy?: MiddlewareHandler[];
  /**
   * Issues the page token of each injected page for the request's guard session
   * (`c.get("guardSessionId")`, set by the session middleware in `beforeProxy`).
   */
  pageToken?: (session: string) => Promise<string>;
  /** Counts failed METRICS_TOKEN attempts (main.ts: the fleet's, in the store). */
  metricsLimiter?: FailureLimiter;
};

/**
 * Creates the guard app. Requests under the prefix never reach the upstream.
 *
 * @param options configuration, collector, store and extension hooks
 * @returns a Hono app; serve it with `Deno.serve(app.fetch)` (the connection info gives X-Forwarded-For)
 */
export function createGuardApp(options: GuardAppOptions): Hono {
  const { config, collector } = options;
  const prefix = config.GUARD_PREFIX;
  const upstream = options.upstream ?? config.UPSTREAM_URL;
  if (upstream === undefined) {
    throw new TypeError(
      'Cannot create the guard app: option "upstream" or UPSTREAM_URL is required',
    );
  }
  const metrics = guardMetrics();
  const inject = createResponseInjector({
    prefix,
    hash: collector.hash,
    windowMs: config.WINDOW_MS,
    excludePaths: config.EXCLUDE_PATHS,
    pageToken: options.pageToken,
    publicOrigin: config.PUBLIC_ORIGIN,
  });
  const proxy = createProxy({
    upstream,
    publicOrigin: config.PUBLIC_ORIGIN,
    trustedProxies: config.TRUSTED_PROXIES,
    timeoutMs: options.upstreamTimeoutMs ?? config.UPSTREAM_TIMEOUT_MS,
    maxBodyBytes: config.MAX_BODY_BYTES,
    async transform(req, res, headers, session) {
      const out = await inject(req, res, headers, session);
      if (out !== null) metrics.injections.inc();
      return out;
    },
    onError: (kind) => metrics.upstreamErrors.inc({ kind }),
  });

  const app = new Hono();
  app.use("*", accessLog);
  app.use("*", refuseAmbiguousPrefix(prefix));
  app.route(prefix, guardRoutes(options));
  app.all(prefix, (c) => c.json({ error: "not found" }, 404));
  // Registered after the prefix routes, which answer without calling next(): these run only
  // for requests on their way to the upstream.
  for (const handler of options.beforeProxy ?? []) app.use("*", handler);
  app.all("*", (c) =>
    proxy(
      c.req.raw,
      c.env as ClientInfo | undefined,
      c.get("guardSessionId" as never) as string | undefined,
    ));
  keepHeadLengthHonest(app);
  return app;
}

/**
 * Hono answers HEAD by running the GET route and dropping the body, and Deno then declares
 * `Content-Length: 0` for the null body, which is false for any page with a body. When the
 * response declares no length of its own, an empty stream body instead makes Deno declare none.
 */
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

function keepHeadLengthHonest(app: Hono): void {
  const fetch = app.fetch;
  const head = async (res: Response | Promise<Response>) => {
    const r = await res;
    // 204, 205 and 304 may carry no body at all, not even an empty stream (fuzz-found: HEAD of
    // an upstream 304 was a 500).
    return r.headers.has("content-length") || NULL_BODY_STATUS.has(r.status)
      ? r
      : new Response(new ReadableStream({ start: (c) => c.close() }), r);
  };
  // Only HEAD pays for the check: every other request goes straight to Hono's fetch.
  app.fetch = (req, ...rest) =>
    req.method === "HEAD" ? head(fetch(req, ...rest)) : fetch(req, ...rest);
}

function guardRoutes(options: GuardAppOptions): Hono {
  const { code, hash } = options.collector;
  const guard = new Hono();
  guard.get("/healthz", async (c) => {
    try {
      await options.store?.ping();
      return c.json({ ok: true });
    } catch (error) {
      log("error", "health check failed", { error: error as Error });
      return c.json({ ok: false, reason: "store" }, 503);
    }
  });
  const metricsAuth = createMetricsAuth({
    token: options.config.METRICS_TOKEN,
    limiter: options.metricsLimiter,
  });
  guard.get("/metrics", metricsAuth, async () => {
    const { body, contentType } = await renderMetrics();
    return new Response(body, { headers: { "content-type": contentType } });
  });
  guard.get(`/c.${hash}.js`, () =>
    new Response(code, {
      headers: {
        "content-type": "text/javascript; charset=utf-8",
        "cache-control": "public, max-age=31536000, immutable",
        "x-content-type-options": "nosniff",
      },
    }));
  options.mountGuardRoutes?.(guard);
  guard.all("*", (c) => c.json({ error: "not found" }, 404));
  return guard;
}

/**
 * 400 for any spelling of the guard prefix but the exact one (`/./__guard/…`, `//__guard/…`,
 * `/__GUARD/…`, `/%2F__guard/…`, `/__guard;/…`): the prefix never reaches the upstream under any
 * reading, and the guard's routes answer only its one spelling (edge/path.ts).
 */
function refuseAmbiguousPrefix(prefix: string): MiddlewareHandler {
  return async function refuseAmbiguousPrefix(c, next) {
    if (isAmbiguousPrefix(requestPath(c.req.raw), prefix)) {
      return c.json({ error: "ambiguous path" }, 400);
    }
    await next();
  };
}

/** Counts every request and logs one line per request at debug level. */
const accessLog: MiddlewareHandler = async function accessLog(c, next) {
  const start = performance.now();
  await next();
  const ms = performance.now() - start;
  recordRequest(c.res.status, ms / 1000);
  if (!logs("debug")) return;
  log("debug", "request", {
    method: c.req.method,
    path: c.req.path,
    status: c.res.status,
    ms: Math.round(ms * 10) / 10,
  });
};
