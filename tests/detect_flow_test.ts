import assert from "node:assert/strict";
import { FEATURE_NAMES } from "../collector/mod.ts";
import { tinyModelJson } from "../middleware/detect/_testing.ts";
import { startTestGuard } from "./detect_harness.ts";

/** A small site: POST /login sets a random `session` cookie; /account needs it. */
function startSite() {
  const sessions = new Set<string>();
  const seen: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) => {
      const url = new URL(req.url);
      seen.push(
        `${req.method} ${url.pathname} ${req.headers.get("cookie") ?? "-"}`,
      );
      if (url.pathname === "/login" && req.method === "POST") {
        const token = crypto.randomUUID();
        sessions.add(token);
        return new Response(null, {
          status: 303,
          headers: {
            location: "/account",
            "set-cookie": `session=${token}; Path=/; HttpOnly`,
          },
        });
      }
      const token = /(?:^|; )session=([^;]+)/.exec(
        req.headers.get("cookie") ?? "",
      )?.[1];
      if (url.pathname === "/account") {
        return token && sessions.has(token)
          ? new Response("<html><body>account</body></html>", {
            headers: { "content-type": "text/html" },
          })
          : new Response(null, {
            status: 303,
            headers: { location: "/login" },
          });
      }
      return new Response("<html><body>page</body></html>", {
        headers: { "content-type": "text/html" },
      });
    },
  );
  return { url: `http://127.0.0.1:${server.addr.port}`, seen, server };
}

function post(speedStd: number, seq: number) {
  const features: Record<string, number | null> = Object.fromEntries(
    FEATURE_NAMES.map((n) => [n, null]),
  );
  features.speed_std = speedStd;
  // Pointer evidence, as every real window with mouse movement has (hasPointerEvidence).
  features.interval_mean = 16;
  features.click_count = 0;
  features.scroll_speed = 0;
  return JSON.stringify({
    v: 1,
    seq,
    t0: seq * 1000,
    t1: seq * 1000 + 1000,
    n: 40,
    features,
  });
}

Deno.test("detection flow: a bot is logged out over HTTP, its old cookies refused; a human stays", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/model.json`, tinyModelJson());
  const site = startSite();
  const guard = await startTestGuard({
    upstream: site.url,
    collector: { code: "/*c*/", hash: "test" },
    env: {
      MODEL_PATH: `${dir}/model.json`,
      MODE: "enforce",
      WINDOW_MS: "1000",
    },
  });
  const nav = { "sec-fetch-mode": "navigate", accept: "text/html" };
  async function login(): Promise<string> {
    const first = await fetch(`${guard.url}/`, { headers: nav });
    await first.body?.cancel();
    const sid = first.headers.getSetCookie()[0].split(";")[0];
    const res = await fetch(`${guard.url}/login`, {
      method: "POST",
      headers: { cookie: sid },
      redirect: "manual",
    });
    await res.body?.cancel();
    assert.equal(res.status, 303);
    return `${sid}; ${res.headers.getSetCookie()[0].split(";")[0]}`;
  }
  async function ingest(cookie: string, speedStd: number, seq: number) {
    const res = await fetch(`${guard.url}/__guard/ingest`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json" },
      body: post(speedStd, seq),
    });
    return [res.status, await res.json()];
  }
  try {
    const bot = await login();
    const human = await login();
    const account = await fetch(`${guard.url}/account`, {
      headers: { ...nav, cookie: bot },
    });
    assert.equal(account.status, 200);
    assert.equal(
      await account.text(),
      '<html><body><script src="/__guard/c.test.js" data-ingest="/__guard/ingest" data-window="1000" data-raw="0" async></script>account</body></html>',
    );

    const none = { ok: true, action: "none" };
    assert.deepEqual(await ingest(bot, 0, 1), [200, none]);
    assert.deepEqual(await ingest(human, 900, 1), [200, none]);
    assert.deepEqual(await ingest(bot, 0, 2), [200, none]);
    assert.deepEqual(await ingest(bot, 0, 3), [200, {
      ok: true,
      action: "logout",
      redirect: "/login",
    }]);
    assert.deepEqual(await ingest(bot, 0, 4), [
      403,
      { error: "revoked", action: "logout", redirect: "/login" },
    ]);
    for (let seq = 2; seq <= 6; seq++) {
      assert.deepEqual(await ingest(human, 900, seq), [200, none]);
    }

    // The bot's old cookies: a navigation is sent to the login page with every cookie cleared,
    // and the upstream never sees the request.
    const before = site.seen.length;
    const replay = await fetch(`${guard.url}/account`, {
      headers: { ...nav, cookie: bot },
      redirect: "manual",
    });
    assert.equal(replay.status, 303);
    assert.equal(replay.headers.get("location"), "/login");
    assert.deepEqual(replay.headers.getSetCookie(), [
      "session=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
      "__guard_sid=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
    ]);
    assert.equal(site.seen.length, before);
    // The same auth cookie with a fresh guard session is refused too.
    const botAuth = bot.split("; ")[1];
    const fresh = await fetch(`${guard.url}/account`, {
      headers: { ...nav, cookie: botAuth },
      redirect: "manual",
    });
    await fresh.body?.cancel();
    assert.equal(fresh.status, 303);

    const stillIn = await fetch(`${guard.url}/account`, {
      headers: { ...nav, cookie: human },
    });
    assert.equal(stillIn.status, 200);
    await stillIn.body?.cancel();

    const botId = bot.split(";")[0].split("=")[1].split(".")[0];
    const detail = await guard.store.getSession(botId);
    assert.equal(detail?.state, "revoked");
    assert.equal(detail?.detections.length, 1);
  } finally {
    await guard.close();
    await site.server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
