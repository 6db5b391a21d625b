import assert from "node:assert/strict";
import { Hono } from "hono";
import {
  addressPrefix,
  clientKey,
  createGuardSession,
  createGuardSigner,
  GUARD_COOKIE,
  resolveGuardSecret,
} from "./mod.ts";

const SECRET = "s".repeat(32);

function app(secure = false) {
  const a = new Hono();
  a.use(createGuardSession({ secret: SECRET, secure }));
  a.get("/json", (c) => c.json({ id: c.get("guardSessionId") }));
  a.get("/raw", (c) =>
    new Response(c.get("guardSessionId"), {
      headers: { "set-cookie": "session=up; Path=/" },
    }));
  return a;
}

Deno.test("createGuardSession() issues a signed HttpOnly Lax cookie", async () => {
  const res = await app().request("/json");
  const { id } = await res.json();
  assert.match(id, /^[A-Za-z0-9_-]{22}$/);
  const expected = await createGuardSigner(SECRET).sign(id);
  assert.equal(
    res.headers.get("set-cookie"),
    `${GUARD_COOKIE}=${expected}; Path=/; HttpOnly; SameSite=Lax`,
  );
});

Deno.test("createGuardSession() adds Secure for an https origin", async () => {
  const res = await app(true).request("/json");
  assert.match(res.headers.get("set-cookie")!, /; Secure; SameSite=Lax$/);
});

Deno.test("createGuardSession() keeps a valid cookie and sets nothing", async () => {
  const value = await createGuardSigner(SECRET).sign("abcdefghijklmnopqrstuv");
  const res = await app().request("/json", {
    headers: { cookie: `${GUARD_COOKIE}=${value}` },
  });
  assert.deepEqual(await res.json(), { id: "abcdefghijklmnopqrstuv" });
  assert.equal(res.headers.get("set-cookie"), null);
});

Deno.test("createGuardSession() replaces forged cookies", async (t) => {
  const good = await createGuardSigner(SECRET).sign("abcdefghijklmnopqrstuv");
  const other = await createGuardSigner("x".repeat(32)).sign(
    "abcdefghijklmnopqrstuv",
  );
  const cases = {
    "wrong key": other,
    "tampered id": good.replace("abc", "abd"),
    "no mac": "abcdefghijklmnopqrstuv",
    "bad base64": "abcdefghijklmnopqrstuv.!!!!",
    "short mac": "abcdefghijklmnopqrstuv.AAAA",
    "impossible base64 length": "abcdefghijklmnopqrstuv.AAAAA",
    "short id": "abc." + good.split(".")[1],
  };
  for (const [name, value] of Object.entries(cases)) {
    await t.step(name, async () => {
      const res = await app().request("/json", {
        headers: { cookie: `${GUARD_COOKIE}=${value}` },
      });
      const { id } = await res.json();
      assert.notEqual(id, "abcdefghijklmnopqrstuv");
      assert.match(res.headers.get("set-cookie")!, /^__guard_sid=/);
    });
  }
});

Deno.test("createGuardSession() keeps upstream cookies on a raw Response", async () => {
  const res = await app().request("/raw");
  const cookies = res.headers.getSetCookie();
  assert.equal(cookies.length, 2);
  assert.equal(cookies[0], "session=up; Path=/");
  assert.match(cookies[1], /^__guard_sid=/);
});

Deno.test("resolveGuardSecret() keeps a configured secret or makes a random one", () => {
  assert.equal(resolveGuardSecret(SECRET), SECRET);
  const a = resolveGuardSecret(undefined);
  assert.match(a, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a, resolveGuardSecret(undefined));
});

Deno.test("createGuardSession() sets the cookie on a fetched (immutable) Response", async () => {
  const upstream = Deno.serve(
    { port: 0, onListen: () => {} },
    () => new Response("page", { headers: { "set-cookie": "a=1" } }),
  );
  try {
    const a = new Hono();
    a.use(createGuardSession({ secret: SECRET }));
    a.get("/", () => fetch(`http://127.0.0.1:${upstream.addr.port}/`));
    const res = await a.request("/");
    assert.equal(await res.text(), "page");
    const cookies = res.headers.getSetCookie();
    assert.equal(cookies[0], "a=1");
    assert.match(
      cookies[1],
      /^__guard_sid=[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/,
    );
  } finally {
    await upstream.shutdown();
  }
});

Deno.test("createGuardSession() refuses new sessions of one client key beyond NEW_SESSIONS_PER_MIN (flood of fresh guard cookies)", async () => {
  const a = new Hono();
  a.use(createGuardSession({ secret: SECRET, newSessionsPerMin: 3 }));
  a.get("/", (c) => c.text(c.get("guardClientKey")));
  const ua = (agent: string) => ({ headers: { "user-agent": agent } });
  const statuses = [];
  for (let i = 0; i < 5; i++) {
    const res = await a.request("/", ua("bot/1"));
    statuses.push(res.status);
    await res.body?.cancel();
  }
  assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
  // Another key (another User-Agent) has its own count; a verified cookie is never limited.
  const other = await a.request("/", ua("bot/2"));
  assert.equal(other.status, 200);
  assert.equal(await other.text(), clientKey(undefined, "bot/2"));
  const value = await createGuardSigner(SECRET).sign("abcdefghijklmnopqrstuv");
  const known = await a.request("/", {
    headers: { "user-agent": "bot/1", cookie: `${GUARD_COOKIE}=${value}` },
  });
  assert.equal(known.status, 200);
  await known.body?.cancel();
});

Deno.test("clientKey() groups IPv4 by /24 and IPv6 by /48, plus a User-Agent hash", async (t) => {
  const cases: [string | undefined, string][] = [
    ["203.0.113.9", "203.0.113.0/24"],
    ["::ffff:203.0.113.200", "203.0.113.0/24"],
    ["2001:db8:abcd:12::1", "2001:db8:abcd::/48"],
    ["2001:db8::1", "2001:db8:0::/48"],
    ["::1", "0:0:0::/48"],
    [undefined, "unknown"],
  ];
  for (const [address, prefix] of cases) {
    await t.step(String(address), () => {
      assert.equal(addressPrefix(address), prefix);
    });
  }
  assert.equal(
    clientKey("203.0.113.9", "UA"),
    clientKey("203.0.113.77", "UA"),
  );
  assert.notEqual(
    clientKey("203.0.113.9", "UA"),
    clientKey("203.0.113.9", "UB"),
  );
  assert.match(
    clientKey("203.0.113.9", "UA"),
    /^203\.0\.113\.0\/24\|ua:[0-9a-f]{8}$/,
  );
});
