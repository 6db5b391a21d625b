/**
 * Shared fixtures of the proxy tests: a real upstream on `Deno.serve({ port: 0 })` and the guard
 * in front of it on another port 0.
 *
 * @module
 */
import { loadConfig } from "../config.ts";
import { createGuardApp, type GuardAppOptions } from "../middleware/mod.ts";

/** The tiny fake collector every proxy test uses. */
export const COLLECTOR = { code: "/*c*/", hash: "test" };

/** The exact tag injected with the default test config. */
export const TAG =
  '<script src="/__guard/c.test.js" data-ingest="/__guard/ingest" data-window="5000" async></script>';

/** What the upstream saw of one request. */
export type SeenRequest = { method: string; url: string; headers: Headers };

/** A running upstream + guard pair; `close()` stops both. */
export type Pair = {
  upstreamUrl: string;
  guardUrl: string;
  /** Requests the upstream has seen (headers copied: a finished request's cannot be read). */
  seen: SeenRequest[];
  close(): Promise<void>;
};

/**
 * Starts an upstream with `handler` and the guard in front of it.
 *
 * @param handler the upstream's handler
 * @param env extra environment for `loadConfig`
 * @param extra extra app options (hooks, store, timeout)
 */
export function startPair(
  handler: Deno.ServeHandler,
  env: Record<string, string> = {},
  extra: Partial<GuardAppOptions> = {},
): Pair {
  const seen: SeenRequest[] = [];
  const upstream = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req, info) => {
      seen.push({
        method: req.method,
        url: req.url,
        headers: new Headers(req.headers),
      });
      return handler(req, info);
    },
  );
  const upstreamUrl = `http://127.0.0.1:${upstream.addr.port}`;
  const result = loadConfig({ UPSTREAM_URL: upstreamUrl, ...env });
  if (!result.ok) throw new Error(result.errors.join("; "));
  const app = createGuardApp({
    config: result.config,
    collector: COLLECTOR,
    ...extra,
  });
  const guard = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    app.fetch,
  );
  return {
    upstreamUrl,
    guardUrl: `http://127.0.0.1:${guard.addr.port}`,
    seen,
    async close() {
      await guard.shutdown();
      await upstream.shutdown();
    },
  };
}

/** A promise with its resolver, for handing control between a test and its upstream. */
export function signal<T = void>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
} {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Rejects with a clear message when `promise` takes longer than `ms`. */
export async function within<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Timed out after ${ms} ms: ${what}`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The start task's arguments: defined beside the guard subprocess helper (sim/). */
export { startTaskArgs } from "../sim/browsers/guard_process.ts";
