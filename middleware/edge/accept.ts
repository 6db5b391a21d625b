/**
 * The guard's own accept loop: `Deno.listen`, a connection cap, and deadlines, each accepted
 * connection handed to Deno's HTTP server (hyper) on its own.
 *
 * Why not `Deno.serve`: it has no header-read deadline, no idle or body deadline and no connection
 * cap, and its accept loop ends the process on `EMFILE` ("Too many open files"): 1,000 idle
 * partial requests under `ulimit -n 1024` took the guard down for good. Node's `node:http` in Deno
 * runs on the same server and ignores `headersTimeout` and `maxConnections`. What Deno does offer
 * is the per-connection entry point its own `node:http` uses, `serveHttpOnConnection` (on
 * `Deno[Deno.internal]`): hyper still parses and writes every byte, so the hot path costs what
 * `Deno.serve` costs (README, "Serving"), and we decide which connections live.
 *
 * Deadlines (each closes the connection when it passes):
 * - headers: a new connection must complete its first request's headers in `headersTimeoutMs`;
 * - idle: after a response has been sent, the next request's headers must be complete within
 *   `idleTimeoutMs` (hyper reads the bytes, so a keep-alive connection that trickles a request is
 *   bounded by this);
 * - body: a request body must have arrived whole `bodyTimeoutMs` after its headers.
 *
 * The cap: at `maxConnections`, a new connection closes the oldest connection that has not yet
 * sent a whole request, else the oldest idle keep-alive one, else it is refused (closed at once):
 * a slowloris crowd evicts itself, while a client whose request is in flight is never cut off.
 * On `EMFILE`/`ENFILE` from accept the cap is lowered to what is open less a reserve (the process
 * learns its real file budget), the oldest idle connections are closed, and accepting goes on.
 *
 * @module
 */
import { log } from "../../log.ts";
import { createDeadlines } from "../proxy/deadlines.ts";

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

/** A handler as `Deno.serve` takes it. */
export type ConnectionHandler = (
  req: Request,
  info: Deno.ServeHandlerInfo<Deno.NetAddr>,
) => Response | Promise<Response>;

/** The running accept loop. */
export type ConnectionServer = {
  addr: Deno.NetAddr;
  /** Open client connections now. */
  open(): number;
  /** Stops accepting; the listener is closed. */
  stopAccepting(): void;
  /** Graceful: each connection finishes the response it is sending, then closes. */
  shutdown(): Promise<void>;
};

type PerConnection = {
  shutdown(): Promise<void>;
  finished: Promise<void>;
};

type ServeOnConnection = (
  conn: Deno.Conn,
  signal: AbortSignal,
  handler: ConnectionHandler,
  onError: (error: unknown) => Response,
  onListen: () => void,
) => PerConnection;

type Conn = {
  abort: AbortController;
  /** Requests whose response is not yet sent. */
  active: number;
  /** Clears the deadline now running (headers or idle), if any. */
  clear: (() => void) | null;
  server: PerConnection | null;
};

/** Reserve of file descriptors kept free for the upstream, the store and logs. */
const FD_RESERVE = 64;
const DEFAULTS = {
  headersTimeoutMs: 10_000,
  idleTimeoutMs: 30_000,
  bodyTimeoutMs: 60_000,
};

/** Deno's per-connection HTTP entry point, or null when this Deno has none. */
export function serveOnConnection(): ServeOnConnection | null {
  // deno-lint-ignore no-explicit-any
  const internal = (Deno as any)[(Deno as any).internal];
  const fn = internal?.serveHttpOnConnection;
  return typeof fn === "function" ? fn as ServeOnConnection : null;
}

/**
 * The default connection cap, 480: half of the most common soft open-file limit (1024) less
 * {@link FD_RESERVE}, since each client connection may hold an upstream socket too. Deno cannot
 * read the process's limit without `--allow-all`; raise MAX_CONNECTIONS with `ulimit -n`.
 */
export const DEFAULT_MAX_CONNECTIONS = (1024 - FD_RESERVE) / 2;

/** `req` with its body piped through a stage that calls `clear` once the last byte is in. */
function withBodyDeadline(req: Request, clear: () => void): Request {
  const body = req.body!.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({ flush: clear }),
  );
  return new Request(req, {
    body,
    // @ts-ignore: duplex is required for a stream body
    duplex: "half",
  });
}

function isFdExhaustion(error: unknown): boolean {
  const text = `${(error as { code?: string })?.code} ${error}`;
  return /EMFILE|ENFILE|Too many open files/i.test(text);
}

/**
 * Accepts connections on `listener` and serves each with `handler`, within `limits`.
 *
 * @param listener a TCP listener (closed by {@link ConnectionServer.stopAccepting})
 * @param handler called once per request with the peer address and a `completed` promise
 */
