/**
 * The upstream of bench/proxy.ts: one ~20 KB HTML page on a free port, printed on stdout.
 *
 * @module
 */
const para =
  "<p>Reverse proxies sit in front of web applications, caching, compressing and terminating TLS; this paragraph pads the page to a realistic size.</p>\n";
const page = new TextEncoder().encode(
  `<!doctype html><html><head><meta charset="utf-8"><title>Bench</title></head><body>\n${
    para.repeat(140)
  }</body></html>\n`,
);
const server = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen() {} },
  () =>
    new Response(page, {
      headers: { "content-type": "text/html; charset=utf-8" },
    }),
);
console.log(`${server.addr.port} ${page.byteLength}`);
