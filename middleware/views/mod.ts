/**
 * Page views for the operator console: every HTML page the guard proxies to a guard session is
 * counted per session, hour, path (no query string) and client prefix (IPv4 /24, IPv6 /48), in
 * memory, and written in one batch per `flushMs`. A failed write is logged and dropped: these
 * counts are for reading, never for deciding, and must not slow or break proxying.
 *
 * @example
 * ```ts
 * const views = createPageViewRecorder({ store });
 * createGuardApp({ ..., beforeProxy: [createGuardSession(...), views.middleware] });
 * await views.close(); // flushes
 * ```
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import type { PageView, Store } from "../../db/mod.ts";
import { log } from "../../log.ts";

/** Options of {@link createPageViewRecorder}. */
export interface PageViewOptions {
  store: Pick<Store, "console">;
  /** Write interval (default 1000 ms). */
  flushMs?: number;
  /** Distinct (session, path, client) entries held between writes; more are dropped (default 10,000). */
  maxPending?: number;
}

/** The recorder: its middleware (after the session middleware), a flush, and close. */
export interface PageViewRecorder {
  middleware: MiddlewareHandler;
  /** Writes what is pending; never throws. */
  flush(): Promise<void>;
  /** Stops the timer and flushes. */
  close(): Promise<void>;
}

/** Creates the recorder (see the module doc). */
export function createPageViewRecorder(
  options: PageViewOptions,
): PageViewRecorder {
  let pending = new Map<string, PageView>();
  const max = options.maxPending ?? 10_000;
  let writing = Promise.resolve();
  const timer = setInterval(() => void flush(), options.flushMs ?? 1000);
  Deno.unrefTimer(timer);

  const middleware: MiddlewareHandler = async function pageViews(c, next) {
    await next();
    const session = c.get("guardSessionId") as string | undefined;
    const type = c.res.headers.get("content-type") ?? "";
    if (
      session === undefined || c.req.method !== "GET" ||
      c.res.status < 200 || c.res.status > 299 ||
      !/^text\/html\b/i.test(type)
    ) return;
    const key = c.get("guardClientKey") as string | undefined;
    const view: PageView = {
      session,
      path: c.req.path,
      client: key?.split("|")[0] ?? "unknown",
      at: new Date(),
    };
    const id = `${session}\n${view.path}\n${view.client}`;
    const known = pending.get(id);
    if (known !== undefined) {
      known.hits = (known.hits ?? 1) + 1;
      known.at = view.at;
    } else if (pending.size < max) pending.set(id, view);
  };

  function flush(): Promise<void> {
    writing = writing.then(async () => {
      if (pending.size === 0) return;
      const views = [...pending.values()];
      pending = new Map();
      try {
        await options.store.console.recordPageViews(views);
      } catch (error) {
        log("warn", "Cannot record page views", {
          views: views.length,
          error,
        });
      }
    });
    return writing;
  }

  return {
    middleware,
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
