/**
 * Serving with a clean stop: on shutdown the listener closes, in-flight requests drain
 * (`Deno.HttpServer.shutdown()`), then shutdown hooks run in reverse order of registration.
 *
 * @module
 */
import type { Hono } from "hono";
import { log } from "../log.ts";

/** Options of {@link serveGuard}. */
export type ServeOptions = {
  hostname: string;
  port: number;
  /** How long to wait for in-flight requests before closing anyway (default 10 s). */
  drainTimeoutMs?: number;
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
  const server = Deno.serve({
    hostname: options.hostname,
    port: options.port,
    onListen() {},
  }, app.fetch);
  let stopping: Promise<void> | null = null;
  async function stop(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(
        () => resolve("timeout"),
        options.drainTimeoutMs ?? 10_000,
      );
    });
    const drained = await Promise.race([server.shutdown(), timeout]);
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
