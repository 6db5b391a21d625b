/**
 * "Silence is a verdict" through the real guard over HTTP: clients that never give behaviour
 * evidence, in front of a real upstream, on a real store. The detection clock is injected, so
 * the 15 s grace passes at once.
 */
import assert from "node:assert/strict";
import {
  createHttpClient,
  navigate,
  postWindow,
  readFixture,
  retime,
} from "./_attack_http.ts";
import {
  adminList,
  CLEARED,
  guardIdOf,
  httpClient,
  logIn,
  NAV,
  withGuard,
} from "./_silence_guard.ts";
import { until } from "./_wait.ts";
import type { Store } from "../db/mod.ts";

/** Waits for the session row the login's auth binding creates (it lands behind the reply). */
async function rowOf(guard: { store: Store }, id: string) {
  assert.ok(
    await until(async () => (await guard.store.getSession(id)) !== null, 5_000),
    "the login's binding created the session row",
  );
}

Deno.test("silence: a plain-HTTP client with a cookie jar that loads pages and posts forms while logged in is logged out (303 to LOGIN_URL, auth cookie cleared) after N requests / the grace", async () => {
  await withGuard({}, async (guard, clock, base) => {
    const { client, send } = httpClient(base);
    // No Sec-Fetch-Mode (a script), asking for HTML like any page fetcher.
    const PAGE = { headers: { accept: "text/html" } };
    await logIn(send); // counted: POST /login (1)
    const id = guardIdOf(client.jar.get("__guard_sid"));
    await rowOf(guard, id);
    assert.equal((await send("GET", "/account", PAGE)).status, 200); // 2
    assert.equal((await send("POST", "/profile")).status, 303); // 3, no time passed
    clock.ms += 14_999;
    assert.equal((await send("GET", "/account", PAGE)).status, 200); // 4, inside the grace
    // The login bound the session's auth cookie (its row exists), but no verdict yet.
    const before = await guard.store.getSession(id);
    assert.deepEqual(
      [before?.state, before?.detections.length],
      ["active", 0],
      "nothing recorded yet",
    );
    clock.ms += 1;
    // The request that makes the verdict is still served; the next navigation is refused.
    assert.equal((await send("GET", "/account", PAGE)).status, 200);
    const out = await send("GET", "/account", PAGE);
    assert.equal(out.status, 303);
    assert.equal(out.location, "/login");
    assert.deepEqual(out.setCookies, CLEARED);
    assert.equal(client.jar.has("session"), false);

    const detail = await guard.store.getSession(id);
    assert.equal(detail?.state, "revoked");
    assert.equal(detail?.revokedReason, "no behaviour evidence (unverified)");
    assert.equal(detail?.detections.length, 1);
    assert.equal(detail?.detections[0].verdict, "unverified");
    const why = detail?.detections[0].explanation as Record<string, unknown>;
    assert.deepEqual(
      [
        why.mode,
        why.action,
        why.loggedIn,
        why.requests,
        why.spanMs,
        why.attributed,
      ],
      ["enforce", "logged out", true, 5, 15_000, false],
    );
    assert.deepEqual(why.rule, { requests: 3, graceMs: 15_000 });
    const alerts = await guard.store.claimDueAlerts(10);
    assert.deepEqual(
      alerts.map((a) => [a.session, a.kind, a.dedupeKey]),
      [[id, "unverified", `unverified:${id}`]],
    );
    const listed = (await adminList(base)).find((s) => s.id === id);
    assert.equal(listed?.state, "revoked");
  });
});

Deno.test("silence: the same client without a guard cookie but replaying the site's session cookie is attributed and logged out", async () => {
  await withGuard({}, async (guard, clock, base) => {
    const { client, send } = httpClient(base);
    await logIn(send); // 1
    const id = guardIdOf(client.jar.get("__guard_sid"));
    // One request with both cookies binds the auth value to the guard session (2).
    assert.equal((await send("GET", "/account", { headers: NAV })).status, 200);
    const auth = `session=${client.jar.get("session")}`;
    // From now on: the auth cookie only, and the fresh guard cookie of each reply ignored.
    const only = { headers: NAV, only: auth };
    assert.equal((await send("GET", "/account", only)).status, 200); // 3
    // A forged guard cookie is no guard cookie either.
    clock.ms += 15_000;
    const forged = `__guard_sid=${"A".repeat(22)}.forged; ${auth}`;
    const post = await send("POST", "/profile", { only: forged }); // 4: verdict
    assert.equal(post.status, 303);
    const out = await send("GET", "/account", only);
    assert.equal(out.status, 303);
    assert.equal(out.location, "/login");
    // Cleared, then the fresh guard session of a request that came without one.
    assert.equal(out.setCookies.length, 3);
    assert.deepEqual(out.setCookies.slice(0, 2), CLEARED);
    assert.match(
      out.setCookies[2],
      /^__guard_sid=[\w-]{22}\.[\w-]+; Path=\/; HttpOnly; SameSite=Lax$/,
    );

    const detail = await guard.store.getSession(id);
    assert.equal(detail?.state, "revoked");
    assert.equal(detail?.detections.length, 1);
    const why = detail?.detections[0].explanation as Record<string, unknown>;
    assert.deepEqual(
      [why.action, why.loggedIn, why.requests, why.attributed],
      ["logged out", true, 4, true],
    );
    // Only the bound session was judged: no session per minted id.
    const judged = (await adminList(base)).filter((s) => s.state === "revoked");
    assert.deepEqual(judged.map((s) => s.id), [id]);
  });
});

