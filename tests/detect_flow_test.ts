import assert from "node:assert/strict";
import { tinyModelJson } from "../middleware/detect/_testing.ts";
import {
  loginThroughGuard,
  movePost as post,
  NAV,
  pageTokenOf,
  startTestGuard,
} from "./detect_harness.ts";

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

Deno.test("detection flow: a bot is logged out over HTTP, its old cookies refused; a human stays", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/model.json`, tinyModelJson());
  const site = startSite();
  // The guard's clock: each window is posted one second after the last, as a page would.
  let now = Date.now();
  const guard = await startTestGuard({
    upstream: site.url,
    collector: { code: "/*c*/", hash: "test" },
    now: () => now,
    env: {
      MODEL_PATH: `${dir}/model.json`,
      MODE: "enforce",
      WINDOW_MS: "1000",
    },
  });
  const login = () => loginThroughGuard(guard.url);
  const pageOf = (cookie: string) => pageTokenOf(guard.url, "/account", cookie);
  const start = Date.now();
  async function ingest(
    cookie: string,
    kind: "bot" | "human",
    seq: number,
    page: string,
  ) {
    now = Math.max(now, start + seq * 1000 + 1000);
    const res = await fetch(`${guard.url}/__guard/ingest`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json" },
      body: post(kind, seq, page, start + seq * 1000),
    });
    return [res.status, await res.json()];
  }
  try {
    const bot = await login();
    const human = await login();
    const account = await fetch(`${guard.url}/account`, {
      headers: { ...NAV, cookie: bot },
    });
    assert.equal(account.status, 200);
    assert.match(
      await account.text(),
      /^<html><body><script src="\/__guard\/c\.test\.js" data-ingest="\/__guard\/ingest" data-window="1000" data-page="[0-9a-z]+\.[\w-]{12}\.[\w-]{22}" async><\/script>account<\/body><\/html>$/,
    );
    const botPage = await pageOf(bot), humanPage = await pageOf(human);

    const none = { ok: true, action: "none" };
    assert.deepEqual(await ingest(bot, "bot", 1, botPage), [200, none]);
    assert.deepEqual(await ingest(human, "human", 1, humanPage), [200, none]);
    assert.deepEqual(await ingest(bot, "bot", 2, botPage), [200, none]);
    assert.deepEqual(await ingest(bot, "bot", 3, botPage), [200, {
      ok: true,
      action: "logout",
      redirect: "/login",
    }]);
    assert.deepEqual(await ingest(bot, "bot", 4, botPage), [
      403,
      { error: "revoked", action: "logout", redirect: "/login" },
    ]);
    for (let seq = 2; seq <= 6; seq++) {
      assert.deepEqual(await ingest(human, "human", seq, humanPage), [
        200,
        none,
      ]);
    }

    // The bot's old cookies: a navigation is sent to the login page with every cookie cleared,
    // and the upstream never sees the request.
    const before = site.seen.length;
    const replay = await fetch(`${guard.url}/account`, {
      headers: { ...NAV, cookie: bot },
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
      headers: { ...NAV, cookie: botAuth },
      redirect: "manual",
    });
    await fresh.body?.cancel();
    assert.equal(fresh.status, 303);

    const stillIn = await fetch(`${guard.url}/account`, {
      headers: { ...NAV, cookie: human },
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
