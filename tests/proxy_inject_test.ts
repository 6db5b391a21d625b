import { strict as assert } from "node:assert";
import { Buffer } from "node:buffer";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { startPair, TAG } from "./proxy_fixtures.ts";

const PAGE =
  "<!doctype html><html><head><title>t</title></head><body>hi</body></html>";
const INJECTED = PAGE.replace("</head>", `${TAG}</head>`);

/** Fetches raw bytes: `identity` stops Deno's fetch from decoding gzip/br on the test side. */
async function raw(url: string, init: RequestInit = {}) {
  const res = await fetch(url, {
    ...init,
    headers: { "accept-encoding": "identity", ...init.headers },
  });
  return { res, bytes: new Uint8Array(await res.arrayBuffer()) };
}

Deno.test("proxy injects into compressed HTML from an upstream that ignores Accept-Encoding", async (t) => {
  const encoders: Record<string, (b: Buffer) => Uint8Array> = {
    gzip: gzipSync,
    deflate: deflateSync,
    br: brotliCompressSync,
  };
  const pair = startPair((req) => {
    const encoding = new URL(req.url).searchParams.get("e")!;
    return new Response(new Uint8Array(encoders[encoding](Buffer.from(PAGE))), {
      headers: {
        "content-type": "text/html; charset=utf-8",
        "content-encoding": encoding,
        "etag": '"abc"',
      },
    });
  });
  try {
    for (const encoding of Object.keys(encoders)) {
      await t.step(encoding, async () => {
        const { res, bytes } = await raw(`${pair.guardUrl}/?e=${encoding}`, {
          headers: { "accept-encoding": "gzip, deflate, br" },
        });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-encoding"), null);
        assert.equal(res.headers.get("content-length"), null);
        assert.equal(res.headers.get("etag"), 'W/"abc"');
        assert.equal(new TextDecoder().decode(bytes), INJECTED);
        assert.equal(
          pair.seen.at(-1)?.headers.get("accept-encoding"),
          "identity",
        );
      });
    }
    await t.step(
      "HEAD of gzip HTML declares no length (GET streams it)",
      async () => {
        const head = await rawHead(pair.guardUrl, "/?e=gzip");
        assert.match(head, /^HTTP\/1\.1 200 OK\r\n/);
        assert.doesNotMatch(head, /content-length|content-encoding/i);
      },
    );
  } finally {
    await pair.close();
  }
});

Deno.test("proxy touches only HTML navigations", async (t) => {
  const gz = new Uint8Array(gzipSync(Buffer.from("body{}")));
  const pair = startPair((req) => {
    const kind = new URL(req.url).pathname.slice(1);
    const types: Record<string, [string, Record<string, string>]> = {
      json: ["application/json", {}],
      js: ["text/javascript", {}],
      css: ["text/css", {}],
      png: ["image/png", {}],
      attachment: ["text/html", {
        "content-disposition": "attachment; filename=a.html",
      }],
      html: ["text/html", {}],
      excluded: ["text/html", {}],
      "excluded/deep": ["text/html", {}],
      "excludedness": ["text/html", {}],
    };
    if (kind === "gzcss") {
      return new Response(gz, {
        headers: { "content-type": "text/css", "content-encoding": "gzip" },
      });
    }
    const [type, extra] = types[kind];
    return new Response(PAGE, {
      headers: { "content-type": type, "etag": '"e1"', ...extra },
    });
  }, { EXCLUDE_PATHS: "/excluded, /api" });
  try {
    for (
      const kind of [
        "json",
        "js",
        "css",
        "png",
        "attachment",
        "excluded",
        "excluded/deep",
      ]
    ) {
      await t.step(`${kind} passes through untouched`, async () => {
        const { res, bytes } = await raw(`${pair.guardUrl}/${kind}`);
        assert.equal(new TextDecoder().decode(bytes), PAGE);
        assert.equal(res.headers.get("content-length"), String(PAGE.length));
        assert.equal(res.headers.get("etag"), '"e1"');
      });
    }
    await t.step("gzip CSS passes through byte for byte", async () => {
      const { res, bytes } = await raw(`${pair.guardUrl}/gzcss`);
      assert.equal(res.headers.get("content-encoding"), "gzip");
      assert.deepEqual(bytes, gz);
    });
    for (const path of ["html", "excludedness"]) {
      await t.step(`${path} is injected`, async () => {
        const { res, bytes } = await raw(`${pair.guardUrl}/${path}`);
        assert.equal(new TextDecoder().decode(bytes), INJECTED);
        // One chunk that was the whole declared body: sent as bytes with the new length.
        assert.equal(
          res.headers.get("content-length"),
          String(INJECTED.length),
        );
        assert.equal(res.headers.get("etag"), 'W/"e1"');
      });
    }
    await t.step(
      "fetch() of HTML (Sec-Fetch-Dest: empty) is not injected",
      async () => {
        const { bytes } = await raw(`${pair.guardUrl}/html`, {
          headers: { "sec-fetch-dest": "empty" },
        });
        assert.equal(new TextDecoder().decode(bytes), PAGE);
      },
    );
    await t.step(
      "HEAD of HTML declares the length GET sends: the upstream's plus the tag",
      async () => {
        const head = await rawHead(pair.guardUrl, "/html");
        assert.match(head, /^HTTP\/1\.1 200 OK\r\n/);
        assert.match(
          head,
          new RegExp(`\r\ncontent-length: ${INJECTED.length}\r\n`, "i"),
        );
        assert.match(head, /\r\netag: W\/"e1"\r\n/);
      },
    );
  } finally {
    await pair.close();
  }
});

