import { strict as assert } from "node:assert";
import { signal, startPair, within } from "./proxy_fixtures.ts";

const enc = new TextEncoder();

async function echo(req: Request): Promise<Response> {
  const body = req.body === null ? "" : await req.text();
  const url = new URL(req.url);
  return Response.json({
    method: req.method,
    path: url.pathname + url.search,
    body,
  });
}

Deno.test("proxy forwards every method with its query string and body", async (t) => {
  const pair = startPair(echo);
  try {
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]) {
      await t.step(method, async () => {
        const body = method === "GET" ? undefined : `payload-${method}`;
        const res = await fetch(`${pair.guardUrl}/a/b?x=1&y=%20z`, {
          method,
          body,
        });
        assert.equal(res.status, 200);
        assert.deepEqual(await res.json(), {
          method,
          path: "/a/b?x=1&y=%20z",
          body: body ?? "",
        });
      });
    }
  } finally {
    await pair.close();
  }
});

Deno.test("proxy passes statuses through without inventing a body", async (t) => {
  const pair = startPair((req) => {
    const status = Number(new URL(req.url).searchParams.get("s"));
    if (status === 204 || status === 304) {
      return new Response(null, { status, headers: { etag: '"v1"' } });
    }
    return new Response("hello", {
      status,
      headers: { "content-type": "text/plain" },
    });
  });
  try {
    for (const status of [200, 204, 304, 404, 500, 503]) {
      await t.step(`${status}`, async () => {
        const res = await fetch(`${pair.guardUrl}/?s=${status}`);
        assert.equal(res.status, status);
        const text = await res.text();
        assert.equal(text, status === 204 || status === 304 ? "" : "hello");
        if (status === 304) assert.equal(res.headers.get("etag"), '"v1"');
      });
    }
    await t.step("HEAD", async () => {
      const res = await fetch(`${pair.guardUrl}/?s=200`, { method: "HEAD" });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-length"), "5");
      assert.equal(await res.text(), "");
      assert.equal(pair.seen.at(-1)?.method, "HEAD");
    });
  } finally {
    await pair.close();
  }
});

Deno.test("proxy strips hop-by-hop headers both ways and sets X-Forwarded-*", async () => {
  let received: Headers | undefined;
  const pair = startPair((req) => {
    received = req.headers;
    return new Response("ok", {
      headers: {
        "connection": "x-up-private",
        "x-up-private": "secret",
        "keep-alive": "timeout=5",
        "trailer": "expires",
        "upgrade": "h2c",
        "proxy-connection": "keep-alive",
        "x-up-kept": "1",
      },
    });
  });
  try {
    const res = await fetch(`${pair.guardUrl}/h`, {
      headers: {
        "connection": "x-private",
        "x-private": "p",
        "te": "trailers",
        "trailer": "x",
        "upgrade": "h2c",
        "proxy-connection": "keep-alive",
        "keep-alive": "timeout=1",
        "x-forwarded-for": "203.0.113.7",
        "x-kept": "k",
      },
    });
    await res.text();
    assert.ok(received);
    for (
      const name of [
        "x-private",
        "te",
        "trailer",
        "upgrade",
        "proxy-connection",
        "keep-alive",
      ]
    ) {
      assert.equal(received.get(name), null, `request header ${name}`);
    }
    assert.equal(received.get("x-kept"), "k");
    // The peer (127.0.0.1) is not in TRUSTED_PROXIES: its X-Forwarded-For is dropped, and with
    // no PUBLIC_ORIGIN there is no X-Forwarded-Host (formerly the client's Host: issue 15 item 4).
    assert.equal(received.get("x-forwarded-for"), "127.0.0.1");
    assert.equal(received.get("x-forwarded-proto"), "http");
    assert.equal(received.get("x-forwarded-host"), null);
    assert.equal(received.get("accept-encoding"), "identity");
    for (
      const name of [
        "x-up-private",
        "keep-alive",
        "trailer",
        "upgrade",
        "proxy-connection",
      ]
    ) {
      assert.equal(res.headers.get(name), null, `response header ${name}`);
    }
    assert.equal(res.headers.get("x-up-kept"), "1");
  } finally {
    await pair.close();
  }
});

