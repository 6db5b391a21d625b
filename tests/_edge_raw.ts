/**
 * Raw HTTP/1.1 parts for the edge tests: an upstream that parses request bytes itself and reads
 * a body only by its Content-Length (as many servers do), and a client that sends exact bytes.
 *
 * @module
 */

/** One request as the raw upstream read it off the wire. */
export type RawRequest = {
  /** The request line, e.g. `POST /up HTTP/1.1`. */
  line: string;
  /** Header lines in the order and case received. */
  headers: Array<[string, string]>;
  /** The body read by Content-Length (empty without one). */
  body: Uint8Array;
};

/** A running raw upstream. */
export type RawUpstream = {
  url: string;
  seen: RawRequest[];
  close(): void;
};

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * Starts an upstream on 127.0.0.1 that answers every request with `respond(request)` (an HTML
 * page by default) and `Connection: close`.
 */
export function startRawUpstream(
  respond: (request: RawRequest) => string = () =>
    "<html><head></head><body>raw</body></html>",
): RawUpstream {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const seen: RawRequest[] = [];
  (async () => {
    for await (const conn of listener) {
      handle(conn).catch(() => {}).finally(() => {
        try {
          conn.close();
        } catch { /* closed */ }
      });
    }
  })().catch(() => {});
  async function handle(conn: Deno.Conn): Promise<void> {
    let buf = new Uint8Array(0);
    const more = async () => {
      const chunk = new Uint8Array(65536);
      const n = await conn.read(chunk);
      if (n === null) throw new Error("closed");
      const next = new Uint8Array(buf.length + n);
      next.set(buf);
      next.set(chunk.subarray(0, n), buf.length);
      buf = next;
    };
    let end = -1;
    while ((end = dec.decode(buf).indexOf("\r\n\r\n")) < 0) await more();
    const head = dec.decode(buf.subarray(0, end)).split("\r\n");
    const headers = head.slice(1).map((l): [string, string] => {
      const colon = l.indexOf(":");
      return [l.slice(0, colon), l.slice(colon + 1).trim()];
    });
    const length = Number(
      headers.find(([n]) => n.toLowerCase() === "content-length")?.[1] ?? "0",
    );
    const start = enc.encode(dec.decode(buf).slice(0, end + 4)).length;
    while (buf.length < start + length) await more();
    const request = {
      line: head[0],
      headers,
      body: buf.slice(start, start + length),
    };
    seen.push(request);
    const html = enc.encode(respond(request));
    await conn.write(enc.encode(
      `HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: ${html.length}\r\nconnection: close\r\n\r\n`,
    ));
    await conn.write(html);
  }
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    seen,
    close: () => listener.close(),
  };
}

/**
 * Sends `head` (and `body`) on a new connection to `url` and returns the whole response text
 * (the request should carry `Connection: close`).
 */
export async function rawExchange(
  url: string,
  head: string,
  body: Uint8Array = new Uint8Array(0),
): Promise<string> {
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: Number(new URL(url).port),
  });
  await conn.write(enc.encode(head));
  if (body.length > 0) await conn.write(body);
  return dec.decode(await new Response(conn.readable).arrayBuffer());
}

/** The status code and body of a raw response text. */
export function parseRaw(text: string): { status: number; body: string } {
  const status = Number(text.slice(9, 12));
  const at = text.indexOf("\r\n\r\n");
  return { status, body: at < 0 ? "" : text.slice(at + 4) };
}
