/**
 * The guard's own accept loop: `Deno.listen`, a connection cap, and deadlines, in front of Deno's
 * HTTP server (hyper), which still parses every request and writes every response.
 *
 * Why not `Deno.serve` alone: it has no header-read deadline, no idle or body deadline and no
 * connection cap, and its accept loop ended the process on `EMFILE` ("Too many open files"):
 * 1,000 idle partial requests under `ulimit -n 1024` took the guard down for good. `node:http` in
 * Deno runs on the same server and ignores `headersTimeout` and `maxConnections`. Deno's
 * per-connection entry point (`serveHttpOnConnection`, on `Deno[Deno.internal]`) closes an
 * upgraded connection as soon as it is upgraded, which breaks WebSockets. So each accepted
 * connection first has its request head read here (a partial request costs one descriptor and
 * never reaches hyper), then is relayed byte for byte to an inner `Deno.serve` on a loopback port
 * that only this loop may use (a request from any other local port gets 403).
 *
 * Deadlines (each closes the connection when it passes):
 * - headers: a new connection must complete its first request's head in `headersTimeoutMs`;
 * - idle: after a response has been sent, the next request's head must be complete within
 *   `idleTimeoutMs` (a keep-alive connection that trickles a request is bounded by this);
 * - body: a request body must have arrived whole `bodyTimeoutMs` after its head.
 *
 * The cap: at `maxConnections`, a new connection closes the oldest connection that has not yet
 * sent a whole request, else the oldest idle keep-alive one, else it is refused (closed at once):
 * a slowloris crowd evicts itself, while a request in flight or a WebSocket is never cut off.
 * On `EMFILE`/`ENFILE` the cap is lowered to what is open less a reserve (the process learns its
 * real file budget), the oldest idle connections are closed, and accepting goes on.
 *
 * @module
 */
import { log } from "../../log.ts";
import { createDeadlines } from "../proxy/deadlines.ts";
import {
  isFdExhaustion,
  pump,
  readHead,
  TOO_LARGE,
  UNAVAILABLE,
  withBodyDeadline,
  writeAll,
} from "./_relay.ts";
import {
  type ConnectionLimits,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULTS,
  FD_RESERVE,
} from "./limits.ts";

export type { ConnectionLimits };

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

type Conn = {
  /** The client's address, as the handler reports it. */
  peer: Deno.NetAddr;
  abort: AbortController;
  /** Requests whose response is not yet sent. */
  active: number;
  /** Clears the deadline now running (headers or idle), if any. */
  clear: (() => void) | null;
  /** Upgraded (a WebSocket): no longer HTTP, so no idle deadline and never evicted as idle. */
  upgraded: boolean;
  /** Upgrade requests whose answer is not yet known. */
  upgrading: number;
};

/**
 * Accepts connections on `listener` and serves each with `handler`, within `limits`.
 *
 * @param listener a TCP listener (closed by {@link ConnectionServer.stopAccepting})
 * @param handler called once per request with the client's address and a `completed` promise
 */
