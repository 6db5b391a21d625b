/**
 * Attacks on the operator surface (issue 15 item 7): token guessing, cross-site requests, tokens
 * leaking through pages and URLs, and open metrics. The admin routes run on a real store
 * (Postgres with DATABASE_URL, else PGlite), mounted at `/__guard/admin` as the guard mounts them;
 * `env` stands for Deno's connection info (the client address).
 */
import assert from "node:assert/strict";
import {
  ALICE,
  BASE,
  HOST,
  logIn,
  loginForm,
  peer,
  rig,
  TOKEN,
} from "./_admin_rig.ts";

Deno.test("admin login sets a signed, expiring, HttpOnly, SameSite=Strict cookie scoped to the admin path", async (t) => {
  const { app, clock, close } = await rig({ secure: true, ttlMs: 3_600_000 });
  try {
    const res = await app.request(`${BASE}/login`, loginForm(TOKEN), ALICE);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/__guard/admin/sessions");
    const set = res.headers.get("set-cookie")!;
    assert.match(
      set,
      /^__guard_admin=v1\.\d+\.[\w-]{22}\.[\w-]{43}; Max-Age=3600; Path=\/__guard\/admin; HttpOnly; Secure; SameSite=Strict$/,
    );
    const cookie = set.split(";")[0];
    await t.step("the cookie opens the API", async () => {
      const ok = await app.request(`${BASE}/sessions`, {
        headers: { cookie },
      });
      assert.equal(ok.status, 200);
      assert.equal((await ok.json()).sessions[0].id, "sess_0001");
    });
    await t.step("a tampered cookie is refused", async () => {
      const forged = cookie.replace(/\.(\d+)\./, (_, e) => `.${+e + 1}.`);
      const res = await app.request(`${BASE}/sessions`, {
        headers: { cookie: forged },
      });
      assert.equal(res.status, 401);
      assert.deepEqual(await res.json(), { error: "unauthorized" });
    });
    await t.step("the cookie expires after its TTL", async () => {
      clock.t += 3_600_001;
      const res = await app.request(`${BASE}/sessions`, {
        headers: { cookie },
      });
      assert.equal(res.status, 401);
      await res.body?.cancel();
    });
  } finally {
    await close();
  }
});

Deno.test("token guessing gets 429 after 10 failed attempts per address, even with the right token", async (t) => {
  const { app, clock, close } = await rig();
  try {
    await t.step(
      "10 wrong tokens through the login form: 401 each",
      async () => {
        for (let i = 0; i < 10; i++) {
          const res = await app.request(
            `${BASE}/login`,
            loginForm(`guess-${i}-guess-guess-guess`),
            ALICE,
          );
          assert.equal(res.status, 401);
          assert.equal(res.headers.get("set-cookie"), null);
          assert.match(await res.text(), /Wrong token\./);
        }
      },
    );
    await t.step(
      "the 11th attempt: 429 with Retry-After, right token or not",
      async () => {
        for (const token of ["guess-x-guess-guess-guess", TOKEN]) {
          const res = await app.request(
            `${BASE}/login`,
            loginForm(token),
            ALICE,
          );
          assert.equal(res.status, 429);
          assert.equal(res.headers.get("retry-after"), "60");
          assert.equal(res.headers.get("set-cookie"), null);
          assert.deepEqual(await res.json(), { error: "rate_limited" });
        }
        const bearer = await app.request(`${BASE}/sessions`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        }, ALICE);
        assert.equal(bearer.status, 429);
        await bearer.body?.cancel();
      },
    );
    await t.step("another address is not locked out", async () => {
      const res = await app.request(
        `${BASE}/login`,
        loginForm(TOKEN),
        peer("203.0.113.9"),
      );
      assert.equal(res.status, 303);
    });
    await t.step("Bearer guesses count too", async () => {
      const bob = peer("192.0.2.44");
      for (let i = 0; i < 10; i++) {
        const res = await app.request(`${BASE}/sessions`, {
          headers: { authorization: `Bearer guess-${i}-guess-guess` },
        }, bob);
        assert.equal(res.status, 401);
        await res.body?.cancel();
      }
      const res = await app.request(`${BASE}/sessions`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      }, bob);
      assert.equal(res.status, 429);
      await res.body?.cancel();
    });
    await t.step(
      "a minute after the first failure the address may try again",
      async () => {
        clock.t += 30_000;
        const still = await app.request(
          `${BASE}/login`,
          loginForm(TOKEN),
          ALICE,
        );
        assert.equal(still.status, 429);
        assert.equal(still.headers.get("retry-after"), "30");
        await still.body?.cancel();
        clock.t += 30_000;
        const res = await app.request(`${BASE}/login`, loginForm(TOKEN), ALICE);
        assert.equal(res.status, 303);
      },
    );
  } finally {
    await close();
  }
});

