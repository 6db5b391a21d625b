/**
 * Hostile and odd requests through the real guard in front of real upstreams (issue 15): path
 * spellings that reach for the guard prefix or dodge EXCLUDE_PATHS, forged Host and forwarding
 * headers, and request bodies re-framed or headers added on the way.
 *
 * @module
 */
import { strict as assert } from "node:assert";
import { parseRaw, rawExchange, startRawUpstream } from "./_edge_raw.ts";
import { loadConfig } from "../config.ts";
import { createGuardApp } from "../middleware/mod.ts";
import { COLLECTOR, startPair, TAG } from "./proxy_fixtures.ts";

const PAGE = "<html><head></head><body>p</body></html>";
const html = () =>
  new Response(PAGE, { headers: { "content-type": "text/html" } });

/** The guard app on Deno.serve in front of `upstream` (a raw upstream startPair cannot start). */
function startGuard(upstream: string) {
  const cfg = loadConfig({ UPSTREAM_URL: upstream });
  if (!cfg.ok) throw new Error(cfg.errors.join("; "));
  const app = createGuardApp({ config: cfg.config, collector: COLLECTOR });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    app.fetch,
  );
  return { server, url: `http://127.0.0.1:${server.addr.port}` };
}

const get = (path: string, extra = "") =>
  `GET ${path} HTTP/1.1\r\nHost: guard.test\r\n${extra}Connection: close\r\n\r\n`;

Deno.test("edge refuses dot-segment, doubled-slash, encoded, case and ;-param spellings of the guard prefix with 400", async (t) => {
  const pair = startPair(html);
  try {
    for (
      const path of [
        "/./__guard/healthz",
        "/x/../__guard/healthz",
        "/%2e/__guard/healthz",
        "//__guard/healthz",
        "/__guard//healthz",
        "/__GUARD/healthz",
        "/__Guard/c.test.js",
        "/%2F__guard/healthz",
        "/%5F%5Fguard/healthz",
        "/__guard;/healthz",
        "/__guard;jsessionid=1/healthz",
        "/__guard./healthz",
        "/__guard\\healthz",
        "/__guard/../page",
      ]
    ) {
      await t.step(path, async () => {
        const res = parseRaw(await rawExchange(pair.guardUrl, get(path)));
        assert.deepEqual(res, {
          status: 400,
          body: '{"error":"ambiguous path"}',
        });
      });
    }
    await t.step("the exact spelling is the guard's", async () => {
      const res = parseRaw(
        await rawExchange(pair.guardUrl, get("/__guard/c.test.js")),
      );
      assert.deepEqual(res, { status: 200, body: "/*c*/" });
    });
    assert.deepEqual(pair.seen, []);
  } finally {
    await pair.close();
  }
});

Deno.test("edge forwards dot segments resolved, as a URL parser would, and never the prefix", async () => {
  const pair = startPair(html);
  try {
    for (const path of ["/a/./b", "/a/x/../b", "/a/%2e%2E/a/b"]) {
      const res = parseRaw(await rawExchange(pair.guardUrl, get(path)));
      assert.equal(res.status, 200);
    }
    assert.deepEqual(
      pair.seen.map((s) => new URL(s.url).pathname),
      ["/a/b", "/a/b", "/a/b"],
    );
  } finally {
    await pair.close();
  }
});

Deno.test("edge does not inject /STATIC, //static or /static%2f pages when /static is excluded", async (t) => {
  const pair = startPair(html, { EXCLUDE_PATHS: "/static" });
  try {
    for (
      const path of [
        "/static/page",
        "/STATIC/page",
        "//static/page",
        "/static%2fpage",
        "/Static;v=1/page",
        "/x/../static/page",
      ]
    ) {
      await t.step(path, async () => {
        const res = parseRaw(await rawExchange(pair.guardUrl, get(path)));
        assert.deepEqual(res, { status: 200, body: PAGE });
      });
    }
    await t.step("/staticky is not excluded", async () => {
      const res = parseRaw(await rawExchange(pair.guardUrl, get("/staticky")));
      assert.deepEqual(res, {
        status: 200,
        body: PAGE.replace("</head>", `${TAG}</head>`),
      });
    });
  } finally {
    await pair.close();
  }
});

