import { strict as assert } from "node:assert";
import { Hono } from "hono";
import { loadConfig } from "../config.ts";
import { createGuardApp, serveGuard } from "../middleware/mod.ts";
import { COLLECTOR, signal, startPair, TAG, within } from "./proxy_fixtures.ts";

Deno.test("proxy relays WebSocket frames both ways", async () => {
  const pair = startPair((req) => {
    if (req.headers.get("upgrade") !== "websocket") {
      return new Response("no", { status: 400 });
    }
    const { socket, response } = Deno.upgradeWebSocket(req, {
      protocol: "chat",
    });
    socket.onopen = () => socket.send(`hello ${new URL(req.url).search}`);
    socket.onmessage = (e) => {
      socket.send(
        typeof e.data === "string"
          ? `echo:${e.data}`
          : new Uint8Array(e.data).reverse(),
      );
    };
    return response;
  });
  try {
    const ws = new WebSocket(
      `${pair.guardUrl.replace("http", "ws")}/ws?room=1`,
      [
        "chat",
        "other",
      ],
    );
    ws.binaryType = "arraybuffer";
    const messages: Array<string | number[]> = [];
    const got = (n: number) =>
      new Promise<void>((resolve) => {
        const check = () =>
          messages.length >= n ? resolve() : setTimeout(check, 5);
        check();
      });
    ws.onmessage = (e) =>
      messages.push(
        typeof e.data === "string" ? e.data : [...new Uint8Array(e.data)],
      );
    await within(new Promise((r) => (ws.onopen = r)), 5000, "open");
    assert.equal(ws.protocol, "chat");
    ws.send("ping");
    ws.send(new Uint8Array([1, 2, 3]));
    await within(got(3), 5000, "three messages");
    assert.deepEqual(messages, ["hello ?room=1", "echo:ping", [3, 2, 1]]);
    const closed = new Promise<CloseEvent>((r) => (ws.onclose = r));
    ws.close(4001, "bye");
    assert.equal((await within(closed, 5000, "close")).code, 4001);
    assert.equal(pair.seen[0].headers.get("x-forwarded-proto"), "http");
  } finally {
    await pair.close();
  }
});

Deno.test("createGuardApp() healthz reports the store, metrics count requests", async (t) => {
  let healthy = true;
  const store = {
    ping: () => healthy ? Promise.resolve() : Promise.reject(new Error("down")),
  };
  const pair = startPair(
    (req) =>
      new URL(req.url).pathname === "/page"
        ? new Response("<head></head>", {
          headers: { "content-type": "text/html" },
        })
        : new Response("x"),
    {},
    { store },
  );
  try {
    await t.step("healthy store", async () => {
      const res = await fetch(`${pair.guardUrl}/__guard/healthz`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { ok: true });
    });
    await t.step("failing store", async () => {
      healthy = false;
      const res = await fetch(`${pair.guardUrl}/__guard/healthz`);
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), { ok: false, reason: "store" });
    });
    await t.step("metrics", async () => {
      const read = async () => {
        const res = await fetch(`${pair.guardUrl}/__guard/metrics`);
        assert.match(res.headers.get("content-type")!, /^text\/plain/);
        return await res.text();
      };
      const value = (text: string, series: string) => {
        const line = text.split("\n").find((l) => l.startsWith(series + " "));
        return line === undefined ? 0 : Number(line.slice(series.length + 1));
      };
      const before = await read();
      await (await fetch(`${pair.guardUrl}/page`)).text();
      await (await fetch(`${pair.guardUrl}/other`)).text();
      const after = await read();
      assert.equal(
        value(after, "guard_injections_total") -
          value(before, "guard_injections_total"),
        1,
      );
      // The two proxied requests and the first /metrics read itself.
      const ok = 'guard_requests_total{status_class="2xx"}';
      assert.equal(value(after, ok) - value(before, ok), 3);
      assert.match(after, /^# TYPE guard_request_duration_seconds histogram$/m);
      assert.match(after, /^# TYPE guard_upstream_errors_total counter$/m);
    });
  } finally {
    await pair.close();
  }
});