Deno.test("a cross-site text/plain label POST is refused and labels nothing", async (t) => {
  const { app, store, close } = await rig();
  try {
    const { cookie, csrf } = await logIn(app);
    const label = (headers: Record<string, string>, body?: string) =>
      app.request(`${BASE}/sessions/sess_0001/label`, {
        method: "POST",
        headers: { host: HOST, cookie, ...headers },
        body: body ?? JSON.stringify({ label: "bot" }),
      }, ALICE);
    const cases: [string, Record<string, string>, number, unknown][] = [
      // A sibling subdomain is same-site: the browser sends a SameSite=Strict cookie along.
      [
        "sibling subdomain, text/plain",
        {
          "content-type": "text/plain",
          origin: "https://evil.guard.example",
          "sec-fetch-site": "same-site",
        },
        403,
        { error: "cross_site" },
      ],
      [
        "foreign Origin, no Sec-Fetch-Site",
        {
          "content-type": "text/plain",
          origin: "https://evil.example",
        },
        403,
        { error: "cross_site" },
      ],
      [
        "Origin null",
        {
          "content-type": "application/json",
          origin: "null",
          "x-csrf-token": csrf,
        },
        403,
        { error: "cross_site" },
      ],
      [
        "same-origin, no CSRF token",
        {
          "content-type": "application/json",
          origin: `http://${HOST}`,
          "sec-fetch-site": "same-origin",
        },
        403,
        { error: "csrf" },
      ],
      [
        "same-origin, wrong CSRF token",
        {
          "content-type": "application/json",
          "x-csrf-token": csrf.slice(1) + "A",
        },
        403,
        { error: "csrf" },
      ],
      [
        "CSRF token but text/plain",
        {
          "content-type": "text/plain",
          "x-csrf-token": csrf,
        },
        415,
        { error: "unsupported_media_type" },
      ],
      [
        "CSRF token but form-encoded",
        {
          "content-type": "application/x-www-form-urlencoded",
          "x-csrf-token": csrf,
        },
        415,
        { error: "unsupported_media_type" },
      ],
    ];
    for (const [name, headers, status, body] of cases) {
      await t.step(name, async () => {
        const res = await label(headers);
        assert.equal(res.status, status);
        assert.deepEqual(await res.json(), body);
        assert.equal((await store.getSession("sess_0001"))!.label, null);
      });
    }
    await t.step("Bearer with text/plain: 415", async () => {
      const res = await app.request(`${BASE}/sessions/sess_0001/label`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${TOKEN}`,
          "content-type": "text/plain",
        },
        body: JSON.stringify({ label: "bot" }),
      }, ALICE);
      assert.equal(res.status, 415);
      assert.equal((await store.getSession("sess_0001"))!.label, null);
    });
    await t.step("same-origin JSON with the CSRF token labels", async () => {
      const res = await label({
        "content-type": "application/json",
        origin: `http://${HOST}`,
        "sec-fetch-site": "same-origin",
        "x-csrf-token": csrf,
      });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { ok: true });
      assert.equal((await store.getSession("sess_0001"))!.label, "bot");
    });
    await t.step("a cross-site login form post is refused", async () => {
      const res = await app.request(
        `${BASE}/login`,
        loginForm(TOKEN, { origin: "https://evil.example" }),
        peer("192.0.2.1"),
      );
      assert.equal(res.status, 403);
      assert.equal(res.headers.get("set-cookie"), null);
    });
    await t.step("logout needs the CSRF token", async () => {
      const post = (body: Record<string, string>) =>
        app.request(`${BASE}/logout`, {
          method: "POST",
          headers: {
            host: HOST,
            cookie,
            "content-type": "application/x-www-form-urlencoded",
          },
          body: new URLSearchParams(body),
        }, ALICE);
      const refused = await post({});
      assert.equal(refused.status, 403);
      assert.equal(refused.headers.get("set-cookie"), null);
      const out = await post({ csrf });
      assert.equal(out.status, 303);
      assert.equal(out.headers.get("location"), "/__guard/admin/login");
      assert.match(
        out.headers.get("set-cookie")!,
        /^__guard_admin=; Max-Age=0; Path=\/__guard\/admin/,
      );
    });
  } finally {
    await close();
  }
});