export function acceptConnections(
  listener: Deno.Listener<Deno.TcpConn, Deno.NetAddr>,
  handler: ConnectionHandler,
  limits: ConnectionLimits = {},
): ConnectionServer {
  const found = serveOnConnection();
  if (found === null) {
    throw new TypeError(
      "Cannot serve with connection limits: this Deno has no serveHttpOnConnection",
    );
  }
  const serveOn: ServeOnConnection = found;
  let cap = limits.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const headers = createDeadlines(
    limits.headersTimeoutMs ?? DEFAULTS.headersTimeoutMs,
  );
  const idleDeadlines = createDeadlines(
    limits.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs,
  );
  const bodies = createDeadlines(
    limits.bodyTimeoutMs ?? DEFAULTS.bodyTimeoutMs,
  );
  const all = new Set<Conn>();
  // Insertion order is age: the first entry is the one to evict.
  const fresh = new Set<Conn>();
  const idle = new Set<Conn>();
  let accepting = true;

  function evictOne(): boolean {
    const victim = fresh.values().next().value ?? idle.values().next().value;
    if (victim === undefined) return false;
    close(victim);
    return true;
  }

  function close(conn: Conn): void {
    fresh.delete(conn);
    idle.delete(conn);
    conn.clear?.();
    conn.clear = null;
    conn.abort.abort();
  }

  function onRequest(
    conn: Conn,
    req: Request,
    info: Deno.ServeHandlerInfo<Deno.NetAddr>,
  ) {
    conn.active++;
    if (conn.clear !== null) {
      conn.clear();
      conn.clear = null;
      fresh.delete(conn);
      idle.delete(conn);
    }
    // A body's deadline ends with its last byte, or with the response (an unread body).
    const clearBody = req.body === null ? null : bodies.add(conn.abort);
    info.completed.catch(() => {}).finally(() => {
      clearBody?.();
      if (--conn.active > 0 || conn.abort.signal.aborted) return;
      idle.add(conn);
      conn.clear = idleDeadlines.add(conn.abort);
    });
    return clearBody === null ? req : withBodyDeadline(req, clearBody);
  }

  function serve(tcp: Deno.TcpConn): void {
    const conn: Conn = {
      abort: new AbortController(),
      active: 0,
      clear: null,
      server: null,
    };
    all.add(conn);
    fresh.add(conn);
    conn.clear = headers.add(conn.abort);
    try {
      tcp.setNoDelay(true);
      conn.server = serveOn(
        tcp,
        conn.abort.signal,
        (req, info) => handler(onRequest(conn, req, info), info),
        (error) => {
          log("error", "request handler failed", { error: error as Error });
          return new Response("Internal Server Error", { status: 500 });
        },
        () => {},
      );
    } catch (error) {
      log("warn", "cannot serve a connection", { error: error as Error });
      all.delete(conn);
      close(conn);
      try {
        tcp.close();
      } catch { /* already closed */ }
      return;
    }
    conn.server.finished.catch(() => {}).finally(() => {
      all.delete(conn);
      fresh.delete(conn);
      idle.delete(conn);
      conn.clear?.();
      conn.clear = null;
    });
  }

  let lastWarn = 0;
  function warnOnce(message: string, fields: Record<string, unknown>): void {
    const now = Date.now();
    if (now - lastWarn < 1000) return;
    lastWarn = now;
    log("warn", message, fields);
  }

  async function loop(): Promise<void> {
    while (accepting) {
      let tcp: Deno.TcpConn;
      try {
        tcp = await listener.accept();
      } catch (error) {
        if (!accepting || error instanceof Deno.errors.BadResource) return;
        if (isFdExhaustion(error)) {
          cap = Math.max(16, Math.min(cap, all.size - FD_RESERVE));
          while (all.size > cap && evictOne()) { /* down to the new cap */ }
          warnOnce("accept: out of file descriptors; connection cap lowered", {
            cap,
            open: all.size,
          });
        } else {
          warnOnce("accept failed", { error: error as Error });
        }
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      if (all.size >= cap && !evictOne()) {
        warnOnce("connection cap reached: refusing", { cap });
        try {
          tcp.close();
        } catch { /* already closed */ }
        continue;
      }
      serve(tcp);
    }
  }
  loop().catch((error) => log("error", "accept loop ended", { error }));

  function stopAccepting(): void {
    if (!accepting) return;
    accepting = false;
    try {
      listener.close();
    } catch { /* already closed */ }
  }

  return {
    addr: listener.addr,
    open: () => all.size,
    stopAccepting,
    async shutdown() {
      stopAccepting();
      for (const conn of [...fresh, ...idle]) close(conn);
      await Promise.all(
        [...all].map((conn) => conn.server?.shutdown().catch(() => {})),
      );
    },
  };
}
