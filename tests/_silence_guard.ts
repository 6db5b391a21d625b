/**
 * Helpers of tests/detect_silence_test.ts: a small site behind the real guard (enforce mode, a
 * fake detection clock, admin routes), and a plain-HTTP client with a cookie jar.
 */
import assert from "node:assert/strict";
import { tinyModelJson } from "../middleware/detect/_testing.ts";
import { createHttpClient } from "./_attack_http.ts";
import { startTestGuard, type TestGuard } from "./detect_harness.ts";

/** ADMIN_TOKEN of the test guard. */
export const TOKEN = "admin-token-0123456789";
/** The Set-Cookie lines of a logout: the auth cookie, then the guard cookie. */
export const CLEARED = [
  "session=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
  "__guard_sid=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
];
const HTML = { "content-type": "text/html" };

/** A small site: POST /login sets `session`; /account needs it; POST /profile is a form. */
function startSite() {
  const sessions = new Set<string>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      await req.body?.cancel();
      const path = new URL(req.url).pathname;
      const token = /(?:^|; )session=([^;]+)/.exec(
        req.headers.get("cookie") ?? "",
      )?.[1];
      const to = (location: string, cookie?: string) =>
        new Response(null, {
          status: 303,
          headers: cookie ? { location, "set-cookie": cookie } : { location },
        });
      if (path === "/login" && req.method === "POST") {
        const t = crypto.randomUUID();
        sessions.add(t);
        return to("/account", `session=${t}; Path=/; HttpOnly`);
      }
      const known = token !== undefined && sessions.has(token);
      if (path === "/account" && !known) return to("/login");
      if (path === "/profile" && req.method === "POST") return to("/account");
      if (path.endsWith(".js") || path.endsWith(".png")) {
        return new Response("x", { headers: { "content-type": "text/plain" } });
      }
      if (path.startsWith("/heartbeat")) return Response.json({ ok: true });
      return new Response(`<html><body>${path}</body></html>`, {
        headers: HTML,
      });
    },
  );
  return { url: `http://127.0.0.1:${server.addr.port}`, server };
}

/** What one request returned. */
export interface Reply {
  status: number;
  location: string | null;
  setCookies: string[];
}

/** A plain-HTTP client: a cookie jar (that it may choose to send or not) over fetch. */
export function httpClient(base: string) {
  const client = createHttpClient(base);
  const cookie = () => [...client.jar].map(([k, v]) => `${k}=${v}`).join("; ");
  async function send(
    method: string,
    path: string,
    init: {
      headers?: Record<string, string>;
      /** Cookies to send instead of the jar's; the reply's are not kept. */
      only?: string;
    } = {},
  ): Promise<Reply> {
    const sent = init.only ?? cookie();
    const res = await fetch(`${base}${path}`, {
      method,
      redirect: "manual",
      headers: { ...init.headers, ...(sent ? { cookie: sent } : {}) },
      body: method === "POST" ? "name=x" : undefined,
    });
    await res.body?.cancel();
    const setCookies = res.headers.getSetCookie();
    for (const line of init.only === undefined ? setCookies : []) {
      const [pair] = line.split(";");
      const [name, value] = [
        pair.slice(0, pair.indexOf("=")),
        pair.slice(pair.indexOf("=") + 1),
      ];
      if (value === "" || /max-age=0/i.test(line)) client.jar.delete(name);
      else client.jar.set(name, value);
    }
    return {
      status: res.status,
      location: res.headers.get("location"),
      setCookies,
    };
  }
  return { client, send };
}

/** The guard session id of a `__guard_sid` cookie value. */
export const guardIdOf = (jarValue: string | undefined) =>
  jarValue!.split(".")[0];

/** A guard in enforce mode with a fake clock, in front of the site; closes both. */
export async function withGuard(
  env: Record<string, string>,
  fn: (guard: TestGuard, clock: { ms: number }, base: string) => Promise<void>,
) {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/model.json`, tinyModelJson());
  const site = startSite();
  const clock = { ms: Date.now() };
  const guard = await startTestGuard({
    upstream: site.url,
    collector: { code: "/*c*/", hash: "test" },
    env: {
      MODEL_PATH: `${dir}/model.json`,
      MODE: "enforce",
      ADMIN_TOKEN: TOKEN,
      EXCLUDE_PATHS: "/heartbeat",
      ...env,
    },
    now: () => clock.ms,
  });
  try {
    await fn(guard, clock, guard.url);
  } finally {
    await guard.close();
    await site.server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
}

/** A browser navigation's headers. */
export const NAV = { accept: "text/html", "sec-fetch-mode": "navigate" };

/** The admin API's session list. */
export async function adminList(
  base: string,
): Promise<{ id: string; state: string }[]> {
  const res = await fetch(`${base}/__guard/admin/sessions`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  assert.equal(res.status, 200);
  return (await res.json()).sessions;
}

/** GET / (issues the guard cookie), then POST /login: a logged-in plain-HTTP client. */
export async function logIn(send: ReturnType<typeof httpClient>["send"]) {
  assert.equal((await send("GET", "/")).status, 200);
  const login = await send("POST", "/login");
  assert.equal(login.status, 303);
  assert.equal(login.location, "/account");
}
