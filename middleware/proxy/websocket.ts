/**
 * WebSocket pass-through: the upstream connection is opened first (so its chosen subprotocol can
 * be confirmed to the client), then the client is upgraded and frames are relayed both ways.
 *
 * @module
 */
import { log } from "../../log.ts";
import { errorPage } from "./errors.ts";

/** Handshake headers the WebSocket client sets itself; forwarding them would conflict. */
const HANDSHAKE = [
  "sec-websocket-key",
  "sec-websocket-version",
  "sec-websocket-extensions",
  "sec-websocket-protocol",
  "content-length",
];

/**
 * Upgrades the client connection and relays it to `target`.
 *
 * @param req the client's upgrade request
 * @param target the upstream `ws://` URL (path and query included)
 * @param headers the forwarded request headers (cookies, X-Forwarded-*)
 * @param timeoutMs how long the upstream may take to accept
 * @returns the 101 response, 502 when the upstream refuses, 504 when it does not answer in time
 */
export async function proxyWebSocket(
  req: Request,
  target: string,
  headers: Headers,
  timeoutMs: number,
): Promise<Response> {
  const protocols = (req.headers.get("sec-websocket-protocol") ?? "")
    .split(",").map((p) => p.trim()).filter((p) => p !== "");
  for (const name of HANDSHAKE) headers.delete(name);
  let upstream: WebSocket;
  try {
    upstream = await openUpstream(target, protocols, headers, timeoutMs);
  } catch (error) {
    log("warn", "upstream websocket failed", { target, error: error as Error });
    return errorPage(error instanceof TimeoutError ? 504 : 502);
  }
  const { socket, response } = Deno.upgradeWebSocket(req, {
    protocol: upstream.protocol || undefined,
  });
  relay(socket, upstream);
  return response;
}

class TimeoutError extends Error {}

function openUpstream(
  target: string,
  protocols: string[],
  headers: Headers,
  timeoutMs: number,
): Promise<WebSocket> {
  const ws = new WebSocket(target, { protocols, headers });
  ws.binaryType = "arraybuffer";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.onerror = null;
      ws.close();
      reject(new TimeoutError(`No WebSocket handshake within ${timeoutMs} ms`));
    }, timeoutMs);
    ws.onopen = () => {
      clearTimeout(timer);
      resolve(ws);
    };
    ws.onerror = (event) => {
      clearTimeout(timer);
      reject(new Error((event as ErrorEvent).message ?? "websocket error"));
    };
  });
}

/** Relays frames and closes in both directions; upstream frames wait until the client is open. */
function relay(client: WebSocket, upstream: WebSocket): void {
  client.binaryType = "arraybuffer";
  const pending: Array<string | ArrayBuffer> = [];
  upstream.onerror = null;
  upstream.onmessage = (event) => {
    if (client.readyState === WebSocket.OPEN) client.send(event.data);
    else pending.push(event.data);
  };
  client.onopen = () => {
    for (const data of pending.splice(0)) client.send(data);
  };
  client.onmessage = (event) => {
    if (upstream.readyState === WebSocket.OPEN) upstream.send(event.data);
  };
  const closeOther = (other: WebSocket) => (event: CloseEvent) => {
    if (other.readyState === WebSocket.CLOSED) return;
    if (other.readyState === WebSocket.CONNECTING) {
      other.onopen = () => other.close();
      return;
    }
    // 1005/1006 are reserved and cannot be sent; fall back to a normal close.
    const code = event.code === 1005 || event.code === 1006 ? 1000 : event.code;
    try {
      other.close(code, event.reason);
    } catch {
      other.close();
    }
  };
  upstream.onclose = closeOther(client);
  client.onclose = closeOther(upstream);
  client.onerror = () => {};
}