Deno.test("proxy injects into HTML split into awkward chunks, with or without a declared length", async (t) => {
  const parts = [
    "<html><HEAD><!-- </head> --><script>let s='</he",
    "ad>'</script></HE",
    "AD><body>x</body>",
  ];
  const length = parts.join("").length;
  const pair = startPair(async (req) => {
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        for (const part of parts) {
          controller.enqueue(new TextEncoder().encode(part));
          await new Promise((r) => setTimeout(r, 5));
        }
        controller.close();
      },
    });
    const declared = new URL(req.url).searchParams.has("len");
    await Promise.resolve();
    return new Response(body, {
      headers: {
        "content-type": "text/html",
        ...(declared ? { "content-length": String(length) } : {}),
      },
    });
  });
  try {
    for (const query of ["", "?len"]) {
      await t.step(
        query === "" ? "chunked" : "Content-Length declared",
        async () => {
          const { res, bytes } = await raw(pair.guardUrl + "/" + query);
          assert.equal(res.headers.get("content-length"), null);
          assert.equal(
            new TextDecoder().decode(bytes),
            `<html><HEAD><!-- </head> --><script>let s='</head>'</script>${TAG}</HEAD><body>x</body>`,
          );
        },
      );
    }
  } finally {
    await pair.close();
  }
});

Deno.test("proxy widens a CSP that would block the collector", async (t) => {
  const pair = startPair((req) => {
    const csp = new URL(req.url).searchParams.get("csp")!;
    return new Response(PAGE, {
      headers: { "content-type": "text/html", "content-security-policy": csp },
    });
  });
  try {
    // Formerly 'self' was added, which let any same-origin script run (issue 15 item 2).
    await t.step("script-src without self: a nonce, not 'self'", async () => {
      const { res, bytes } = await raw(
        `${pair.guardUrl}/?csp=${
          encodeURIComponent(
            "default-src 'none'; script-src https://cdn.example",
          )
        }`,
      );
      const csp = res.headers.get("content-security-policy")!;
      const match = csp.match(
        /^default-src 'none'; script-src https:\/\/cdn\.example 'nonce-([0-9a-f]{32})'; connect-src 'self'$/,
      );
      assert.ok(match, csp);
      assert.equal(
        new TextDecoder().decode(bytes),
        PAGE.replace(
          "</head>",
          `${TAG.replace(" async>", ` nonce="${match[1]}" async>`)}</head>`,
        ),
      );
    });
    await t.step(
      "strict-dynamic: the tag carries the added nonce",
      async () => {
        const { res, bytes } = await raw(
          `${pair.guardUrl}/?csp=${
            encodeURIComponent(
              "script-src 'strict-dynamic' 'nonce-r4nd'; connect-src 'self'",
            )
          }`,
        );
        const csp = res.headers.get("content-security-policy")!;
        const match = csp.match(
          /^script-src 'strict-dynamic' 'nonce-r4nd' 'nonce-([0-9a-f]{32})'; connect-src 'self'$/,
        );
        assert.ok(match, csp);
        const html = new TextDecoder().decode(bytes);
        assert.equal(
          html,
          PAGE.replace(
            "</head>",
            `${TAG.replace(" async>", ` nonce="${match[1]}" async>`)}</head>`,
          ),
        );
      },
    );
    await t.step(
      "a CSP that already allows self is left as it is",
      async () => {
        const { res } = await raw(
          `${pair.guardUrl}/?csp=${encodeURIComponent("default-src 'self'")}`,
        );
        assert.equal(
          res.headers.get("content-security-policy"),
          "default-src 'self'",
        );
      },
    );
  } finally {
    await pair.close();
  }
});

Deno.test("proxy serves the collector under the prefix and never forwards prefix requests", async (t) => {
  const pair = startPair(() => new Response("upstream"));
  try {
    await t.step("collector bundle", async () => {
      const res = await fetch(`${pair.guardUrl}/__guard/c.test.js`);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), "/*c*/");
      assert.equal(
        res.headers.get("cache-control"),
        "public, max-age=31536000, immutable",
      );
      assert.equal(
        res.headers.get("content-type"),
        "text/javascript; charset=utf-8",
      );
    });
    for (
      const [method, path] of [
        ["GET", "/__guard/c.old.js"],
        ["GET", "/__guard"],
        ["POST", "/__guard/ingest"],
        ["GET", "/__guard/x/y"],
      ]
    ) {
      await t.step(`${method} ${path} is 404 JSON`, async () => {
        const res = await fetch(`${pair.guardUrl}${path}`, { method });
        assert.equal(res.status, 404);
        assert.deepEqual(await res.json(), { error: "not found" });
      });
    }
    assert.equal(pair.seen.length, 0);
  } finally {
    await pair.close();
  }
});

/** Sends a HEAD over a raw TCP connection and returns the response head as text. */
async function rawHead(base: string, path: string): Promise<string> {
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: Number(new URL(base).port),
  });
  await conn.write(
    new TextEncoder().encode(
      `HEAD ${path} HTTP/1.1\r\nHost: guard.test\r\nConnection: close\r\n\r\n`,
    ),
  );
  const text = new TextDecoder().decode(
    await new Response(conn.readable).arrayBuffer(),
  );
  return text;
}
