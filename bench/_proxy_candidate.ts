/**
 * One pass-through proxy for bench/proxy_clients.ts: `Deno.serve` in front of the bench upstream
 * with a chosen upstream client and body handling, injecting the guard's tag with the guard's own
 * scanner (injectWhole / injectStream). No guard logic: it isolates what the client and the body
 * handling cost. Prints its port on stdout.
 *
 * Run: `deno run -A bench/_proxy_candidate.ts <upstream origin> <client> <body> <tag>` where
 * client is `node-http` (middleware/proxy/upstream.ts, the guard's), `fetch`, `fetch-tuned`
 * (a `Deno.createHttpClient` pool), `undici` or `undici-pipe4` (npm undici `Pool`, pipelining 1
 * or 4), and body is `buffer` (read whole, insert, send bytes) or `stream` (insert while
 * forwarding chunks).
 *
 * @module
 */
import { Pool } from "undici";
import { injectStream, injectWhole } from "../middleware/inject/mod.ts";
import { createUpstream } from "../middleware/proxy/upstream.ts";
import { concatBytes } from "../middleware/_bytes.ts";

type Answer = { status: number; body: ReadableStream<Uint8Array> };

const [origin, client, mode, tagText] = Deno.args;
const tag = new TextEncoder().encode(tagText);
const path = "/";

function nodeHttp(): () => Promise<Answer> {
  const send = createUpstream(new URL(origin));
  return async () => {
    const res = await send({
      method: "GET",
      path,
      headers: [["accept-encoding", "identity"]],
      body: null,
      signal: new AbortController().signal,
    }, () => false);
    return { status: res.status, body: res.body! };
  };
}

function viaFetch(tuned: boolean): () => Promise<Answer> {
  const httpClient = tuned
    ? Deno.createHttpClient({
      http1: true,
      http2: false,
      poolMaxIdlePerHost: 64,
      poolIdleTimeout: 60_000,
    })
    : undefined;
  return async () => {
    const res = await fetch(origin + path, {
      headers: { "accept-encoding": "identity" },
      client: httpClient,
    });
    return { status: res.status, body: res.body! };
  };
}

function viaUndici(pipelining: number): () => Promise<Answer> {
  const pool = new Pool(origin, { connections: 64, pipelining });
  return async () => {
    const res = await pool.request({
      method: "GET",
      path,
      headers: { "accept-encoding": "identity" },
    });
    const body = res.body;
    return {
      status: res.statusCode,
      body: new ReadableStream<Uint8Array>({
        async pull(controller) {
          for await (const chunk of body) controller.enqueue(chunk);
          controller.close();
        },
        cancel: () => void body.destroy(),
      }),
    };
  };
}

const clients: Record<string, () => () => Promise<Answer>> = {
  "node-http": nodeHttp,
  "fetch": () => viaFetch(false),
  "fetch-tuned": () => viaFetch(true),
  "undici": () => viaUndici(1),
  "undici-pipe4": () => viaUndici(4),
};
const send = clients[client]?.();
if (send === undefined || (mode !== "buffer" && mode !== "stream")) {
  throw new TypeError(`Unknown client "${client}" or body mode "${mode}"`);
}

async function readAll(body: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    total += chunk.byteLength;
  }
  return concatBytes(chunks, total);
}

const headers = { "content-type": "text/html; charset=utf-8" };
const server = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen() {} },
  async () => {
    const res = await send();
    const body = mode === "buffer"
      ? injectWhole(await readAll(res.body), tag)
      : injectStream(res.body, tag);
    return new Response(body as BodyInit, { status: res.status, headers });
  },
);
console.log(`${server.addr.port}`);