Deno.test("edge never builds a Location from a forged Host: relative without PUBLIC_ORIGIN", async (t) => {
  let upstreamUrl = "";
  for (
    const [env, expected] of [
      [{}, "/login?next=%2F"],
      [
        { PUBLIC_ORIGIN: "https://site.example" },
        "https://site.example/login?next=%2F",
      ],
    ] as const
  ) {
    await t.step(JSON.stringify(env), async () => {
      const pair = startPair(() =>
        new Response(null, {
          status: 302,
          headers: { location: `${upstreamUrl}/login?next=%2F` },
        }), env);
      upstreamUrl = pair.upstreamUrl;
      try {
        const text = await rawExchange(
          pair.guardUrl,
          "GET /account HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
        );
        assert.match(text, /^HTTP\/1\.1 302 Found\r\n/);
        const location = text.match(/\r\nlocation: ([^\r]*)\r\n/i)?.[1];
        assert.equal(location, expected);
        assert.equal(
          pair.seen[0].headers.get("x-forwarded-host"),
          "PUBLIC_ORIGIN" in env ? "site.example" : null,
        );
      } finally {
        await pair.close();
      }
    });
  }
});

const SPOOFED = {
  "forwarded": "for=1.2.3.4;host=evil.example;proto=https",
  "x-forwarded-for": "1.2.3.4",
  "x-forwarded-host": "evil.example",
  "x-forwarded-proto": "https",
  "x-real-ip": "1.2.3.4",
  "true-client-ip": "1.2.3.4",
};

Deno.test("edge drops a client's Forwarded, X-Forwarded-* and X-Real-IP unless the peer is a trusted proxy", async (t) => {
  for (
    const [trusted, expected] of [
      ["", {
        "forwarded": null,
        "x-forwarded-for": "127.0.0.1",
        "x-forwarded-host": null,
        "x-forwarded-proto": "http",
        "x-real-ip": null,
        "true-client-ip": null,
      }],
      ["10.0.0.0/8", {
        "forwarded": null,
        "x-forwarded-for": "127.0.0.1",
        "x-forwarded-host": null,
        "x-forwarded-proto": "http",
        "x-real-ip": null,
        "true-client-ip": null,
      }],
      ["127.0.0.0/8,::1", {
        ...SPOOFED,
        "x-forwarded-for": "1.2.3.4, 127.0.0.1",
      }],
    ] as const
  ) {
    await t.step(`TRUSTED_PROXIES="${trusted}"`, async () => {
      const pair = startPair(html, trusted ? { TRUSTED_PROXIES: trusted } : {});
      try {
        const res = await fetch(`${pair.guardUrl}/p`, { headers: SPOOFED });
        await res.text();
        const seen = pair.seen[0].headers;
        assert.deepEqual(
          Object.fromEntries(Object.keys(SPOOFED).map((n) => [n, seen.get(n)])),
          expected,
        );
      } finally {
        await pair.close();
      }
    });
  }
});

Deno.test("edge keeps a Content-Length body Content-Length and adds no header the client did not send", async (t) => {
  const upstream = startRawUpstream();
  const guard = startGuard(upstream.url);
  const body = new Uint8Array(100_000).fill(0x61);
  const url = guard.url;
  try {
    await t.step("POST with Content-Length: 100000", async () => {
      const text = await rawExchange(
        url,
        "POST /upload HTTP/1.1\r\nHost: guard.test\r\nContent-Type: application/octet-stream\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n",
        body,
      );
      assert.equal(parseRaw(text).status, 200);
      const seen = upstream.seen.at(-1)!;
      assert.equal(seen.line, "POST /upload HTTP/1.1");
      assert.deepEqual(seen.headers.map(([n]) => n.toLowerCase()).sort(), [
        "connection",
        "content-length",
        "content-type",
        "host",
        "x-forwarded-for",
        "x-forwarded-proto",
      ]);
      const header = (n: string) =>
        seen.headers.find(([h]) => h.toLowerCase() === n)?.[1];
      assert.equal(header("content-length"), "100000");
      assert.equal(header("transfer-encoding"), undefined);
      assert.equal(seen.body.length, 100_000);
      assert.deepEqual(seen.body, body);
    });
    await t.step(
      "GET with no Accept, Accept-Language or User-Agent",
      async () => {
        const text = await rawExchange(url, get("/bare"));
        assert.equal(parseRaw(text).status, 200);
        const seen = upstream.seen.at(-1)!;
        assert.deepEqual(seen.headers.map(([n]) => n.toLowerCase()).sort(), [
          "connection",
          "host",
          "x-forwarded-for",
          "x-forwarded-proto",
        ]);
      },
    );
    await t.step("chunked stays chunked", async () => {
      const text = await rawExchange(
        url,
        "POST /chunks HTTP/1.1\r\nHost: guard.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
      );
      assert.equal(parseRaw(text).status, 200);
      const seen = upstream.seen.at(-1)!;
      const names = seen.headers.map(([n]) => n.toLowerCase());
      assert.ok(names.includes("transfer-encoding"), names.join());
      assert.ok(!names.includes("content-length"), names.join());
    });
  } finally {
    await guard.server.shutdown();
    upstream.close();
  }
});