Deno.test("createGuardApp() runs beforeProxy in order and mounts guard routes under the prefix", async () => {
  const order: string[] = [];
  const pair = startPair(() => new Response("up"), { GUARD_PREFIX: "/__g" }, {
    mountGuardRoutes: (guard: Hono) => {
      guard.post("/ingest", (c) => c.json({ ingested: true }, 202));
    },
    beforeProxy: [
      async (_c, next) => {
        order.push("a");
        await next();
      },
      async (c, next) => {
        order.push("b");
        if (c.req.path === "/blocked") return c.text("gate", 403);
        await next();
      },
    ],
  });
  try {
    const ingest = await fetch(`${pair.guardUrl}/__g/ingest`, {
      method: "POST",
    });
    assert.equal(ingest.status, 202);
    assert.deepEqual(await ingest.json(), { ingested: true });
    assert.deepEqual(order, []);
    const blocked = await fetch(`${pair.guardUrl}/blocked`);
    assert.equal(blocked.status, 403);
    assert.equal(await blocked.text(), "gate");
    const ok = await fetch(`${pair.guardUrl}/fine`);
    assert.equal(await ok.text(), "up");
    assert.deepEqual(order, ["a", "b", "a", "b"]);
    assert.deepEqual(pair.seen.map((s) => new URL(s.url).pathname), ["/fine"]);
  } finally {
    await pair.close();
  }
});

Deno.test("serveGuard() drains an in-flight request on shutdown, then runs hooks", async () => {
  const started = signal();
  const release = signal();
  const upstream = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async () => {
      started.resolve();
      await release.promise;
      return new Response("<html><head></head>slow</html>", {
        headers: { "content-type": "text/html" },
      });
    },
  );
  const cfg = loadConfig({
    UPSTREAM_URL: `http://127.0.0.1:${upstream.addr.port}`,
  });
  assert.ok(cfg.ok);
  const server = serveGuard(
    createGuardApp({ config: cfg.config, collector: COLLECTOR }),
    {
      hostname: "127.0.0.1",
      port: 0,
    },
  );
  const events: string[] = [];
  server.onShutdown(() => void events.push("close store"));
  server.onShutdown(() => void events.push("flush buffer"));
  try {
    const pending = fetch(`http://127.0.0.1:${server.addr.port}/slow`).then(
      async (res) => {
        events.push(`response ${res.status}`);
        return await res.text();
      },
    );
    await within(started.promise, 5000, "request reached upstream");
    const stopped = server.shutdown().then(() => events.push("stopped"));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(events.length, 0);
    release.resolve();
    assert.equal(await pending, `<html><head>${TAG}</head>slow</html>`);
    await stopped;
    // The client may see the last byte after the server has finished: compare the server side.
    assert.deepEqual(events.filter((e) => !e.startsWith("response")), [
      "flush buffer",
      "close store",
      "stopped",
    ]);
    assert.ok(events.includes("response 200"));
    await assert.rejects(
      fetch(`http://127.0.0.1:${server.addr.port}/`),
      TypeError,
    );
  } finally {
    release.resolve();
    await server.shutdown();
    await upstream.shutdown();
  }
});

Deno.test("proxy refuses a WebSocket upgrade the upstream refuses", async () => {
  const pair = startPair(() =>
    new Response("no sockets here", { status: 400 })
  );
  try {
    const ws = new WebSocket(`${pair.guardUrl.replace("http", "ws")}/ws`);
    const outcome = await within(
      new Promise<string>((resolve) => {
        ws.onopen = () => resolve("open");
        ws.onerror = () => resolve("error");
      }),
      5000,
      "the client socket to fail",
    );
    assert.equal(outcome, "error");
    assert.equal(pair.seen.length, 1);
    assert.equal(pair.seen[0].headers.get("upgrade"), "websocket");
  } finally {
    await pair.close();
  }
});
