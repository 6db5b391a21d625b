/**
 * Attacks on the operator surface that read rather than write: the token leaking through pages
 * and URLs, and metrics open to anyone (issue 15 item 7; the rest is tests/admin_auth_test.ts).
 */
import assert from "node:assert/strict";
import { Hono } from "hono";
import { loadConfig } from "../config.ts";
import { createGuardApp } from "../middleware/mod.ts";
import { ALICE, BASE, logIn, peer, rig, TOKEN } from "./_admin_rig.ts";

Deno.test("no admin page contains the token, and ?token= is no credential", async (t) => {
  const { app, close } = await rig();
  try {
    await t.step("?token= in a URL opens nothing", async () => {
      const res = await app.request(
        `${BASE}/sessions?token=${TOKEN}`,
        {},
        ALICE,
      );
      assert.equal(res.status, 401);
      await res.body?.cancel();
    });
    await t.step(
      "a browser without a session goes to the login form",
      async () => {
        const res = await app.request(`${BASE}/sessions/sess_0001`, {
          headers: { accept: "text/html" },
        });
        assert.equal(res.status, 303);
        assert.equal(
          res.headers.get("location"),
          "/__guard/admin/login?next=%2F__guard%2Fadmin%2Fsessions%2Fsess_0001",
        );
      },
    );
    const { cookie } = await logIn(app);
    const pages = [
      ["login form", `${BASE}/login`, {}],
      ["session list", `${BASE}/sessions`, { cookie }],
      ["session page", `${BASE}/sessions/sess_0001`, { cookie }],
      ["session JSON", `${BASE}/sessions/sess_0001?format=json`, { cookie }],
    ] as const;
    for (const [name, url, headers] of pages) {
      await t.step(name, async () => {
        const res = await app.request(url, {
          headers: { accept: "text/html", ...headers },
        }, ALICE);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("cache-control"), "no-store");
        assert.equal(res.headers.get("x-frame-options"), "DENY");
        const text = await res.text();
        assert.equal(text.includes(TOKEN), false);
        assert.equal(/token=/i.test(text), false);
      });
    }
  } finally {
    await close();
  }
});

Deno.test("metrics without the token are refused when METRICS_TOKEN is set", async (t) => {
  const METRICS = "m3trics-t0ken-m3trics";
  const app = (env: Record<string, string>) => {
    const config = loadConfig({ UPSTREAM_URL: "http://127.0.0.1:9", ...env });
    assert.ok(config.ok);
    return createGuardApp({
      config: config.config,
      collector: { code: "", hash: "0" },
    });
  };
  const guarded = app({ METRICS_TOKEN: METRICS });
  const get = (a: Hono, auth: string | null, from = "127.0.0.1") =>
    a.request("/__guard/metrics", {
      headers: auth === null ? {} : { authorization: auth },
    }, peer(from));
  await t.step("no token, even from loopback: 401", async () => {
    const res = await get(guarded, null);
    assert.equal(res.status, 401);
    assert.equal(
      res.headers.get("www-authenticate"),
      'Bearer realm="guard metrics"',
    );
    assert.deepEqual(await res.json(), { error: "unauthorized" });
  });
  await t.step("the right token: the Prometheus text", async () => {
    const res = await get(guarded, `Bearer ${METRICS}`, "203.0.113.5");
    assert.equal(res.status, 200);
    assert.match(await res.text(), /^# TYPE guard_requests_total counter$/m);
  });
  await t.step("10 wrong tokens, then 429", async () => {
    for (let i = 0; i < 10; i++) {
      const res = await get(guarded, `Bearer wrong-${i}`, "192.0.2.8");
      assert.equal(res.status, 401);
      await res.body?.cancel();
    }
    const res = await get(guarded, `Bearer ${METRICS}`, "192.0.2.8");
    assert.equal(res.status, 429);
    assert.equal(res.headers.get("retry-after"), "60");
    await res.body?.cancel();
  });
  await t.step("METRICS_TOKEN unset: loopback peers only", async () => {
    const open = app({});
    for (
      const [from, status] of [
        ["127.0.0.1", 200],
        ["::1", 200],
        ["::ffff:127.0.0.1", 200],
        ["203.0.113.5", 403],
        ["10.0.0.2", 403],
      ] as const
    ) {
      const res = await get(open, null, from);
      assert.equal(res.status, status, from);
      await res.body?.cancel();
    }
  });
});
