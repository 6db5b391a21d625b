/**
 * Issue 14 items 2 and 3 through the real guard in front of the demo site: a bot logged out by
 * the guard is logged out at the site too (UPSTREAM_LOGOUT: its old `session` value is dead even
 * sent straight to the demo), the signed revocation webhook reaches a real receiver that checks
 * the signature (after the receiver first fails), and the bot that logs in again is logged out
 * after fewer windows.
 */
import assert from "node:assert/strict";
import { startDemo } from "../demo/mod.ts";
import { SIGNATURE_HEADER, verifyWebhookSignature } from "../alert/mod.ts";
import { sha256Hex } from "../middleware/response/mod.ts";
import { tinyModelJson } from "../middleware/detect/_testing.ts";
import {
  loginThroughGuard,
  movePost,
  pageTokenOf,
  startTestGuard,
} from "./detect_harness.ts";
import { until } from "./_wait.ts";

const HOOK_SECRET = "webhook-secret-webhook-secret-0123";
/** A receiver that checks the signature, answers 503 to its first call, then 200. */
function startReceiver() {
  const calls: { valid: boolean; body: Record<string, unknown> }[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      const raw = await req.text();
      const valid = await verifyWebhookSignature(
        HOOK_SECRET,
        req.headers.get(SIGNATURE_HEADER),
        raw,
      );
      calls.push({ valid, body: JSON.parse(raw) });
      if (!valid) return new Response("bad signature", { status: 401 });
      return new Response(null, { status: calls.length === 1 ? 503 : 204 });
    },
  );
  return { url: `http://127.0.0.1:${server.addr.port}/hook`, calls, server };
}

Deno.test("logout at the site: the revoked bot's session value is dead at the demo itself, the signed webhook is retried until received, and the bot logging in again is logged out after fewer windows", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/model.json`, tinyModelJson());
  const site = startDemo();
  const receiver = startReceiver();
  let now = Date.now();
  const guard = await startTestGuard({
    upstream: site.url,
    collector: { code: "/*c*/", hash: "test" },
    now: () => now,
    env: {
      MODEL_PATH: `${dir}/model.json`,
      MODE: "enforce",
      WINDOW_MS: "1000",
      UPSTREAM_LOGOUT: "POST /logout",
      REVOKE_WEBHOOK_URL: receiver.url,
      REVOKE_WEBHOOK_SECRET: HOOK_SECRET,
    },
  });
  const login = () =>
    loginThroughGuard(
      guard.url,
      "/login",
      new URLSearchParams({
        username: "robot",
        password: "demo",
        next: "/article",
      }),
    );
  /** Posts bot windows until the guard says logout; returns how many it took. */
  async function windowsUntilLogout(cookie: string): Promise<number> {
    const token = await pageTokenOf(guard.url, "/article", cookie);
    // The windows start after the page was issued, on either clock (regression: under load the
    // real time spent logging in outran the frozen test clock, and the guard refused the third
    // window as outrunning the page's age).
    now = Math.max(now, Date.now());
    const start = now;
    for (let seq = 1; seq <= 10; seq++) {
      now = start + seq * 1000 + 1000;
      const res = await fetch(`${guard.url}/__guard/ingest`, {
        method: "POST",
        headers: { cookie, "content-type": "application/json" },
        body: movePost("bot", seq, token, start + seq * 1000),
      });
      const reply = await res.json();
      assert.equal(res.status, 200, JSON.stringify(reply));
      if (reply.action === "logout") return seq;
    }
    throw new Error("never logged out");
  }
  const direct = (session: string) =>
    fetch(`${site.url}/article`, {
      headers: { cookie: session },
      redirect: "manual",
    }).then(async (r) => {
      await r.body?.cancel();
      return r.status;
    });
  try {
    const bot = await login();
    const [sid, session] = bot.split("; ");
    const id = sid.split("=")[1].split(".")[0];
    assert.equal(await direct(session), 200, "valid at the site before");
    assert.equal(await windowsUntilLogout(bot), 3);
    // UPSTREAM_LOGOUT ran: the site itself has forgotten the value.
    assert.ok(await until(async () => await direct(session) === 303, 5000));
    // The webhook: refused once (503), retried with backoff, then accepted; always signed.
    assert.ok(
      await until(() => receiver.calls.length >= 2, 15_000),
      "the webhook was retried",
    );
    assert.deepEqual(receiver.calls.map((c) => c.valid), [true, true]);
    const body = receiver.calls[1].body;
    assert.deepEqual(
      [body.session, body.user, body.reason, body.cookies],
      [id, null, "bot detected by the guard", [{
        name: "session",
        sha256: await sha256Hex(session.split("=")[1]),
      }]],
    );
    assert.ok(Math.abs(Date.parse(String(body.time)) - Date.now()) < 30_000);

    // The same client logs in again: its first bot-like window logs it out.
    const again = await login();
    assert.equal(await windowsUntilLogout(again), 1);
    const againId = again.split(";")[0].split("=")[1].split(".")[0];
    const detail = await guard.store.getSession(againId);
    const why = detail?.detections[0].explanation as {
      windows: number;
      prior: { revocations: number; evidence: number; minWindows: number };
    };
    // The prior: half of VERDICT_THRESHOLD (default 3).
    assert.deepEqual([why.windows, why.prior], [1, {
      evidence: 1.5,
      minWindows: 1,
      revocations: 1,
    }]);
  } finally {
    await guard.close();
    await site.shutdown();
    await receiver.server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
