/**
 * Serving with a clean stop. On shutdown: new requests get 503 with `Connection: close`, the
 * handlers still running finish, then `Deno.HttpServer.shutdown()` closes the listener and lets
 * responses still streaming complete, then shutdown hooks run in reverse order of registration.
 *
 * Why not `shutdown()` at once: Deno then makes the body of a request still being uploaded
 * unreadable ("Cannot read request body as underlying resource unavailable"), so a proxied POST
 * in flight would fail with 502 instead of draining.
 *
 * Connections are accepted by the guard's own loop (edge/accept.ts): a connection cap, header,
 * idle and body deadlines, and an accept that survives running out of file descriptors.
 *
 * @module
 */
import type { Hono } from "hono";
import { log } from "../log.ts";
import { acceptConnections, type ConnectionLimits } from "./edge/mod.ts";

/** Options of {@link serveGuard}. */
export type ServeOptions = {
  hostname: string;
  port: number;
  /** How long to wait for in-flight requests before closing anyway (default 10 s). */
  drainTimeoutMs?: number;
  /**
   * Binds with `SO_REUSEPORT` (a `WORKERS` process, see workers.ts), so that several processes
   * share the port; needs `--unstable-net`.
   */
  reusePort?: boolean;
  /** Connection cap and deadlines (MAX_CONNECTIONS, HEADERS_/IDLE_/BODY_TIMEOUT_MS). */
  limits?: ConnectionLimits;
};

/** A running guard server. */
export type GuardServer = {
  /** The bound address (the real port when `port` was 0). */
  addr: Deno.NetAddr;
  /** Registers work to do after draining (flush buffers, close the store). */
  onShutdown(hook: () => Promise<void> | void): void;
  /** Stops accepting, drains in-flight requests, runs the hooks. Safe to call twice. */
  shutdown(): Promise<void>;
};

/**
 * Serves `app` until {@link GuardServer.shutdown} is called.
 *
 * @param app the guard app (or any Hono app)
 * @param options where to listen
 */
export function serveGuard(app: Hono, options: ServeOptions): GuardServer {
  const hooks: Array<() => Promise<void> | void> = [];
  let inFlight = 0;
  let draining = false;
  let idle: (() => void) | null = null;
  const listener = Deno.listen({
    hostname: options.hostname,
    port: options.port,
    ...(options.reusePort ? { reusePort: true } : {}),
  });
  const server = acceptConnections(listener, async (req, info) => {
    if (draining) {
      return new Response("Shutting down\n", {
        status: 503,
        headers: { "connection": "close", "retry-after": "1" },
      });
    }
    inFlight++;
    try {
      return await app.fetch(req, info);
    } finally {
      if (--inFlight === 0) idle?.();
    }
  }, options.limits);
  let stopping: Promise<void> | null = null;
  async function stop(): Promise<void> {
    draining = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(
        () => resolve("timeout"),
        options.drainTimeoutMs ?? 10_000,
      );
    });
    const handlersDone = inFlight === 0
      ? Promise.resolve()
      : new Promise<void>((resolve) => (idle = resolve));
    // New connections would only be told 503: close the listener now.
    server.stopAccepting();
    const drained = await Promise.race([
      handlersDone.then(() => server.shutdown()),
      timeout,
    ]);
    clearTimeout(timer);
    if (drained === "timeout") {
      log("warn", "shutdown: in-flight requests did not finish in time");
    }
    for (const hook of hooks.reverse()) {
      try {
        await hook();
      } catch (error) {
        log("error", "shutdown hook failed", { error: error as Error });
      }
    }
  }
  return {
    addr: server.addr,
    onShutdown: (hook) => void hooks.push(hook),
    shutdown: () => (stopping ??= stop()),
  };
}