export function acceptConnections(
  listener: Deno.Listener<Deno.TcpConn, Deno.NetAddr>,
  handler: ConnectionHandler,
  limits: ConnectionLimits = {},
): ConnectionServer {
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
  /** Relayed connections by the local port of their inner socket. */
  const byPort = new Map<number, Conn>();
  let accepting = true;
  /** Every connection's serve() in progress, for shutdown to wait on. */
  const running = new Set<Promise<void>>();

  const inner = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen() {},
    onError(error) {
      log("error", "request handler failed", { error: error as Error });
      return new Response("Internal Server Error", { status: 500 });
    },
  }, (req, info) => {
    const conn = byPort.get(info.remoteAddr.port);
    if (conn === undefined) {
      return new Response("Forbidden\n", {
        status: 403,
        headers: { connection: "close" },
      });
    }
    // Deno settles `completed` of an upgrade as soon as the handler upgrades, before the answer
    // is known: the idle deadline waits for it (a refused upgrade is an ordinary response).
    const upgrading = req.headers.has("upgrade");
    if (upgrading) conn.upgrading++;
    const res = handler(onRequest(conn, req, info), {
      remoteAddr: conn.peer,
      completed: info.completed,
    });
    if (!upgrading) return res;
    const decided = (status: number) => {
      conn.upgrading--;
      if (status === 101) conn.upgraded = true;
      else if (conn.active === 0) idleFrom(conn);
    };
    return Promise.resolve(res).then((r) => {
      decided(r.status);
      return r;
    }, (error) => {
      decided(500);
      throw error;
    });
  });
  const innerAddr = { hostname: "127.0.0.1", port: inner.addr.port };

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

  /** Arms the idle deadline once nothing is in flight on `conn` (and it is still HTTP). */
  function idleFrom(conn: Conn): void {
    if (
      conn.active > 0 || conn.upgrading > 0 || conn.upgraded ||
      conn.abort.signal.aborted
    ) return;
    idle.add(conn);
    conn.clear = idleDeadlines.add(conn.abort);
  }

  function onRequest(
    conn: Conn,
    req: Request,
    info: Deno.ServeHandlerInfo<Deno.NetAddr>,
  ): Request {
    conn.active++;
    if (conn.clear !== null) {
      conn.clear();
      conn.clear = null;
      fresh.delete(conn);
      idle.delete(conn);
    }
    // A body's deadline ends with its last byte, or with the response (an unread body).
    const clearBody = req.body === null ? null : bodies.add(conn.abort);
    // One reaction for both outcomes (sent, or the client left): the cheapest per request.
    const done = () => {
      clearBody?.();
      conn.active--;
      idleFrom(conn);
    };
    info.completed.then(done, done);
    return clearBody === null ? req : withBodyDeadline(req, clearBody);
  }

  async function serve(tcp: Deno.TcpConn): Promise<void> {
    const conn: Conn = {
      peer: tcp.remoteAddr,
      abort: new AbortController(),
      active: 0,
      clear: null,
      upgraded: false,
      upgrading: 0,
    };
    all.add(conn);
    fresh.add(conn);
    conn.clear = headers.add(conn.abort);
    let relay: Deno.TcpConn | null = null;
    const shut = () => {
      for (const c of [tcp, relay]) {
        try {
          c?.close();
        } catch { /* already closed */ }
      }
    };
    conn.abort.signal.addEventListener("abort", shut, { once: true });
    try {
      const head = await readHead(tcp);
      if (head === "too_large") {
        await writeAll(tcp, TOO_LARGE).catch(() => {});
      }
      if (head === null || head === "too_large") return;
      try {
        relay = await Deno.connect(innerAddr);
      } catch (error) {
        if (isFdExhaustion(error)) lowerCap();
        await writeAll(tcp, UNAVAILABLE).catch(() => {});
        return;
      }
      if (conn.abort.signal.aborted) return;
      relay.setNoDelay(true);
      tcp.setNoDelay(true);
      const port = relay.localAddr.port;
      byPort.set(port, conn);
      try {
        await writeAll(relay, head);
        await Promise.all([pump(tcp, relay), pump(relay, tcp)]);
      } finally {
        byPort.delete(port);
      }
    } catch (error) {
      log("debug", "connection ended", { error: error as Error });
    } finally {
      all.delete(conn);
      close(conn);
    }
  }

  function lowerCap(): void {
    cap = Math.max(16, Math.min(cap, all.size - FD_RESERVE));
    while (all.size > cap && evictOne()) { /* down to the new cap */ }
    warnOnce("out of file descriptors; connection cap lowered", {
      cap,
      open: all.size,
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
        if (isFdExhaustion(error)) lowerCap();
        else warnOnce("accept failed", { error: error as Error });
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
      const served = serve(tcp);
      running.add(served);
      served.finally(() => running.delete(served));
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
      for (const conn of [...fresh]) close(conn);
      // Graceful: responses being sent complete and idle keep-alive connections close, inside;
      // then each relay forwards what it still holds and ends on its own.
      await inner.shutdown();
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.allSettled([...running]),
        new Promise((r) => (timer = setTimeout(r, 5000))),
      ]);
      clearTimeout(timer);
      for (const conn of [...all]) close(conn);
    },
  };
}