Deno.test("silence: an anonymous scraper is recorded as unverified, not logged out, no alert", async () => {
  await withGuard({}, async (guard, clock, base) => {
    const { client, send } = httpClient(base);
    assert.equal((await send("GET", "/")).status, 200); // issues the cookie; not counted
    const id = guardIdOf(client.jar.get("__guard_sid"));
    for (const path of ["/a", "/b"]) {
      assert.equal((await send("GET", path)).status, 200);
    }
    clock.ms += 15_000;
    assert.equal((await send("GET", "/c")).status, 200); // verdict
    const next = await send("GET", "/d", { headers: NAV });
    assert.equal(next.status, 200);
    assert.deepEqual(next.setCookies, []);

    const detail = await guard.store.getSession(id);
    assert.equal(detail?.state, "active");
    assert.equal(detail?.windowCount, 0);
    assert.equal(detail?.detections.length, 1);
    const why = detail?.detections[0].explanation as Record<string, unknown>;
    assert.deepEqual(
      [why.verdict, why.action, why.loggedIn, why.requests, why.spanMs],
      ["unverified", "none (anonymous)", false, 3, 15_000],
    );
    assert.deepEqual(await guard.store.claimDueAlerts(10), []);
    const listed = (await adminList(base)).find((s) => s.id === id);
    assert.equal(listed?.state, "active");
  });
});

Deno.test("silence: a session whose windows carry behaviour is not flagged", async () => {
  await withGuard({}, async (guard, clock, base) => {
    const human = await readFixture();
    const client = createHttpClient(base);
    assert.equal((await navigate(client, "/")).status, 200);
    assert.equal((await navigate(client, "/login", { u: "a" })).status, 303);
    const id = guardIdOf(client.jar.get("__guard_sid"));
    for (let page = 0; page < 6; page++) {
      assert.equal((await navigate(client, "/account")).status, 200);
      // Short windows in real time: ingest holds windows to the page's age and forbids overlaps.
      await new Promise((r) => setTimeout(r, 600));
      const t0 = Date.now() - 500;
      // Successive half-seconds of a real human recording (a repeated stream is replay evidence).
      const from = 2_000 + page * 5_000;
      const events = retime(human, from, from + 500, t0);
      const posted = await postWindow(client, { t0, t1: t0 + 500, events });
      assert.equal(posted.status, 200, posted.body);
      clock.ms += 6_000;
    }
    assert.equal((await navigate(client, "/account")).status, 200);
    const detail = await guard.store.getSession(id);
    assert.equal(detail?.state, "active");
    assert.deepEqual(detail?.detections, []);
  });
});

Deno.test("silence: monitor mode records and does not log out", async () => {
  await withGuard({ MODE: "monitor" }, async (guard, clock, base) => {
    const { client, send } = httpClient(base);
    await logIn(send); // 1
    const id = guardIdOf(client.jar.get("__guard_sid"));
    assert.equal((await send("GET", "/account")).status, 200); // 2
    clock.ms += 15_000;
    assert.equal((await send("GET", "/account")).status, 200); // 3: verdict
    const next = await send("GET", "/account", { headers: NAV });
    assert.equal(next.status, 200);
    assert.deepEqual(next.setCookies, []);
    assert.equal(client.jar.has("session"), true);

    const detail = await guard.store.getSession(id);
    assert.equal(detail?.state, "active");
    assert.equal(detail?.detections.length, 1);
    const why = detail?.detections[0].explanation as Record<string, unknown>;
    assert.deepEqual(
      [why.mode, why.action, why.loggedIn, why.requests],
      ["monitor", "none (monitor mode)", true, 3],
    );
    // The admin hears of it: this is what monitor mode is for.
    const alerts = await guard.store.claimDueAlerts(10);
    assert.deepEqual(alerts.map((a) => [a.session, a.kind]), [[
      id,
      "unverified",
    ]]);
  });
});

Deno.test("silence: requests to assets and EXCLUDE_PATHS do not count", async () => {
  await withGuard({}, async (guard, clock, base) => {
    const { client, send } = httpClient(base);
    await logIn(send); // 1
    const id = guardIdOf(client.jar.get("__guard_sid"));
    await rowOf(guard, id);
    const cors = { "sec-fetch-mode": "cors" };
    const ignored: [string, string, Record<string, string>][] = [
      ["GET", "/app.js", {}],
      ["GET", "/logo.png", {}],
      ["POST", "/heartbeat", cors],
      ["GET", "/heartbeat/status", {}],
      ["GET", "/page", cors],
      ["GET", "/__guard/healthz", {}],
    ];
    for (const [method, path, headers] of ignored) {
      clock.ms += 20_000;
      const reply = await send(method, path, { headers });
      assert.equal(reply.status, 200, `${method} ${path}`);
    }
    assert.equal((await send("GET", "/account", { headers: NAV })).status, 200); // 2
    const before = await guard.store.getSession(id);
    assert.deepEqual([before?.state, before?.detections.length], [
      "active",
      0,
    ], "nothing recorded");
    // The counter was live all along: a third counted request makes the verdict.
    assert.equal((await send("GET", "/account", { headers: NAV })).status, 200); // 3
    const detail = await guard.store.getSession(id);
    assert.equal(detail?.detections.length, 1);
    const why = detail?.detections[0].explanation as Record<string, unknown>;
    assert.deepEqual([why.requests, why.spanMs], [3, 120_000]);
  });
});
