import { strict as assert } from "node:assert";
import { loadConfig } from "../config.ts";
import { createGuardApp } from "../middleware/mod.ts";
import { signal, startPair } from "./proxy_fixtures.ts";

const enc = new TextEncoder();

async function echo(req: Request): Promise<Response> {
  const body = req.body === null ? "" : await req.text();
  return Response.json({ method: req.method, body });
}

Deno.test("proxy limits request bodies to MAX_BODY_BYTES with 413", async (t) => {
  const pair = startPair(echo, { MAX_BODY_BYTES: "1024" });
  try {
    await t.step("declared Content-Length", async () => {
      const before = pair.seen.length;
      const res = await fetch(`${pair.guardUrl}/up`, {
        method: "POST",
        body: "x".repeat(1025),
      });
      assert.equal(res.status, 413);
      assert.match(await res.text(), /<h1>Request too large<\/h1>/);
      assert.equal(pair.seen.length, before);
    });
    await t.step("streamed without Content-Length", async () => {
      const body = ReadableStream.from([
        enc.encode("x".repeat(1000)),
        enc.encode("x".repeat(1000)),
      ]);
      const res = await fetch(`${pair.guardUrl}/up`, {
        method: "POST",
        body,
        // @ts-ignore: duplex is needed for a streamed request body
        duplex: "half",
      });
      assert.equal(res.status, 413);
      await res.text();
    });
    await t.step("at the limit passes", async () => {
      const res = await fetch(`${pair.guardUrl}/up`, {
        method: "POST",
        body: "y".repeat(1024),
      });
      assert.equal(res.status, 200);
      assert.equal((await res.json()).body.length, 1024);
    });
  } finally {
    await pair.close();
  }
});

Deno.test("proxy answers 502 when the upstream is down and 504 on timeout", async (t) => {
  await t.step("down", async () => {
    const pair = startPair(echo);
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const deadPort = (probe.addr as Deno.NetAddr).port;
    probe.close();
    await pair.close();
    const cfg = loadConfig({ UPSTREAM_URL: `http://127.0.0.1:${deadPort}` });
    assert.ok(cfg.ok);
    const app = createGuardApp({
      config: cfg.config,
      collector: { code: "", hash: "x" },
    });
    const res = await app.fetch(new Request("http://guard.test/page"));
    assert.equal(res.status, 502);
    assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
    const html = await res.text();
    assert.match(html, /<h1>Bad gateway<\/h1>/);
    assert.doesNotMatch(html, /at |Error:|refused/i);
  });
  await t.step("timeout", async () => {
    const never = signal();
    const pair = startPair(
      async () => {
        await never.promise;
        return new Response("late");
      },
      {},
      { upstreamTimeoutMs: 150 },
    );
    try {
      const res = await fetch(`${pair.guardUrl}/slow`);
      assert.equal(res.status, 504);
      assert.match(await res.text(), /<h1>Gateway timeout<\/h1>/);
    } finally {
      never.resolve();
      await pair.close();
    }
  });
});