Deno.test("proxy keeps several Set-Cookie headers separate", async () => {
  const pair = startPair(() => {
    const headers = new Headers();
    headers.append("set-cookie", "a=1; Path=/; HttpOnly");
    headers.append("set-cookie", "b=2; Expires=Wed, 21 Oct 2037 07:28:00 GMT");
    headers.append("set-cookie", "c=3");
    return new Response("ok", { headers });
  });
  try {
    const res = await fetch(pair.guardUrl);
    await res.text();
    assert.deepEqual(res.headers.getSetCookie(), [
      "a=1; Path=/; HttpOnly",
      "b=2; Expires=Wed, 21 Oct 2037 07:28:00 GMT",
      "c=3",
    ]);
  } finally {
    await pair.close();
  }
});

// Without PUBLIC_ORIGIN, upstream Locations become relative: formerly the origin was built from
// the client's Host, so `Host: evil.example` got `Location: http://evil.example/…` (issue 15 item 4).
for (const publicOrigin of ["", "https://site.example"]) {
  Deno.test(`proxy rewrites Locations at the upstream origin to ${publicOrigin || "a relative path"}`, async (t) => {
    let upstreamUrl = "";
    const pair = startPair((req) => {
      const to = new URL(req.url).searchParams.get("to") ?? "";
      return new Response(null, {
        status: 302,
        headers: { location: to.replace("UP", upstreamUrl) },
      });
    }, publicOrigin === "" ? {} : { PUBLIC_ORIGIN: publicOrigin });
    upstreamUrl = pair.upstreamUrl;
    try {
      const cases: Array<[string, string]> = [
        ["UP/login?next=%2Fa", `${publicOrigin}/login?next=%2Fa`],
        ["UP", `${publicOrigin}/`],
        ["/relative", "/relative"],
        ["https://other.example/x", "https://other.example/x"],
        [
          "UP0/port-prefix-is-not-a-match",
          `${pair.upstreamUrl}0/port-prefix-is-not-a-match`,
        ],
      ];
      for (const [to, expected] of cases) {
        await t.step(to, async () => {
          const res = await fetch(
            `${pair.guardUrl}/r?to=${encodeURIComponent(to)}`,
            { redirect: "manual", headers: { host: "evil.example" } },
          );
          await res.body?.cancel();
          assert.equal(res.status, 302);
          assert.equal(res.headers.get("location"), expected);
        });
      }
    } finally {
      await pair.close();
    }
  });
}

Deno.test("proxy streams response bodies: first bytes arrive before the upstream finishes", async () => {
  const release = signal();
  const pair = startPair(() => {
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(enc.encode("first;"));
        await release.promise;
        controller.enqueue(enc.encode("last"));
        controller.close();
      },
    });
    return new Response(body, { headers: { "content-type": "text/plain" } });
  });
  try {
    const res = await fetch(`${pair.guardUrl}/slow`);
    const reader = res.body!.getReader();
    const first = await within(reader.read(), 5000, "first chunk");
    assert.equal(new TextDecoder().decode(first.value), "first;");
    release.resolve();
    let rest = "";
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      rest += new TextDecoder().decode(r.value);
    }
    assert.equal(rest, "last");
  } finally {
    release.resolve();
    await pair.close();
  }
});

Deno.test("proxy streams request bodies: the upstream reads before the client finishes", async () => {
  const gotFirst = signal<string>();
  const pair = startPair(async (req) => {
    const reader = req.body!.getReader();
    const first = await reader.read();
    gotFirst.resolve(new TextDecoder().decode(first.value));
    let total = first.value?.byteLength ?? 0;
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      total += r.value.byteLength;
    }
    return new Response(String(total));
  });
  const clientDone = signal();
  try {
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(enc.encode("part1"));
        await clientDone.promise;
        controller.enqueue(enc.encode("part2"));
        controller.close();
      },
    });
    const pending = fetch(`${pair.guardUrl}/upload`, {
      method: "POST",
      body,
      // @ts-ignore: duplex is needed for a streamed request body
      duplex: "half",
    });
    assert.equal(await within(gotFirst.promise, 5000, "first part"), "part1");
    clientDone.resolve();
    const res = await pending;
    assert.equal(await res.text(), "10");
  } finally {
    clientDone.resolve();
    await pair.close();
  }
});
